"""End-to-end demo on embedded data: ``python -m vision.demo --out runs/demo`` (``make demo``).

Stages (each one is a call of the public command lines, so the demo also shows how to use them):

1. build a label graph from the real Wikipedia sample dump that ships inside the gensim wheel,
   with the vocabulary and training annotations of a synthetic Open-Images-layout dataset;
2. print neighbours and a plausibility comparison (Person+Shopkeeper vs Horse+Shopkeeper);
3. train the graph-augmented classifier (``rerank`` head) on the synthetic training region;
4. predict the shifted test region and score it (mean per-image F2) before adaptation;
5. adapt with the tuning labels (``vision adapt``'s default modes: kNN over the training and
   tuning images in features plus pixels, then per-class thresholds), predict and score again.

The model and the adaptation are ``vision train``'s and ``vision adapt``'s defaults (one set,
``TrainConfig`` and ``AdaptationConfig``), except the head (``rerank``, to show the graph) and
the size knobs below.

Everything is written under one output folder; the last lines printed say where. Run again
into the same folder, the demo replaces what it wrote there before (it keeps a ``demo.json``
marker and refuses a non-empty folder without one). Progress bars and per-epoch lines show
as it runs (``--quiet`` hides them). The torch thread count is chosen once
(:func:`corpora.cli_common.choose_threads`, ``--threads`` to set it) and passed to every step;
the F2 figures can differ in the third decimal with it.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from corpora.atomic import atomic_write
from corpora.cli_common import DefaultsHelpFormatter, choose_threads
from corpora.errors import InputError

logger = logging.getLogger(__name__)

GENSIM_DUMP = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
#: what the demo writes under --out (replaced when it runs again into the same folder)
MARKER = "demo.json"
OUTPUTS = (
    "data",
    "graph",
    "run",
    "run-adapted",
    "submission-before.csv",
    "submission.csv",
    "f2-before.json",
    "f2-after.json",
)


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vision.demo",
        description=__doc__.split("\n")[0],
        formatter_class=DefaultsHelpFormatter,
    )
    parser.add_argument(
        "--out",
        default="runs/demo",
        help="output folder; a folder of an earlier demo is replaced (default: %(default)s)",
    )
    parser.add_argument("--corpus", default=None, help="Wikipedia dump (default: gensim's sample)")
    group = parser.add_argument_group("size")
    group.add_argument("--images", type=int, default=1500, help="synthetic training images")
    group.add_argument("--test-images", type=int, default=400, help="synthetic test images")
    group.add_argument("--tuning-images", type=int, default=60, help="test images with labels")
    group.add_argument("--epochs", type=int, default=20, help="training epochs")
    group.add_argument(
        "--image-size",
        type=int,
        default=None,
        help="image side in pixels (default: vision train's, TrainConfig.image_size)",
    )
    group.add_argument("--seed", type=int, default=0, help="random seed of every step")
    run = parser.add_argument_group("runtime")
    run.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="torch threads of every step (default: chosen once from the usable CPUs, as "
        "every vision command does; see --threads there)",
    )
    run.add_argument(
        "--device", default="cpu", help="device of the model steps: cpu, cuda, cuda:N, mps, auto"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    return parser


def _prepare(out: Path) -> None:
    """Make ``out`` ready: new, empty, or an earlier demo's folder (its outputs removed)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; choose a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise InputError(
                f"--out {out} is not empty and holds no {MARKER} (it was not written by the "
                "demo); choose a new or empty folder"
            )
        for name in OUTPUTS:
            path = out / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        print(f"(replacing the earlier demo in {out})", flush=True)
    out.mkdir(parents=True, exist_ok=True)


