"""``vision evaluate``: score a submission against a solution with the competition metric."""

from __future__ import annotations

import argparse
import json

from corpora.atomic import atomic_write
from corpora.cli_common import add_common_flags
from vision.inference import evaluate_submission

__all__ = ["register"]


def _main(args: argparse.Namespace) -> int:
    result = evaluate_submission(args.solution, args.submission, per_label=args.per_label)
    print(
        f"mean F2 {result['mean_f2']:.4f}  precision {result['precision']:.4f}  "
        f"recall {result['recall']:.4f}  ({result['images']} images, "
        f"{result['missing']} missing from the submission, {result['extra']} extra ignored)"
    )
    if args.per_label:
        print(
            f"{'label':<24} {'support':>7} {'pred':>6} {'tp':>5} {'prec':>6} {'rec':>6} {'f2':>6}"
        )
        for row in result["per_label"][: args.top]:
            print(
                f"{row['label']:<24} {row['support']:>7} {row['predicted']:>6} "
                f"{row['true_positives']:>5} {row['precision']:>6.3f} {row['recall']:>6.3f} "
                f"{row['f2']:>6.3f}"
            )
    if args.json:
        with atomic_write(args.json) as fh:
            json.dump(result, fh, indent=1)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="mean per-image F2 of a submission against a solution",
        description=(
            "Score a Kaggle submission (image_id,labels) against a solution with the Inclusive "
            "Images metric: F2 per image averaged over the solution's images (a missing image "
            "scores 0; an image with empty truth and empty prediction scores 1)."
        ),
    )
    io = parser.add_argument_group("input/output")
    io.add_argument("--solution", required=True, help="solution CSV (image_id,labels)")
    io.add_argument("--submission", required=True, help="submission CSV (image_id,labels)")
    io.add_argument("--json", default=None, metavar="OUT", help="write all numbers to this JSON")
    rep = parser.add_argument_group("report")
    rep.add_argument(
        "--per-label", action="store_true", help="per-label support/precision/recall/F2"
    )
    rep.add_argument(
        "--top", type=int, default=30, help="labels printed with --per-label (default 30)"
    )
    add_common_flags(parser)
    parser.set_defaults(func=_main)
