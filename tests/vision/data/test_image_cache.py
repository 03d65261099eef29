"""ImageCache: sharded build, hit, resume after a kill, parallel == serial byte for byte,
stale detection (rebuild the changed shards or refuse), parameters recorded, bad images."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from corpora.errors import InputError
from vision.data import ImageCache, ImageDecoder, ImageFolderDataset, build_transform

_real_decode = ImageDecoder.decode


def make(folder, n=4, size=(12, 10)):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    paths = []
    for i in range(n):
        p = folder / f"im{i:02d}.png"
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(p)
        paths.append(p)
    return paths


def files_of(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def count_decodes(monkeypatch):
    calls = []

    def counting(self, path, size):
        calls.append(os.path.basename(path))
        return _real_decode(self, path, size)

    monkeypatch.setattr(ImageDecoder, "decode", counting)
    return calls


def test_build_then_hit_without_decoding(tmp_path, monkeypatch):
    paths = make(tmp_path / "img", n=5)
    c = ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    assert len(c) == 5 and not c.rebuilt and c.decoded == 5
    assert [p.name for p in c.shard_paths()] == [
        "shard-00000.npy",
        "shard-00001.npy",
        "shard-00002.npy",
    ]
    assert np.load(c.shard_paths()[2]).shape == (1, 8, 8, 3)
    first = c.image(4)
    assert first.shape == (8, 8, 3) and first.dtype == np.uint8
    assert isinstance(first.base, np.memmap) or isinstance(first, np.memmap)
    expected = ImageDecoder().decode(paths[4], 8)
    np.testing.assert_array_equal(first, expected)
    manifest = json.loads((c.folder / "manifest.json").read_text())
    assert manifest["image_size"] == 8 and manifest["count"] == 5
    assert manifest["format_version"] == 2 and manifest["shard_size"] == 2
    assert manifest["decoder"] == {"max_image_pixels": 89478485, "draft": True}

    calls = count_decodes(monkeypatch)
    again = ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    assert calls == [] and again.decoded == 0
    for i in range(5):
        np.testing.assert_array_equal(again.image(i), c.image(i))
    # A different size or file order is a different key (a separate cache).
    assert ImageCache.key(paths, 8) != ImageCache.key(paths, 16)
    assert ImageCache.key(paths, 8) != ImageCache.key(paths[::-1], 8)


def test_killed_build_keeps_finished_shards_and_resumes(tmp_path, monkeypatch):
    paths = make(tmp_path / "img", n=7)
    calls = []

    def killed_after_two_shards(self, path, size):
        if len(calls) == 4:  # shards of 2 images: the 5th decode is in the third shard
            raise KeyboardInterrupt  # what a kill looks like from inside
        calls.append(path)
        return _real_decode(self, path, size)

    monkeypatch.setattr(ImageDecoder, "decode", killed_after_two_shards)
    with pytest.raises(KeyboardInterrupt):
        ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    folder = ImageCache.folder_for(tmp_path / "cache", paths, 8)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "build.json",
        "shard-00000.json",
        "shard-00000.npy",
        "shard-00001.json",
        "shard-00001.npy",
    ]  # finished shards kept, no manifest, no half-written shard

    resumed_calls = count_decodes(monkeypatch)
    resumed = ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    assert resumed.resumed_shards == 2 and resumed.decoded == 3
    assert resumed_calls == ["im04.png", "im05.png", "im06.png"]
    monkeypatch.setattr(ImageDecoder, "decode", _real_decode)
    fresh = ImageCache.open(tmp_path / "fresh", paths, 8, shard_size=2, progress=False)
    assert files_of(resumed.folder) == files_of(fresh.folder)


def test_parallel_build_equals_serial_byte_for_byte(tmp_path):
    paths = make(tmp_path / "img", n=9, size=(20, 14))
    (tmp_path / "img" / "im03.png").write_bytes(b"\x89PNG not really")
    serial = ImageCache.open(tmp_path / "serial", paths, 8, shard_size=2, progress=False)
    parallel = ImageCache.open(
        tmp_path / "parallel", paths, 8, shard_size=2, workers=3, progress=False
    )
    assert serial.folder.name == parallel.folder.name
    a, b = files_of(serial.folder), files_of(parallel.folder)
    assert (
        list(a) == list(b) and len(a) == 5 * 2 + 3
    )  # 5 shards (npy + json), build, stats, manifest
    assert a == b
    assert list(parallel.bad) == [3] and "im03.png" in parallel.bad[3]


def test_stale_cache_rebuilds_changed_shards_or_refuses(tmp_path, monkeypatch):
    paths = make(tmp_path / "img", n=6)
    c = ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    before = [np.array(c.image(i)) for i in range(6)]
    Image.fromarray(np.full((12, 10, 3), 9, np.uint8)).save(paths[2])
    st = os.stat(paths[2])
    os.utime(paths[2], ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with pytest.raises(
        InputError,
        match=r"is stale \(1 image file\(s\) changed since the build; e\.g\. .*im02\.png\)",
    ):
        ImageCache.open(
            tmp_path / "cache", paths, 8, shard_size=2, on_stale="error", progress=False
        )
    calls = count_decodes(monkeypatch)
    c2 = ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    assert c2.rebuilt and calls == ["im02.png", "im03.png"]  # only the changed shard
    assert (np.asarray(c2.image(2)) == 9).all()
    for i in (0, 1, 3, 4, 5):
        np.testing.assert_array_equal(c2.image(i), before[i])
    assert not ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False).rebuilt
    leftovers = [p.name for p in c2.folder.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_parameters_are_recorded_and_a_change_is_stale(tmp_path, monkeypatch):
    paths = make(tmp_path / "img", n=3)
    ImageCache.open(tmp_path / "cache", paths, 8, progress=False)
    strict = ImageDecoder(max_image_pixels=50)
    with pytest.raises(
        InputError,
        match=r"stale \(built with other parameters: decoder.max_image_pixels 89478485 -> 50\)",
    ):
        ImageCache.open(tmp_path / "cache", paths, 8, decoder=strict, on_stale="error")
    c = ImageCache.open(tmp_path / "cache", paths, 8, decoder=strict, progress=False)
    assert c.rebuilt and sorted(c.bad) == [0, 1, 2]  # 120 pixels > 50: refused
    assert "10x12 = 120 pixels exceeds the limit of 50 pixels" in c.bad[0]
    assert "DecompressionBombError" in c.bad[0] and "--max-image-pixels 50" in c.bad[0]
    with pytest.raises(InputError, match=r"shard_size 4096 -> 2"):
        ImageCache.open(
            tmp_path / "cache", paths, 8, decoder=strict, shard_size=2, on_stale="error"
        )


def test_dataset_cached_equals_uncached_and_skips_corrupt(tmp_path):
    paths = make(tmp_path / "img", n=5)
    (tmp_path / "img" / "im04.png").write_bytes(b"\x89PNG broken")
    ids = [p.stem for p in paths]
    ev = build_transform("eval", 8)
    plain = ImageFolderDataset(tmp_path / "img", ids[:4], image_size=8, transform=ev)
    cached = ImageFolderDataset(
        tmp_path / "img",
        ids,
        image_size=8,
        transform=ev,
        cache_dir=tmp_path / "cache",
        cache_shard_size=3,
        workers=2,
        max_bad_fraction=0.5,
        progress=False,
    )
    assert cached.image_ids == ids[:4] and cached.bad[0][0] == "im04"
    report = (tmp_path / "cache" / "bad_images.csv").read_text()
    assert report.startswith("image_id,reason\nim04,cannot decode ") and "im04.png" in report
    for i in range(4):
        assert torch.equal(plain[i][0], cached[i][0])


def test_pickled_dataset_remaps_the_cache_instead_of_copying(tmp_path):
    paths = make(tmp_path / "img", n=3)
    ids = [p.stem for p in paths]
    ds = ImageFolderDataset(
        tmp_path / "img", ids, image_size=64, cache_dir=tmp_path / "cache", progress=False
    )
    ds[0]  # maps a shard
    blob = pickle.dumps(ds)
    assert len(blob) < 3 * 64 * 64 * 3  # the image array is not inside
    clone = pickle.loads(blob)
    for i in range(3):
        assert torch.equal(clone[i][0], ds[i][0])


class _SlowDecoder(ImageDecoder):
    """Decodes like ImageDecoder, 50 ms per image (so that two builders would overlap)."""

    def decode(self, path, size):
        import time

        time.sleep(0.05)
        return super().decode(path, size)


def _open_concurrently(cache_dir, paths, barrier, results):
    barrier.wait()
    cache = ImageCache.open(
        cache_dir, paths, 8, decoder=_SlowDecoder(), shard_size=2, progress=False
    )
    results.put((cache.decoded, cache.resumed_shards, len(cache)))


def test_two_processes_opening_at_once_build_it_once(tmp_path):
    """Every torchrun rank opens the cache: the first builds it, the others wait for the lock
    and find it finished (no double decoding, no shard deleted under a builder)."""
    import multiprocessing

    paths = make(tmp_path / "img", n=8)
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_open_concurrently, args=(tmp_path / "cache", paths, barrier, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    got = sorted(results.get(timeout=5) for _ in procs)
    assert got == [(0, 0, 8), (8, 0, 8)]  # one built all 8 images, the other decoded none
    serial = ImageCache.open(tmp_path / "serial", paths, 8, shard_size=2, progress=False)
    cache = ImageCache.open(tmp_path / "cache", paths, 8, shard_size=2, progress=False)
    assert cache.decoded == 0
    names = lambda c: {k: v for k, v in files_of(c.folder).items() if k.startswith("shard-")}  # noqa: E731
    assert names(cache) == names(serial)
    assert (tmp_path / "cache" / f".{cache.folder.name}.lock").is_file()
