"""``vision evaluate`` as a function: the competition metric of a submission file."""

from __future__ import annotations

import os
from typing import Any

from corpora.formats.label_sets import read_solution, read_submission
from vision.metrics import mean_f2, mean_precision_recall, per_label_stats

__all__ = ["evaluate_submission"]


def evaluate_submission(
    solution: str | os.PathLike[str],
    submission: str | os.PathLike[str],
    per_label: bool = False,
) -> dict[str, Any]:
    """Mean per-image F2, precision and recall of ``submission`` against ``solution``.

    Returns a JSON-ready dict: ``mean_f2``, ``precision``, ``recall``, ``images`` (solution
    rows), ``missing`` (solution ids absent from the submission, scored 0), ``extra`` (ignored
    submission ids) and, with ``per_label``, a ``per_label`` list.
    """
    sol = read_solution(solution)
    sub = read_submission(submission)
    precision, recall = mean_precision_recall(sol, sub)
    result: dict[str, Any] = {
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
