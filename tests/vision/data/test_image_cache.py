"""ImageCache: build once, hit, stale detection (rebuild or refuse), bad images, same pixels."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch
from PIL import Image

from corpora.errors import InputError
from vision.data import ImageCache, ImageFolderDataset, build_transform
from vision.data import image_cache as cache_mod


def make(folder, n=4):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    paths = []
    for i in range(n):
        p = folder / f"im{i}.png"
        Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)).save(p)
        paths.append(p)
    return paths


def test_build_then_hit_without_decoding(tmp_path, monkeypatch):
    paths = make(tmp_path / "img")
    c = ImageCache.open(tmp_path / "cache", paths, 8, progress=False)
    assert c.array.shape == (4, 8, 8, 3) and c.array.dtype == np.uint8 and not c.rebuilt
    assert isinstance(c.array, np.memmap)
    manifest = json.loads(c.path.with_suffix(".json").read_text())
    assert (
        manifest["image_size"] == 8 and manifest["count"] == 4 and manifest["format_version"] == 1
    )

    def boom(*a, **k):
        raise AssertionError("a fresh cache must not decode images")

    monkeypatch.setattr(cache_mod, "load_base_image", boom)
    again = ImageCache.open(tmp_path / "cache", paths, 8, progress=False)
    np.testing.assert_array_equal(again.array, c.array)
    # A different size or file list is a different key (a separate cache).
    assert ImageCache.key(paths, 8) != ImageCache.key(paths, 16)
    assert ImageCache.key(paths, 8) != ImageCache.key(paths[::-1], 8)


def test_stale_cache_rebuilt_or_refused(tmp_path):
    paths = make(tmp_path / "img")
    c = ImageCache.open(tmp_path / "cache", paths, 8, progress=False)
    before = np.array(c.array)
    Image.fromarray(np.full((12, 10, 3), 9, np.uint8)).save(paths[2])
    st = os.stat(paths[2])
    os.utime(paths[2], ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with pytest.raises(
        InputError,
        match=r"is stale \(1 image file\(s\) changed since the build; e\.g\. .*im2\.png\)",
    ):
        ImageCache.open(tmp_path / "cache", paths, 8, on_stale="error", progress=False)
    c2 = ImageCache.open(tmp_path / "cache", paths, 8, progress=False)
    assert c2.rebuilt
    assert (np.asarray(c2.array[2]) == 9).all()
    np.testing.assert_array_equal(c2.array[[0, 1, 3]], before[[0, 1, 3]])
    assert not ImageCache.open(tmp_path / "cache", paths, 8, progress=False).rebuilt
    leftovers = [p.name for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_unfinished_build_leaves_no_cache(tmp_path, monkeypatch):
    paths = make(tmp_path / "img")

    def crash(path, size):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_mod, "load_base_image", crash)
    with pytest.raises(KeyboardInterrupt):
        ImageCache.open(tmp_path / "cache", paths, 8, progress=False)
    assert list((tmp_path / "cache").iterdir()) == []


def test_dataset_cached_equals_uncached_and_skips_corrupt(tmp_path):
    paths = make(tmp_path / "img", n=5)
    (tmp_path / "img" / "im4.png").write_bytes(b"\x89PNG broken")
    ids = [p.stem for p in paths]
    ev = build_transform("eval", 8)
    plain = ImageFolderDataset(tmp_path / "img", ids[:4], image_size=8, transform=ev)
    cached = ImageFolderDataset(
        tmp_path / "img",
        ids,
        image_size=8,
        transform=ev,
        cache_dir=tmp_path / "cache",
        max_bad_fraction=0.5,
        progress=False,
    )
    assert cached.image_ids == ids[:4] and cached.bad[0][0] == "im4"
    assert (tmp_path / "cache" / "bad_images.csv").read_text().startswith("image_id,reason\nim4,")
    for i in range(4):
        assert torch.equal(plain[i][0], cached[i][0])


def test_pickled_dataset_remaps_the_cache_instead_of_copying(tmp_path):
    import pickle

    paths = make(tmp_path / "img", n=3)
    ids = [p.stem for p in paths]
    ds = ImageFolderDataset(
        tmp_path / "img", ids, image_size=64, cache_dir=tmp_path / "cache", progress=False
    )
    blob = pickle.dumps(ds)
    assert len(blob) < 3 * 64 * 64 * 3  # the image array is not inside
    clone = pickle.loads(blob)
    assert isinstance(clone.cache.array, np.memmap)
    for i in range(3):
        assert torch.equal(clone[i][0], ds[i][0])
