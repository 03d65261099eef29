"""Readers for solution and submission files: header ``image_id,labels``, labels space-separated.

Extra columns (``Usage`` in the competition's solution) are allowed and ignored. An empty
``labels`` field (as in ``sample_submission.csv``) gives ``[]``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from vision.data import _csv
from vision.data.read_report import ReadReport

__all__ = ["read_solution", "read_submission"]


def read_solution(
    path: str | Path,
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
    what: str = "solution",
) -> dict[str, list[str]]:
    """Read ``image_id,labels``: image id -> label codes (file order).

    Raises:
        InputError: missing file, header without ``image_id``/``labels``, an empty or repeated
            ``image_id`` (file and line named) unless ``skip_bad_rows``.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, what)
    kw = {"path": path, "skip_bad_rows": skip_bad_rows, "report": report}
    df, lines = _csv.read_rows(
        path,
        ("image_id", "labels"),
        header=True,
        skip_bad_rows=skip_bad_rows,
        report=report,
        required=("image_id", "labels"),
    )
    df, lines = _csv.reject_empty(df, lines, ("image_id",), **kw)
    df, lines = _csv.reject_duplicates(df, lines, "image_id", **kw)
    out = {i: labels.split() for i, labels in zip(df["image_id"], df["labels"])}
    report.rows = len(out)
    _csv.count_unknown((c for codes in out.values() for c in codes), vocabulary, report)
    report.log()
    return out


def read_submission(path: str | Path, **kw) -> dict[str, list[str]]:
    """Read a (sample) submission; same format and arguments as :func:`read_solution`."""
    return read_solution(path, what="submission", **kw)