def _stage(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def _call(main: Callable[[Sequence[str]], int], argv: list[str]) -> None:
    print("$", " ".join(argv), flush=True)
    rc = main(argv[1:])
    if rc:
        raise SystemExit(f"demo: step failed with exit status {rc}: {' '.join(argv)}")


def main(argv: Sequence[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    if args.image_size is None:
        from vision.train import TrainConfig

        args.image_size = TrainConfig.image_size
    try:
        return _run(args)
    except InputError as exc:
        print(f"demo: error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from gensim.test.utils import datapath

    from labelgraph.cli import main as lg_main
    from vision.cli import main as vision_main

    out = Path(args.out)
    _prepare(out)
    threads, why = choose_threads(args.threads)
    settings = {"args": vars(args), "threads": threads, "status": "running"}
    with atomic_write(out / MARKER) as fh:
        json.dump(settings, fh, indent=1)
    corpus = args.corpus or datapath(GENSIM_DUMP)
    data, graph, run = out / "data", out / "graph", out / "run"
    adapted = out / "run-adapted"
    t0 = time.time()
    common = ["--quiet"] if args.quiet else []
    # every step that runs a model gets the same thread count and device
    model = ["--threads", str(threads), "--device", args.device, *common]
    print(f"torch threads: {threads} ({why}); device {args.device}", flush=True)

    _stage("1. synthetic Open-Images-layout dataset (train region + shifted test region)")
    _call(
        vision_main,
        [
            "vision",
            "synth",
            "--out",
            str(data),
            "--images",
            str(args.images),
            "--test-images",
            str(args.test_images),
            "--tuning-images",
            str(args.tuning_images),
            "--seed",
            str(args.seed),
            "--image-size",
            str(args.image_size),
            *common,
        ],
    )

    _stage("2. label graph from the Wikipedia sample dump + training annotations")
    _call(
        lg_main,
        [
            "labelgraph",
            "build",
            "--corpus",
            str(corpus),
            "--labels",
            str(data / "class-descriptions.csv"),
            "--annotations",
            str(data / "train_human_labels.csv"),
            "--out",
            str(graph),
            "--min-count",
            "1",
            "--epochs",
            "5",
            *common,
        ],
    )

    _stage("3. neighbours and plausibility")
    _call(lg_main, ["labelgraph", "neighbors", str(graph), "Shopkeeper", "-k", "5"])
    _call(lg_main, ["labelgraph", "score", str(graph), "Person,Shopkeeper", "Horse,Shopkeeper"])
    _call(
        lg_main, ["labelgraph", "odd-one-out", str(graph), "Person,Shopkeeper,Grocery store,Horse"]
    )

    _stage("4. train the graph-augmented classifier (rerank head) on the CPU")
    _call(
        vision_main,
        [
            "vision",
            "train",
            "--data",
            str(data),
            "--graph",
            str(graph),
            "--out",
            str(run),
            "--head",
            "rerank",
            "--image-size",
            str(args.image_size),
            "--epochs",
            str(args.epochs),
            "--batch-size",
            "32",
            "--seed",
            str(args.seed),
            *model,
        ],
    )

    _stage("5. predict the shifted test region before adaptation")
    sub_before = out / "submission-before.csv"
    _call(
        vision_main,
        [
            "vision",
            "predict",
            "--run",
            str(run),
            "--images",
            str(data / "test"),
            "--sample-submission",
            str(data / "sample_submission.csv"),
            "--out",
            str(sub_before),
            *model,
        ],
    )
    before_json = out / "f2-before.json"
    _call(
        vision_main,
        [
            "vision",
            "evaluate",
            "--solution",
            str(data / "test_solutions.csv"),
            "--submission",
            str(sub_before),
            "--json",
            str(before_json),
        ],
    )

    _stage("6. adapt with the tuning labels (vision adapt's default modes), predict again")
    _call(
        vision_main,
        [
            "vision",
            "adapt",
            "--run",
            str(run),
            "--tuning-labels",
            str(data / "tuning_labels.csv"),
            "--images",
            str(data / "test"),
            "--folds",
            "3",
            "--out",
            str(adapted),
            *model,
        ],
    )
    sub_after = out / "submission.csv"
    _call(
        vision_main,
        [
            "vision",
            "predict",
            "--run",
            str(adapted),
            "--images",
            str(data / "test"),
            "--sample-submission",
            str(data / "sample_submission.csv"),
            "--out",
            str(sub_after),
            *model,
        ],
    )
    after_json = out / "f2-after.json"
    _call(
        vision_main,
        [
            "vision",
            "evaluate",
            "--solution",
            str(data / "test_solutions.csv"),
            "--submission",
            str(sub_after),
            "--json",
            str(after_json),
        ],
    )

    before = json.loads(before_json.read_text())["mean_f2"]
    after = json.loads(after_json.read_text())["mean_f2"]
    _stage("summary")
    print(
        f"mean F2 on the shifted test region: before adaptation {before:.3f}, "
        f"after adaptation {after:.3f}  (scored on test images outside the tuning set)"
    )
    seconds = time.time() - t0
    settings.update(status="done", seconds=round(seconds, 1), f2_before=before, f2_after=after)
    with atomic_write(out / MARKER) as fh:
        json.dump(settings, fh, indent=1)
    print(f"outputs under {out}/ ({seconds:.0f} s, {threads} torch thread(s)):")
    for name, path in [
        ("dataset", data),
        ("label graph", graph),
        ("trained run", run),
        ("adapted run", adapted),
        ("submission", sub_after),
    ]:
        print(f"  {name:12s} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
