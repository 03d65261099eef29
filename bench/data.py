"""Benchmark of the image path: decoding, the sharded cache, and the streaming loader.

    .venv/bin/python bench/data.py [--data DIR ...] [--image-size 64] [--runs 3] [--limit N]
        [--synthetic 40] [--workers 2] [--gpu-rates 2000 5000]

Default data: ``../shared/data/openimages-vehicles`` (real photos, 416x416 JPEG) and
``../shared/data/emoji-google-to-twitter`` (64 px PNG), each ``train/``; absent folders are
skipped with a message. Plus ``--synthetic`` JPEGs of 2000x1500 (camera-sized photos,
written to a temporary folder). Every figure is printed as a ratio against a baseline
measured in the same run. Rates are images per CPU-second of this process and its workers
(= images/s per core, and steady on a shared, loaded machine) unless marked "wall"; one
process, 1 torch thread, unless said:

1. decode: :class:`vision.data.ImageDecoder` with reduced-size JPEG decoding (``draft``)
   against full decode + resize (``draft=False``, the decoder before draft mode), per image,
   and the mean absolute pixel difference between the two (0..255 levels);
2. cache build: ``ImageCache.open`` with ``--workers`` processes against one process, and the
   reopen (stat check) time;
3. one epoch from the cache against decoding every file in every epoch (``eval`` and
   ``train`` presets);
4. streaming (training without a cache): a ``DataLoader`` decoding and augmenting
   (``train`` preset) images/s per core, draft against full decode, with ``--workers``
   loader processes, and the cores needed to feed a GPU at ``--gpu-rates`` images/s.
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vision.data import (  # noqa: E402
    ImageCache,
    ImageDecoder,
    ImageFolderDataset,
    build_transform,
)
from vision.data._image_files import index_images  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
DEFAULT_DATA = [SHARED / "openimages-vehicles", SHARED / "emoji-google-to-twitter"]
FULL, DRAFT = ImageDecoder(draft=False), ImageDecoder(draft=True)


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(fn, runs: int) -> tuple[float, float]:
    """Median ``(wall seconds, CPU seconds)`` of ``fn()`` over ``runs`` calls. CPU time
    includes worker processes (reaped when their pool or loader closes); on a shared machine
    it is the steadier figure: images per CPU-second = images/s per core."""
    walls, cpus = [], []
    for _ in range(runs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
    return statistics.median(walls), statistics.median(cpus)


def epoch(ds: ImageFolderDataset, batch_size: int, workers: int = 0) -> int:
    n = 0
    loader = DataLoader(ds, batch_size=batch_size, shuffle=False, num_workers=workers)
    for images, _, _ in loader:
        n += images.shape[0]
    return n


def synthetic_jpegs(folder: Path, n: int) -> list[Path]:
    """``n`` camera-sized JPEGs (2000x1500, smooth colour fields plus noise, quality 90)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:1500, 0:2000].astype(np.float32)
    paths = []
    for i in range(n):
        c = rng.uniform(0, 6, 3)
        smooth = np.stack(
            [
                128 + 100 * np.sin(x / (60 + 40 * c[k]) + c[k]) * np.cos(y / 80 - c[k])
                for k in range(3)
            ],
            axis=-1,
        )
        img = np.clip(smooth + rng.normal(0, 8, smooth.shape), 0, 255).astype(np.uint8)
        p = folder / f"synthetic{i:04d}.jpg"
        Image.fromarray(img).save(p, quality=90)
        paths.append(p)
    return paths


def bench_decode(name: str, paths: list[Path], size: int, runs: int) -> None:
    def all_with(decoder: ImageDecoder) -> None:
        for p in paths:
            decoder.decode(p, size)

    _, full = measure(lambda: all_with(FULL), runs)
    _, draft = measure(lambda: all_with(DRAFT), runs)
    n = len(paths)
    diff = np.mean(
        [
            np.abs(FULL.decode(p, size).astype(int) - DRAFT.decode(p, size).astype(int)).mean()
            for p in paths[:50]
        ]
    )
    print(
        f"  decode {name} -> {size} px, CPU per image: full {full / n * 1e3:.2f} ms ({n / full:.0f} "
        f"img/s per core) | draft {draft / n * 1e3:.2f} ms ({n / draft:.0f} img/s per core) | "
        f"ratio {full / draft:.2f}x | mean |draft - full| {diff:.2f} levels"
    )


def bench_cache(images_dir: Path, ids: list[str], size: int, workers: int, shard: int) -> None:
    paths = [index_images(images_dir)[i] for i in ids]
    n = len(paths)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        wall1, cpu1 = measure(
            lambda: ImageCache.open(
                Path(tmp) / "serial", paths, size, shard_size=shard, progress=False
            ),
            1,
        )
        wallw, cpuw = measure(
            lambda: ImageCache.open(
                Path(tmp) / "parallel", paths, size, workers=workers, shard_size=shard,
                progress=False,
            ),
            1,
        )  # fmt: skip
        same = [p.read_bytes() for p in sorted((Path(tmp) / "serial").glob("*/*"))] == [
            p.read_bytes() for p in sorted((Path(tmp) / "parallel").glob("*/*"))
        ]
        reopen, _ = measure(
            lambda: ImageCache.open(Path(tmp) / "serial", paths, size, shard_size=shard), 1
        )
    print(
        f"  cache build (shards of {shard}): 1 process {n / wall1:.0f} img/s wall, {n / cpu1:.0f} "
        f"img/s per CPU-second | {workers} workers {n / wallw:.0f} img/s wall (ratio "
        f"{wall1 / wallw:.2f}x), {n / cpuw:.0f} img/s per CPU-second | same bytes: {same} | "
        f"reopen (stat check) {reopen:.3f}s"
    )


