"""Benchmark: one epoch of images from the preprocessed cache vs decoding the files each time.

    .venv/bin/python bench/data.py [--data DIR] [--runs 3] [--image-size 64] [--limit N]

Default data: ../shared/data/emoji-google-to-twitter (train/, 3,601 PNGs); skips with a
message when it is absent. Both pipelines run the same transform through a DataLoader
(batch 64, no workers); the baseline decodes every file in every epoch, the other reads the
uint8 memory-mapped cache built once beforehand (build time printed separately). Prints the
median epoch time of several runs for the ``eval`` and ``train`` presets and the ratio
decode / cache (the issue's target: >= 3x).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vision.data import ImageFolderDataset, build_transform  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "emoji-google-to-twitter"


def epoch_seconds(ds: ImageFolderDataset, runs: int, batch_size: int) -> list[float]:
    out = []
    for _ in range(runs):
        loader = DataLoader(ds, batch_size=batch_size, shuffle=False, num_workers=0)
        t0 = time.perf_counter()
        n = 0
        for images, _, _ in loader:
            n += images.shape[0]
        out.append(time.perf_counter() - t0)
        assert n == len(ds)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with train/ (or an image folder)"
    )
    parser.add_argument("--runs", type=int, default=3, help="epochs per pipeline (median reported)")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images")
    args = parser.parse_args()
    images_dir = args.data / "train" if (args.data / "train").is_dir() else args.data
    if not images_dir.is_dir():
        print(f"SKIP: {images_dir} not found (no ../shared/data here); pass --data DIR")
        return 0
    torch.set_num_threads(1)
    ids = sorted(
        p.stem
        for p in images_dir.iterdir()
        if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp")
    )
    ids = ids[: args.limit] if args.limit else ids
    print(
        f"data: {images_dir} ({len(ids)} images), image size {args.image_size}, batch {args.batch_size}, "
        f"{args.runs} runs, torch threads 1"
    )
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache_dir:
        t0 = time.perf_counter()
        cached = ImageFolderDataset(
            images_dir, ids, image_size=args.image_size, cache_dir=cache_dir, progress=False
        )
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        ImageFolderDataset(
            images_dir, ids, image_size=args.image_size, cache_dir=cache_dir, progress=False
        )
        reopen = time.perf_counter() - t0
        print(
            f"cache build (decode + resize once): {build:.2f}s; reopen (stat check): {reopen:.3f}s"
        )
        plain = ImageFolderDataset(images_dir, ids, image_size=args.image_size, check_images="none")
        for preset in ("eval", "train"):
            tf = build_transform(preset, args.image_size)
            plain.transform = cached.transform = tf
            torch.manual_seed(0)
            decode = epoch_seconds(plain, args.runs, args.batch_size)
            torch.manual_seed(0)
            fast = epoch_seconds(cached, args.runs, args.batch_size)
            d, c = statistics.median(decode), statistics.median(fast)
            print(
                f"[{preset:5s}] decode-per-epoch {d:.3f}s ({len(ids) / d:.0f} img/s) | "
                f"cached {c:.3f}s ({len(ids) / c:.0f} img/s) | ratio {d / c:.2f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
