"""Real photos end to end: the Open Images vehicles (5 labels, 439 training photos, 188 test
photos of which 50 tuning and 138 held out), trained from scratch, adapted, predicted, scored.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python bench/vehicles.py \\
        [--data ../shared/data/openimages-vehicles] [--out runs/bench-vehicles] \\
        [--backbone compact_cnn] [--image-size 64] [--epochs 30] [--workers 2] \\
        [--configs thresholds knn,thresholds]

Prints, in one run:

* the floors on the 138 held-out images (mean per-image F2 over ``test_solutions.csv``): the
  best top-k most frequent training labels (k = 1..5) and the labels of the nearest training
  image in 16x16 pixels (1-NN), also with the 50 tuning images added as neighbours;
* decode and cache throughput on these photos (416x416 JPEG -> ``--image-size``): decoding
  with reduced-size JPEG decoding against a full decode (ratio), and the sharded cache built by
  ``--workers`` processes against one;
* the example itself, as the ``vision`` commands it runs (printed), with their wall times:
  ``vision train`` (from scratch, with the cache), then for each ``--configs`` entry
  ``vision adapt`` with the 50 tuning images, ``vision predict`` over the 188 test images and
  ``vision evaluate`` on the 138 held out; the trained run without adaptation is scored too.

A finished ``OUT/run`` is reused (delete it to retrain). Results: ``OUT/results.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpora.formats.label_sets import read_solution, read_tuning_labels  # noqa: E402
from vision.cli import main as vision_main  # noqa: E402
from vision.data import (  # noqa: E402
    ImageCache,
    ImageDecoder,
    ImageFolderDataset,
    load_targets,
    read_classes_trainable,
    targets_matrix,
)
from vision.data._image_files import index_images  # noqa: E402
from vision.inference import evaluate_submission  # noqa: E402
from vision.metrics import mean_f2  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "openimages-vehicles"


def floors(data: Path) -> dict[str, Any]:
    """Top-k frequent and pixel 1-NN floors on the held-out images."""
    codes = read_classes_trainable(data / "classes-trainable.csv")
    ids, targets, _ = targets_matrix(load_targets(data), codes)
    solution = read_solution(data / "test_solutions.csv")
    tuning = read_tuning_labels(data / "tuning_labels.csv")
    test_ids = list(solution)
    freq = np.asarray(targets.sum(0)).ravel()
    order = np.argsort(-freq, kind="stable")
    topk = [
        mean_f2(solution, {i: [codes[j] for j in order[:k]] for i in test_ids})
        for k in range(1, len(codes) + 1)
    ]

    def pixels(folder: Path, image_ids: list[str]) -> np.ndarray:
        ds = ImageFolderDataset(folder, image_ids, image_size=16, check_images="none")
        assert ds.image_ids == list(image_ids), ds.bad[:3]
        return np.stack([ds.base_image(i).astype(np.float32).ravel() / 255 for i in range(len(ds))])

    def nearest(bank: np.ndarray, bank_labels: list[list[str]], query: np.ndarray) -> float:
        d = (query**2).sum(1)[:, None] - 2 * query @ bank.T + (bank**2).sum(1)[None, :]
        nn = d.argmin(1)
        return mean_f2(solution, {test_ids[i]: bank_labels[nn[i]] for i in range(len(test_ids))})

    train_px, test_px = pixels(data / "train", ids), pixels(data / "test", test_ids)
    train_labels = [[codes[j] for j in targets[i].indices] for i in range(len(ids))]
    tune_ids = list(tuning)
    tune_px = pixels(data / "test", tune_ids)
    return {
        "topk_train_freq": {f"k={k + 1}": f for k, f in enumerate(topk)},
        "topk_best": {"k": int(np.argmax(topk)) + 1, "f2": float(max(topk))},
        "pixel_1nn_16x16": nearest(train_px, train_labels, test_px),
        "pixel_1nn_16x16_with_tuning": nearest(
            np.concatenate([train_px, tune_px]),
            train_labels + [tuning[i] for i in tune_ids],
            test_px,
        ),
        "test_label_counts": dict(Counter(c for v in solution.values() for c in v)),
    }


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (worker processes)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def throughput(data: Path, size: int, workers: int) -> dict[str, float]:
    """Decode (draft vs full) and cache build (workers vs 1) on the training photos: images
    per CPU-second (= per core) and, for the cache, per wall-clock second."""
    paths = sorted(index_images(data / "train").values())
    n, out = len(paths), {}
    for name, decoder in (
        ("decode_full", ImageDecoder(draft=False)),
        ("decode_draft", ImageDecoder()),
    ):
        c0 = cpu_seconds()
        for p in paths:
            decoder.decode(p, size)
        out[f"{name}_img_per_cpu_s"] = n / (cpu_seconds() - c0)
    with tempfile.TemporaryDirectory(prefix="bench-vehicles-") as tmp:
        for w in sorted({1, workers}):
            c0, t0 = cpu_seconds(), time.perf_counter()
            ImageCache.open(
                Path(tmp) / f"w{w}", paths, size, workers=w, shard_size=64, progress=False
            )
            out[f"cache_build_{w}_workers_img_per_s"] = n / (time.perf_counter() - t0)
            out[f"cache_build_{w}_workers_img_per_cpu_s"] = n / (cpu_seconds() - c0)
    return out


def run(argv: list[str]) -> tuple[float, str]:
    """``vision ARGV`` in this process: (seconds, the command as text)."""
    text = "vision " + shlex.join(argv)
    print(f"$ {text}", flush=True)
    t0 = time.perf_counter()
    rc = vision_main(argv)
    if rc != 0:
        raise SystemExit(f"{text} failed with exit status {rc}")
    return time.perf_counter() - t0, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=REPO / "runs" / "bench-vehicles")
    ap.add_argument("--backbone", default="compact_cnn")
    ap.add_argument("--head", default="linear")
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--configs", nargs="*", default=["thresholds", "knn,thresholds"])
    args = ap.parse_args()
    data, out = args.data, args.out
    if not (data / "train").is_dir():
        print(f"SKIP: {data} not found (no ../shared/data here); pass --data DIR")
        return 0
    torch.set_num_threads(1)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"settings": vars(args) | {"data": str(data), "out": str(out)}}

    results["floors"] = fl = floors(data)
    print(f"floors on {len(read_solution(data / 'test_solutions.csv'))} held-out images:")
    for k, f in fl["topk_train_freq"].items():
        print(f"  top-k frequent, {k}: mean F2 {f:.4f}")
    print(f"  1-NN in 16x16 pixels: {fl['pixel_1nn_16x16']:.4f}")
    print(f"  1-NN in 16x16 pixels, tuning images added: {fl['pixel_1nn_16x16_with_tuning']:.4f}")

    results["throughput"] = tp = throughput(data, args.image_size, args.workers)
    full, draft = tp["decode_full_img_per_cpu_s"], tp["decode_draft_img_per_cpu_s"]
    print(
        f"decode 416x416 JPEG -> {args.image_size} px per core (images per CPU-second): full "
        f"{full:.0f}, draft {draft:.0f} (ratio {draft / full:.2f}x)"
    )
    w = args.workers
    one, many = tp["cache_build_1_workers_img_per_s"], tp[f"cache_build_{w}_workers_img_per_s"]
    print(
        f"cache build (shards of 64), wall: 1 process {one:.0f} img/s, {w} workers {many:.0f} "
        f"img/s (ratio {many / one:.2f}x); per CPU-second: "
        f"{tp['cache_build_1_workers_img_per_cpu_s']:.0f} and "
        f"{tp[f'cache_build_{w}_workers_img_per_cpu_s']:.0f}"
    )

    run_dir, times = out / "run", {}
    if (run_dir / "last.pt").is_file():
        print(f"reusing the trained run {run_dir} (delete it to retrain)")
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
        times["train"], _ = run(
            ["train", "--data", str(data), "--graph", "identity", "--out", str(run_dir),
             "--backbone", args.backbone, "--head", args.head, "--image-size",
             str(args.image_size), "--epochs", str(args.epochs), "--batch-size",
             str(args.batch_size), "--lr", str(args.lr), "--seed", str(args.seed),
             "--cache-dir", str(out / "cache"), "--workers", str(args.workers), "--quiet"]
        )  # fmt: skip
    scores: dict[str, dict[str, float]] = {}
    for config in ["none", *args.configs]:
        model_dir = run_dir
        if config != "none":
            model_dir = out / f"adapted-{config.replace(',', '-')}"
            shutil.rmtree(model_dir, ignore_errors=True)
            times[f"adapt {config}"], _ = run(
                ["adapt", "--run", str(run_dir), "--tuning-labels", str(data / "tuning_labels.csv"),
                 "--images", str(data / "test"), "--mode", config, "--out", str(model_dir),
                 "--quiet"]
            )  # fmt: skip
        sub = out / f"submission-{config.replace(',', '-')}.csv"
        times[f"predict {config}"], _ = run(
            ["predict", "--run", str(model_dir), "--images", str(data / "test"),
             "--sample-submission", str(data / "sample_submission.csv"), "--out", str(sub),
             "--quiet"]
        )  # fmt: skip
        run(["evaluate", "--solution", str(data / "test_solutions.csv"), "--submission", str(sub)])
        ev = evaluate_submission(data / "test_solutions.csv", sub)
        scores[config] = {k: ev[k] for k in ("mean_f2", "precision", "recall")}
    results["scores"], results["seconds"] = scores, times

    best_floor = max(fl["topk_best"]["f2"], fl["pixel_1nn_16x16"])
    print(f"\nmean F2 on the {len(read_solution(data / 'test_solutions.csv'))} held-out photos:")
    top = f"floor: top-{fl['topk_best']['k']} frequent"
    print(f"  {top:36s}  {fl['topk_best']['f2']:.4f}")
    print(f"  {'floor: 1-NN 16x16 pixels':36s}  {fl['pixel_1nn_16x16']:.4f}")
    for config, s in scores.items():
        label = "trained run, no adaptation" if config == "none" else f"adapted: {config}"
        print(
            f"  {label:36s}  {s['mean_f2']:.4f}  (precision {s['precision']:.3f}, recall "
            f"{s['recall']:.3f}; {s['mean_f2'] - best_floor:+.4f} vs the best floor)"
        )
    print("wall times: " + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
