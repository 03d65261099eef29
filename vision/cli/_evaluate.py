"""``vision evaluate``: score a submission against a solution with the competition metric."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from corpora.atomic import atomic_write
from corpora.cli_common import add_common_flags
from corpora.formats.label_sets import read_solution, read_submission
from vision.metrics import mean_f2, mean_precision_recall, per_label_stats

__all__ = ["register", "evaluate_files"]


def evaluate_files(solution: str | Path, submission: str | Path, per_label: bool = False) -> dict:
    """Mean per-image F2, precision and recall of ``submission`` against ``solution``.

    Returns a JSON-ready dict: ``mean_f2``, ``precision``, ``recall``, ``images`` (solution
    rows), ``missing`` (solution ids absent from the submission, scored 0), ``extra`` (ignored
    submission ids) and, with ``per_label``, a ``per_label`` list.
    """
    sol = read_solution(solution)
    sub = read_submission(submission)
    precision, recall = mean_precision_recall(sol, sub)
    result = {
        "solution": str(solution),
        "submission": str(submission),
        "images": len(sol),
        "missing": sum(1 for k in sol if k not in sub),
        "extra": sum(1 for k in sub if k not in sol),
        "mean_f2": mean_f2(sol, sub),
        "precision": precision,
        "recall": recall,
    }
    if per_label:
        result["per_label"] = [s.to_dict() for s in per_label_stats(sol, sub)]
    return result


def _main(args: argparse.Namespace) -> int:
    result = evaluate_files(args.solution, args.submission, per_label=args.per_label)
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
