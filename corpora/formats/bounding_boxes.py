"""Open Images ``train_bounding_boxes.csv``.

Format (header required)::

    ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside

Coordinates are fractions of the image width/height in ``[0, 1]``. ``ImageID, LabelName, XMin,
XMax, YMin, YMax`` are required; ``Source`` (default ``""``), ``Confidence`` (default 1) and the
``Is*`` flags (integers -1/0/1, default -1 = unknown) may be absent.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from corpora.formats import _csv
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


def read_bounding_boxes(
    path: str | Path,
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> pd.DataFrame:
    """Read a bounding-box file.

    Returns:
        DataFrame with the 13 :data:`BOX_COLUMNS`: ids/codes as str, ``Confidence`` and the
        coordinates as float64, flags as int8. A row is malformed when a coordinate is not a
        number in ``[0, 1]``, ``XMin > XMax`` or ``YMin > YMax``, or a flag is not -1/0/1.

    Raises:
        InputError: as :func:`~corpora.formats.image_labels.read_image_labels`.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "bounding boxes")
    kw = {"path": path, "skip_bad_rows": skip_bad_rows, "report": report}
    df, lines = _csv.read_rows(
        path,
        BOX_COLUMNS,
        header=True,
        skip_bad_rows=skip_bad_rows,
        report=report,
        required=_REQUIRED,
        optional=[c for c in BOX_COLUMNS if c not in _REQUIRED],
    )
    if "Source" not in df.columns:
        df["Source"] = ""
    if "Confidence" not in df.columns:
        df["Confidence"] = "1"
    for flag in _FLAGS:
        if flag not in df.columns:
            df[flag] = "-1"
    df, lines = _csv.reject_empty(df, lines, ("ImageID", "LabelName"), **kw)
    for col in ("Confidence", "XMin", "XMax", "YMin", "YMax"):
        df, lines = _csv.to_float(df, lines, col, low=0.0, high=1.0, **kw)
    df, lines = _csv.reject(
        df,
        lines,
        (df["XMin"] > df["XMax"]).to_numpy() | (df["YMin"] > df["YMax"]).to_numpy(),
        "XMin > XMax or YMin > YMax",
        **kw,
    )
    for flag in _FLAGS:
        values = pd.to_numeric(df[flag].str.strip(), errors="coerce")
        bad = ~values.isin([-1, 0, 1]).to_numpy()
        df = df.assign(**{flag: values})
        df, lines = _csv.reject(df, lines, bad, f"{flag} is not -1, 0 or 1", **kw)
        df[flag] = df[flag].astype(np.int8)
    df["Source"] = df["Source"].str.strip()
    extra = [c for c in df.columns if c not in BOX_COLUMNS]
    df = df[list(BOX_COLUMNS) + extra]
    report.rows = len(df)
    _csv.count_unknown(df["LabelName"], vocabulary, report)
    report.log()
    df.attrs["read_report"] = report
    return df
