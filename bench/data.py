"""Benchmark of the image path: decoding, the sharded cache, and the streaming loader.

    .venv/bin/python bench/data.py [--data DIR ...] [--image-size 64] [--runs 3] [--limit N]
        [--synthetic 40] [--workers 2] [--gpu-rates 2000 5000]

Default data: ``../shared/data/openimages-vehicles`` (real photos, 416x416 JPEG) and
``../shared/data/emoji-google-to-twitter`` (64 px PNG), each ``train/``; absent folders are
skipped with a message. Plus ``--synthetic`` JPEGs of 2000x1500 (camera-sized photos,
written to a temporary folder). Every figure is printed as a ratio against a baseline
measured in the same run, on one core (1 torch thread, no loader workers) unless said:

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


def median_time(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


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

    full = median_time(lambda: all_with(FULL), runs) / len(paths)
    draft = median_time(lambda: all_with(DRAFT), runs) / len(paths)
    diff = np.mean(
        [
            np.abs(FULL.decode(p, size).astype(int) - DRAFT.decode(p, size).astype(int)).mean()
            for p in paths[:50]
        ]
    )
    print(
        f"  decode {name} -> {size} px: full {full * 1e3:.2f} ms/img ({1 / full:.0f} img/s) | "
        f"draft {draft * 1e3:.2f} ms/img ({1 / draft:.0f} img/s) | ratio {full / draft:.2f}x | "
        f"mean |draft - full| {diff:.2f} levels"
    )


def bench_cache(images_dir: Path, ids: list[str], size: int, workers: int) -> None:
    paths = [index_images(images_dir)[i] for i in ids]
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        t0 = time.perf_counter()
        ImageCache.open(Path(tmp) / "serial", paths, size, workers=1, progress=False)
        serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        ImageCache.open(
            Path(tmp) / "parallel", paths, size, workers=workers, shard_size=256, progress=False
        )
        parallel = time.perf_counter() - t0
        t0 = time.perf_counter()
        ImageCache.open(Path(tmp) / "serial", paths, size, progress=False)
        reopen = time.perf_counter() - t0
    n = len(paths)
    print(
        f"  cache build: 1 process {serial:.2f}s ({n / serial:.0f} img/s) | {workers} workers "
        f"(shards of 256) {parallel:.2f}s ({n / parallel:.0f} img/s) | ratio "
        f"{serial / parallel:.2f}x | reopen (stat check) {reopen:.3f}s"
    )


def bench_epochs(images_dir: Path, ids: list[str], size: int, runs: int, batch: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        cached = ImageFolderDataset(images_dir, ids, image_size=size, cache_dir=tmp, progress=False)
        plain = ImageFolderDataset(images_dir, ids, image_size=size, check_images="none")
        for preset in ("eval", "train"):
            plain.transform = cached.transform = build_transform(preset, size)
            torch.manual_seed(0)
            d = median_time(lambda: epoch(plain, batch), runs)
            torch.manual_seed(0)
            c = median_time(lambda: epoch(cached, batch), runs)
            print(
                f"  [{preset:5s}] decode-per-epoch {d:.3f}s ({len(ids) / d:.0f} img/s) | cached "
                f"{c:.3f}s ({len(ids) / c:.0f} img/s) | ratio {d / c:.2f}x"
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
        ("full decode, 1 core", FULL, 0),
        ("draft, 1 core", DRAFT, 0),
        (f"draft, {workers} loader workers", DRAFT, workers),
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
        rates[label] = len(ids) / median_time(lambda ds=ds, w=w: epoch(ds, batch, w), runs)
    base, per_core = rates["full decode, 1 core"], rates["draft, 1 core"]
    many = rates[f"draft, {workers} loader workers"]
    print(
        f"  streaming {name} (decode + train augment, {size} px): full decode {base:.0f} img/s "
        f"per core | draft {per_core:.0f} img/s per core (ratio {per_core / base:.2f}x) | "
        f"{workers} workers {many:.0f} img/s ({many / per_core:.2f}x one core)"
    )
    need = ", ".join(f"{r} img/s: {math.ceil(r / per_core)} cores" for r in gpu_rates)
    print(f"  cores to feed a GPU ({name}, draft): {need}")
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
        bench_cache(images_dir, ids, size, args.workers)
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
