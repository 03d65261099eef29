"""Reader for ``classes-trainable.csv``: one label code per line, header ``label_code`` optional."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from vision.data import _csv
from vision.data.read_class_descriptions import HEADER_NAMES
from vision.data.read_report import ReadReport

__all__ = ["read_classes_trainable"]


def read_classes_trainable(
    path: str | Path,
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> list[str]:
    """Read the trainable codes, in file order.

    A line with more than one field, an empty code or a repeated code is malformed. Codes not
    in ``vocabulary`` (when given) are reported with counts.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "trainable classes")
    kw = {"path": path, "skip_bad_rows": skip_bad_rows, "report": report}
    first = _csv.first_fields(path)
    has_header = bool(first) and first[0].lower() in HEADER_NAMES
    df, lines = _csv.read_rows(
        path, ("LabelName",), header=has_header, skip_bad_rows=skip_bad_rows, report=report
    )
    if has_header:
        df.columns = ["LabelName"] + list(df.columns[1:])
    df, lines = _csv.reject_empty(df, lines, ("LabelName",), **kw)
    df, lines = _csv.reject_duplicates(df, lines, "LabelName", **kw)
    report.rows = len(df)
    _csv.count_unknown(df["LabelName"], vocabulary, report)
    report.log()
    return df["LabelName"].tolist()
