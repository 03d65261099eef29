"""``vision predict``: a Kaggle submission from one run or an ensemble of runs."""

from __future__ import annotations

import argparse

from corpora.cli_common import add_common_flags
from vision.cli._runtime import add_runtime_flags, apply_threads

__all__ = ["register"]


def _main(args: argparse.Namespace) -> int:
    from vision.inference import DecisionOverrides, predict_submission

    apply_threads(args.threads)
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
        min_match=args.min_match,
        save_probs=args.save_probs,
        amp=args.amp,
        channels_last=args.channels_last,
    )
    print(
        f"wrote {args.out}: {report['images']} rows ({report['predicted']} predicted, "
        f"{report['bad']} unreadable given the fallback, {report['empty_filled']} empty "
        f"predictions filled), {report['labels_per_image']:.2f} labels/image, "
        f"{report['runs']} run(s), TTA {args.tta}, vote {args.vote}, device {report['device']}"
        + (f"; scores in {args.save_probs}" if args.save_probs else "")
    )
    return 0


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"--min-match takes a share in [0, 1], not {text!r}")
    return value


def _build(parser: argparse.ArgumentParser) -> None:
    from vision.data import DEFAULT_MAX_IMAGE_PIXELS
    from vision.inference import list_tta, list_votes

    io = parser.add_argument_group("input/output")
    io.add_argument("--run", required=True, help="run folder (trained or adapted)")
    io.add_argument(
        "--which", default="best", help="checkpoint of each run: best, last or a .pt file"
    )
    io.add_argument("--images", required=True, help="folder of test images")
    io.add_argument("--out", required=True, help="submission CSV to write")
    io.add_argument(
        "--sample-submission",
        default=None,
        help="CSV whose ids (and their order) the submission has (default: every image of "
        "--images, sorted)",
    )
    io.add_argument(
        "--max-image-pixels",
        type=int,
        default=DEFAULT_MAX_IMAGE_PIXELS,
        metavar="N",
        help="larger images are skipped as undecodable and get the fallback labels (default "
        f"Pillow's {DEFAULT_MAX_IMAGE_PIXELS}; 0 = no limit)",
    )
    io.add_argument(
        "--min-match",
        type=_share,
        default=0.5,
        metavar="SHARE",
        help="fail unless at least this share of the requested images (the sample "
        "submission's ids, or the folder's files) can be read; 0 accepts any (the rest get "
        "fallback labels) (default: %(default)s)",
    )
    io.add_argument(
        "--save-probs",
        default=None,
        metavar="FILE",
        help="also write the scores the labels were chosen from, for outside ensembling: "
        "FILE.npz (ids, codes, probs [N, L] float32) or FILE.parquet (image_id + one column "
        "per code; needs pyarrow)",
    )
    inf = parser.add_argument_group("inference")
    inf.add_argument("--tta", default="none", choices=list_tta(), help="test-time augmentation")
    inf.add_argument(
        "--ensemble",
        nargs="+",
        default=None,
        metavar="RUN",
        help="more runs (same labels); with --vote mean the decision rule of --run (its "
        "adapted thresholds, fitted on its own scores) decides the averaged scores",
    )
    inf.add_argument(
        "--vote",
        default="mean",
        choices=list_votes(),
        help="how an ensemble's runs combine: mean (average probabilities, then --run's rule) "
        "or majority (each run decides with its own rule; a label needs more than half of "
        "the runs, so both of two)",
    )
    inf.add_argument("--batch-size", type=int, default=64, help="images per forward pass")
    inf.add_argument("--no-knn", action="store_true", help="ignore a stored kNN label transfer")
    inf.add_argument(
        "--amp",
        nargs="?",
        const="auto",
        default="off",
        choices=["off", "auto", "bf16", "fp16"],
        help="mixed-precision forward passes: --amp alone = auto (bf16 where the device has "
        "it, else fp16) (default: %(default)s: exact float32)",
    )
    inf.add_argument(
        "--channels-last", action="store_true", help="NHWC batches (faster convolutions on GPUs)"
    )
    add_runtime_flags(parser)
    dec = parser.add_argument_group("decision")
    dec.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="one global threshold instead of the run's decision rule (default: the rule's)",
    )
    dec.add_argument(
        "--min-labels",
        type=int,
        default=None,
        help="at least this many labels/image (default: the run's)",
    )
    dec.add_argument(
        "--max-labels",
        type=int,
        default=None,
        help="at most this many (0: no cap; default: the run's)",
    )
    dec.add_argument(
        "--fallback-labels",
        type=int,
        default=1,
        help="top labels given to an empty row",
    )
    add_common_flags(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="write a submission (image_id,labels) for a folder of images",
        description=(
            "Predict labels for test images with a (possibly adapted) run or an ensemble; "
            "rows follow the sample submission, empty predictions and unreadable images get "
            "fallback labels; written atomically. Fewer than --min-match of the images "
            "readable is an error."
        ),
    )
    parser.build_later(_build)
    parser.set_defaults(func=_main)
