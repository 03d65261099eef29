"""Reader for ``class-descriptions.csv``: label code -> display name, with or without header.

The Open Images file has no header (``/m/01g317,Person``); other copies (the emoji benchmark)
start with ``label_code,description``. A first line whose first field is one of
:data:`HEADER_NAMES` (case-insensitive) is taken as a header.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from corpora.errors import InputError
from vision.data import _csv
from vision.data.read_report import ReadReport

__all__ = ["read_class_descriptions", "HEADER_NAMES"]

HEADER_NAMES = frozenset({"label_code", "labelname", "label_name", "label", "code", "mid"})


def read_class_descriptions(
    path: str | Path, *, skip_bad_rows: bool = False, report: ReadReport | None = None
) -> pd.DataFrame:
    """Read the vocabulary.

    Returns:
        DataFrame ``[LabelName, DisplayName]`` (both str) in file order. Empty codes or names
        and duplicate codes are malformed rows.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "class descriptions")
    kw = {"path": path, "skip_bad_rows": skip_bad_rows, "report": report}
    first = _csv.first_fields(path)
    has_header = bool(first) and first[0].lower() in HEADER_NAMES
    df, lines = _csv.read_rows(
        path,
        ("LabelName", "DisplayName"),
        header=has_header,
        skip_bad_rows=skip_bad_rows,
        report=report,
    )
    if has_header:
        if len(df.columns) != 2:
            raise InputError(
                f"{path} line 1: expected 2 columns (code, name), header has {list(df.columns)}"
            )
        df.columns = ["LabelName", "DisplayName"]
    df, lines = _csv.reject_empty(df, lines, ("LabelName", "DisplayName"), **kw)
    df, lines = _csv.reject_duplicates(df, lines, "LabelName", **kw)
    report.rows = len(df)
    report.log()
    df.attrs["read_report"] = report
    return df
