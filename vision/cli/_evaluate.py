"""``vision evaluate``: score a submission against a solution with the competition metric.

CSV files only: nothing here imports torch.
"""

from __future__ import annotations

import argparse
import json

from corpora.atomic import atomic_write
from corpora.cli_common import add_common_flags

__all__ = ["register"]


def _main(args: argparse.Namespace) -> int:
    from vision.inference.evaluate_submission import evaluate_submission

    result = evaluate_submission(
        args.solution,
        args.submission,
        per_label=args.per_label,
        class_descriptions=args.class_descriptions,
    )
    print(
        f"mean F2 {result['mean_f2']:.4f}  precision {result['precision']:.4f}  "
        f"recall {result['recall']:.4f}  ({result['images']} images, "
        f"{result['missing']} missing from the submission, {result['extra']} extra ignored)"
    )
    if args.per_label:
        rows = result["per_label"][: args.top]
        width = max([24, *(len(r["name"]) for r in rows)])
        print(
            f"{'label':<14} {'name':<{width}} {'support':>7} {'pred':>6} {'tp':>5} "
            f"{'prec':>6} {'rec':>6} {'f2':>6}"
        )
        for row in rows:
            print(
                f"{row['label']:<14} {row['name'] or '-':<{width}} {row['support']:>7} "
                f"{row['predicted']:>6} {row['true_positives']:>5} {row['precision']:>6.3f} "
                f"{row['recall']:>6.3f} {row['f2']:>6.3f}"
            )
        if not result["class_descriptions"]:
            print("(no class-descriptions.csv beside the solution: --class-descriptions for names)")
    if args.json:
        with atomic_write(args.json) as fh:
            json.dump(result, fh, indent=1)
    return 0


def _build(parser: argparse.ArgumentParser) -> None:
    io = parser.add_argument_group("input/output")
    io.add_argument("--solution", required=True, help="solution CSV (image_id,labels)")
    io.add_argument("--submission", required=True, help="submission CSV (image_id,labels)")
    io.add_argument(
        "--class-descriptions",
        default=None,
        metavar="CSV",
        help="code,name file: label names in --per-label and a check that the submission "
        "holds codes, not names (default: class-descriptions.csv beside the solution or in "
        "the folder above it, when there is one)",
    )
    io.add_argument("--json", default=None, metavar="OUT", help="write all numbers to this JSON")
    rep = parser.add_argument_group("report")
    rep.add_argument(
        "--per-label", action="store_true", help="per-label support/precision/recall/F2"
    )
    rep.add_argument(
        "--top", type=int, default=30, help="labels printed with --per-label (default: %(default)s)"
    )
    add_common_flags(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="mean per-image F2 of a submission against a solution",
        description=(
            "Score a Kaggle submission (image_id,labels) against a solution with the Inclusive "
            "Images metric: F2 per image averaged over the solution's images (a missing image "
            "scores 0; an image with empty truth and empty prediction scores 1). A submission "
            "that shares no image id with the solution, or holds label names instead of codes, "
            "is an error."
        ),
    )
    parser.build_later(_build)
    parser.set_defaults(func=_main)