def bench_epochs(images_dir: Path, ids: list[str], size: int, runs: int, batch: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        cached = ImageFolderDataset(images_dir, ids, image_size=size, cache_dir=tmp, progress=False)
        plain = ImageFolderDataset(images_dir, ids, image_size=size, check_images="none")
        for preset in ("eval", "train"):
            plain.transform = cached.transform = build_transform(preset, size)
            torch.manual_seed(0)
            _, d = measure(lambda: epoch(plain, batch), runs)
            torch.manual_seed(0)
            _, c = measure(lambda: epoch(cached, batch), runs)
            print(
                f"  [{preset:5s}] epoch, CPU: decode every file {d:.3f}s ({len(ids) / d:.0f} img/s "
                f"per core) | from the cache {c:.3f}s ({len(ids) / c:.0f} img/s per core) | "
                f"ratio {d / c:.2f}x"
            )


def bench_streaming(
    name: str,
    images_dir: Path,
    ids: list[str],
    size: int,
    runs: int,
    batch: int,
    workers: int,
    gpu_rates: list[int],
) -> float:
    rates = {}
    for label, decoder, w in (
        ("full", FULL, 0),
        ("draft", DRAFT, 0),
        ("workers", DRAFT, workers),
    ):
        ds = ImageFolderDataset(
            images_dir,
            ids,
            transform=build_transform("train", size),
            image_size=size,
            check_images="none",
            decoder=decoder,
        )
        torch.manual_seed(0)
        wall, cpu = measure(lambda ds=ds, w=w: epoch(ds, batch, w), runs)
        rates[label] = (len(ids) / wall, len(ids) / cpu)
    base, per_core = rates["full"][1], rates["draft"][1]
    wall_w, cpu_w = rates["workers"]
    print(
        f"  streaming {name} (decode + train augment, {size} px, no cache): full decode {base:.0f} "
        f"img/s per core | draft {per_core:.0f} img/s per core (ratio {per_core / base:.2f}x) | "
        f"{workers} loader workers: {wall_w:.0f} img/s wall ({wall_w / rates['draft'][0]:.2f}x "
        f"one process's wall rate), {cpu_w:.0f} img/s per CPU-second"
    )
    need = ", ".join(f"{r} img/s: {math.ceil(r / per_core)} cores" for r in gpu_rates)
    print(f"  cores to feed a GPU ({name}, draft, at {per_core:.0f} img/s per core): {need}")
    return per_core


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="*", default=DEFAULT_DATA)
    parser.add_argument("--runs", type=int, default=3, help="repetitions (median reported)")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images")
    parser.add_argument("--synthetic", type=int, default=40, help="2000x1500 JPEGs (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="processes for cache and loader")
    parser.add_argument("--gpu-rates", type=int, nargs="*", default=[2000, 5000])
    parser.add_argument("--shard-size", type=int, default=256, help="cache shard (images)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    size = args.image_size
    print(
        f"image size {size}, batch {args.batch_size}, {args.runs} runs (median), torch threads "
        f"1, {args.workers} workers where said"
    )
    for data in args.data:
        images_dir = data / "train" if (data / "train").is_dir() else data
        if not images_dir.is_dir():
            print(f"SKIP: {images_dir} not found (no ../shared/data here); pass --data DIR")
            continue
        found = index_images(images_dir)
        ids = sorted(found)[: args.limit] if args.limit else sorted(found)
        print(f"\n{images_dir} ({len(ids)} images)")
        bench_decode(images_dir.parent.name, [found[i] for i in ids], size, args.runs)
        bench_cache(images_dir, ids, size, args.workers, args.shard_size)
        bench_epochs(images_dir, ids, size, args.runs, args.batch_size)
        bench_streaming(
            images_dir.parent.name, images_dir, ids, size, args.runs, args.batch_size,
            args.workers, args.gpu_rates,
        )  # fmt: skip
    if args.synthetic:
        with tempfile.TemporaryDirectory(prefix="bench-jpeg-") as tmp:
            paths = synthetic_jpegs(Path(tmp), args.synthetic)
            kb = np.mean([p.stat().st_size for p in paths]) / 1024
            print(f"\n{args.synthetic} synthetic 2000x1500 JPEGs (quality 90, {kb:.0f} KB each)")
            bench_decode("2000x1500", paths, size, args.runs)
            bench_streaming(
                "2000x1500", Path(tmp), [p.stem for p in paths], size, args.runs,
                args.batch_size, args.workers, args.gpu_rates,
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
