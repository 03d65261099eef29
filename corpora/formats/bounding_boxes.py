"""Open Images ``train_bounding_boxes.csv``.

Format (header required)::

    ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside

Coordinates are fractions of the image width/height in ``[0, 1]``. ``ImageID, LabelName, XMin,
XMax, YMin, YMax`` are required; ``Source`` (default ``""``), ``Confidence`` (default 1) and the
``Is*`` flags (integers -1/0/1, default -1 = unknown) may be absent. Every CSV variant of
:mod:`corpora.formats._csv` is accepted; read column by column like the image labels.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from corpora.formats import _csv
from corpora.formats.image_labels import is_image_labels_header
from corpora.formats.read_report import ReadReport

__all__ = ["read_bounding_boxes", "BOX_COLUMNS"]

BOX_COLUMNS = (
    "ImageID",
    "Source",
    "LabelName",
    "Confidence",
    "XMin",
    "XMax",
    "YMin",
    "YMax",
    "IsOccluded",
    "IsTruncated",
    "IsGroupOf",
    "IsDepiction",
    "IsInside",
)
_REQUIRED = ("ImageID", "LabelName", "XMin", "XMax", "YMin", "YMax")
_FLAGS = ("IsOccluded", "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside")
_NUMBERS = ("Confidence", "XMin", "XMax", "YMin", "YMax")
#: values of the optional columns when the header lacks them
_DEFAULTS: dict[str, object] = {"Source": "", "Confidence": 1.0, **{f: -1 for f in _FLAGS}}


def read_bounding_boxes(
    path: str | Path,
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
    categorical: bool = False,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a bounding-box file.

    Args:
        categorical, columns: as :func:`~corpora.formats.image_labels.read_image_labels`.

    Returns:
        DataFrame with the 13 :data:`BOX_COLUMNS` (then any extra columns): ids/codes as str,
        ``Confidence`` and the coordinates as float64, flags as int8. A row is malformed when
        a coordinate is not a number in ``[0, 1]``, ``XMin > XMax`` or ``YMin > YMax``, or a
        flag is not -1/0/1.

    Raises:
        InputError: as :func:`~corpora.formats.image_labels.read_image_labels`.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "bounding boxes")
    dialect = _csv.sniff(path, is_image_labels_header)
    names = _csv.header_names(
        path, dialect, _REQUIRED, optional=[c for c in BOX_COLUMNS if c not in _REQUIRED]
    )
    kinds = {c: _csv.KEY for c in ("ImageID", "Source", "LabelName")}
    kinds.update({c: _csv.NUMBER for c in _NUMBERS})
    kinds.update({c: _csv.FLAG for c in _FLAGS})
    for name in names:  # columns without a check that are not wanted: not converted
        if columns is not None and name not in columns and kinds.get(name) in (None, _csv.KEY):
            if name not in ("ImageID", "LabelName"):
                kinds[name] = _csv.SKIP
    table = _csv.read_table(
        path, dialect, names, kinds, _validate, skip_bad_rows=skip_bad_rows, report=report
    )
    table.count_unknown("LabelName", vocabulary, report)
    report.log()
    extra = [c for c in names if c not in BOX_COLUMNS]
    wanted = list(BOX_COLUMNS) + extra if columns is None else list(columns)
    df = _csv.frame(table, [c for c in wanted if c in names], categorical)
    for col, default in _DEFAULTS.items():
        if col not in names and col in wanted:
            df[col] = _default_column(default, table.n, categorical)
    df = df[wanted]
    df.attrs["read_report"] = report
    return df


def _default_column(default: object, n: int, categorical: bool) -> object:
    if isinstance(default, str):
        values = pd.array([default] * n, dtype="str")
        return pd.Categorical(values) if categorical else values
    dtype = np.float64 if isinstance(default, float) else np.int8
    return np.full(n, default, dtype=dtype)


def _validate(table: _csv.Table) -> None:
    table.mark(table.empty("ImageID"), "empty ImageID")
    table.mark(table.empty("LabelName"), "empty LabelName")
    for col in _NUMBERS:
        if col in table.columns:
            v = table.columns[col]
            table.mark(~((v >= 0.0) & (v <= 1.0)), f"{col} is not a number in [0.0, 1.0]")
    v = table.columns
    table.mark((v["XMin"] > v["XMax"]) | (v["YMin"] > v["YMax"]), "XMin > XMax or YMin > YMax")
    for flag in _FLAGS:
        if flag in table.columns:
            bad = ~np.isin(table.columns[flag], (-1, 0, 1))
            table.mark(bad, f"{flag} is not -1, 0 or 1")
