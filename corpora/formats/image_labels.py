"""Open Images image-level label files: ``train_human_labels.csv``, ``train_machine_labels.csv``.

Format (header required, any column order, extra columns kept)::

    ImageID,Source,LabelName,Confidence
    000002b66c9c498e,verification,/m/014j1m,1

``Confidence`` is a number in ``[0, 1]``: 0 or 1 for human verification (0 = verified absent),
the classifier's score for machine labels. UTF-8 with or without BOM, LF or CRLF, quoting;
blank lines are ignored. Malformed rows (too many fields, an empty ``ImageID``/``LabelName``,
a ``Confidence`` that is not a number in ``[0, 1]``) are an
:class:`~corpora.errors.InputError` naming file and line, or, with ``skip_bad_rows=True``,
counted in the :class:`~corpora.formats.read_report.ReadReport` and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd

from corpora.formats import _csv
from corpora.formats.read_report import ReadReport

__all__ = [
    "LABEL_COLUMNS",
    "is_image_labels_header",
    "positive_label_sets",
    "read_human_labels",
    "read_image_labels",
    "read_machine_labels",
]

logger = logging.getLogger(__name__)

LABEL_COLUMNS = ("ImageID", "Source", "LabelName", "Confidence")


def is_image_labels_header(fields: Sequence[str]) -> bool:
    """Whether a file's first row (its fields) is this format's header: it names ``ImageID``
    and ``LabelName`` (any case)."""
    low = {f.strip().lower() for f in fields}
    return {"imageid", "labelname"} <= low


def read_image_labels(
    path: str | Path,
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
    what: str = "image-level labels",
) -> pd.DataFrame:
    """Read an ``ImageID,Source,LabelName,Confidence`` file.

    Args:
        path: the CSV file.
        vocabulary: known label codes; rows with other codes are kept but counted in
            ``report.unknown_codes`` and logged with their counts.
        skip_bad_rows: skip (and count) malformed rows instead of raising.
        report: filled in place; also available as ``df.attrs["read_report"]``.

    Returns:
        DataFrame with ``ImageID`` (str), ``Source`` (str), ``LabelName`` (str), ``Confidence``
        (float64 in ``[0, 1]``) plus any extra columns, in file order.

    Raises:
        InputError: missing file, wrong header, or a malformed row (file and line named)
            unless ``skip_bad_rows``.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, what)
    kw = {"path": path, "skip_bad_rows": skip_bad_rows, "report": report}
    df, lines = _csv.read_rows(
        path,
        LABEL_COLUMNS,
        header=True,
        skip_bad_rows=skip_bad_rows,
        report=report,
        required=LABEL_COLUMNS,
    )
    df, lines = _csv.reject_empty(df, lines, ("ImageID", "LabelName"), **kw)
    df, lines = _csv.to_float(df, lines, "Confidence", low=0.0, high=1.0, **kw)
    df["Source"] = df["Source"].str.strip()
    report.rows = len(df)
    _csv.count_unknown(df["LabelName"], vocabulary, report)
    report.log()
    df.attrs["read_report"] = report
    logger.debug("read %d rows from %s", len(df), path)
    return df


def positive_label_sets(df: pd.DataFrame) -> dict[str, list[str]]:
    """Image id -> its positive codes (``Confidence > 0``), in first-seen order without
    repeats, from a frame of :func:`read_image_labels`."""
    pos = df.loc[df["Confidence"] > 0, ["ImageID", "LabelName"]].drop_duplicates()
    out: dict[str, list[str]] = {}
    for image, code in zip(pos["ImageID"].tolist(), pos["LabelName"].tolist()):
        out.setdefault(image, []).append(code)
    return out


def read_human_labels(path: str | Path, **kw) -> pd.DataFrame:
    """Read ``train_human_labels.csv`` (see :func:`read_image_labels` for arguments)."""
    return read_image_labels(path, what="human labels", **kw)


def read_machine_labels(path: str | Path, **kw) -> pd.DataFrame:
    """Read ``train_machine_labels.csv`` (see :func:`read_image_labels` for arguments)."""
    return read_image_labels(path, what="machine labels", **kw)
