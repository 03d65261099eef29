"""``vision predict``: a Kaggle submission from one run or an ensemble of runs."""

from __future__ import annotations

import argparse

from corpora.cli_common import add_common_flags
from vision.data import DEFAULT_MAX_IMAGE_PIXELS
from vision.inference import DecisionOverrides, list_tta, list_votes, predict_submission

__all__ = ["register"]


def _main(args: argparse.Namespace) -> int:
    report = predict_submission(
        [args.run, *(args.ensemble or [])],
        args.images,
        args.out,
        which=args.which,
        sample_submission=args.sample_submission,
        tta=args.tta,
        vote=args.vote,
        batch_size=args.batch_size,
        device=args.device,
        progress=not args.quiet,
        overrides=DecisionOverrides(
            threshold=args.threshold,
            min_labels=args.min_labels,
            max_labels=args.max_labels,
            no_knn=args.no_knn,
        ),
        fallback_labels=args.fallback_labels,
        max_image_pixels=args.max_image_pixels,
    )
    print(
        f"wrote {args.out}: {report['images']} rows ({report['predicted']} predicted, "
        f"{report['bad']} unreadable given the fallback, {report['empty_filled']} empty "
        f"predictions filled), {report['labels_per_image']:.2f} labels/image, "
        f"{report['runs']} run(s), TTA {args.tta}, vote {args.vote}"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="write a submission (image_id,labels) for a folder of images",
        description=(
            "Predict labels for test images with a (possibly adapted) run or an ensemble; "
            "rows follow the sample submission, empty predictions and unreadable images get "
            "fallback labels; written atomically."
        ),
    )
    io = parser.add_argument_group("input/output")
    io.add_argument("--run", required=True, help="run folder (trained or adapted)")
    io.add_argument("--which", default="best", help="checkpoint: best or last (default best)")
    io.add_argument("--images", required=True, help="folder of test images")
    io.add_argument("--out", required=True, help="submission CSV to write")
    io.add_argument("--sample-submission", default=None, help="defines the ids and row order")
    io.add_argument(
        "--max-image-pixels",
        type=int,
        default=DEFAULT_MAX_IMAGE_PIXELS,
        metavar="N",
        help="larger images are skipped as undecodable and get the fallback labels (default "
        f"Pillow's {DEFAULT_MAX_IMAGE_PIXELS}; 0 = no limit)",
    )
    inf = parser.add_argument_group("inference")
    inf.add_argument("--tta", default="none", choices=list_tta())
    inf.add_argument("--ensemble", nargs="+", default=None, metavar="RUN", help="more runs")
    inf.add_argument("--vote", default="mean", choices=list_votes())
    inf.add_argument("--batch-size", type=int, default=64)
    inf.add_argument("--device", default="cpu")
    inf.add_argument("--no-knn", action="store_true", help="ignore a stored kNN label transfer")
    dec = parser.add_argument_group("decision")
    dec.add_argument(
        "--threshold", type=float, default=None, help="one global threshold (overrides)"
    )
    dec.add_argument("--min-labels", type=int, default=None, help="at least this many labels/image")
    dec.add_argument("--max-labels", type=int, default=None, help="at most this many (0: no cap)")
    dec.add_argument(
        "--fallback-labels",
        type=int,
        default=1,
        help="top labels given to an empty row (default 1)",
    )
    add_common_flags(parser)
    parser.set_defaults(func=_main)
