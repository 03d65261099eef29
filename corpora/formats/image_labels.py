"""Open Images image-level label files: ``train_human_labels.csv``, ``train_machine_labels.csv``.

Format (header required, any column order, extra columns kept)::

    ImageID,Source,LabelName,Confidence
    000002b66c9c498e,verification,/m/014j1m,1

``Confidence`` is a number in ``[0, 1]``: 0 or 1 for human verification (0 = verified absent),
the classifier's score for machine labels. Every CSV variant of :mod:`corpora.formats._csv`
is accepted (BOM, UTF-16, CRLF, quoting, ``sep=``, ``;`` or TAB with decimal commas,
whitespace, trailing empty fields, blank lines). Malformed rows (another number of fields
than the header, an empty ``ImageID``/``LabelName``, a ``Confidence`` that is not a number
in ``[0, 1]``) are an :class:`~corpora.errors.InputError` naming file and line, or, with
``skip_bad_rows=True``, counted in the :class:`~corpora.formats.read_report.ReadReport` and
skipped. Read column by column (pyarrow); see :func:`corpora.formats._csv.read_table`.
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
    categorical: bool = False,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read an ``ImageID,Source,LabelName,Confidence`` file.

    Args:
        path: the CSV file.
        vocabulary: known label codes; rows with other codes are kept but counted in
            ``report.unknown_codes`` and logged with their counts.
        skip_bad_rows: skip (and count) malformed rows instead of raising.
        report: filled in place; also available as ``df.attrs["read_report"]``.
        categorical: ``ImageID``, ``Source``, ``LabelName`` (and extra columns) as pandas
            Categoricals over their sorted distinct values instead of str (integer codes: a
            fraction of the memory at Open Images scale).
        columns: keep only these columns (every column is still checked).

    Returns:
        DataFrame with ``ImageID`` (str), ``Source`` (str), ``LabelName`` (str), ``Confidence``
        (float64 in ``[0, 1]``) plus any extra columns, in file order.

    Raises:
        InputError: missing file, wrong header, or a malformed row (file and line named)
            unless ``skip_bad_rows``.
        CorruptInputError: not a CSV file in a supported encoding.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, what)
    dialect = _csv.sniff(path, is_image_labels_header)
    names = _csv.header_names(path, dialect, LABEL_COLUMNS)
    kinds = {"ImageID": _csv.KEY, "Source": _csv.KEY, "LabelName": _csv.KEY}
    kinds["Confidence"] = _csv.NUMBER
    for name in names:  # columns without a check that are not wanted: not converted
        if columns is not None and name not in columns and name not in _CHECKED:
            kinds[name] = _csv.SKIP
    table = _csv.read_table(
        path,
        dialect,
        names,
        kinds,
        _validate,
        skip_bad_rows=skip_bad_rows,
        report=report,
    )
    table.count_unknown("LabelName", vocabulary, report)
    report.log()
    df = _csv.frame(table, names if columns is None else list(columns), categorical)
    df.attrs["read_report"] = report
    logger.debug("read %d rows from %s (%s)", table.n, path, dialect.describe())
    return df


_CHECKED = ("ImageID", "LabelName", "Confidence")


def _validate(table: _csv.Table) -> None:
    table.mark(table.empty("ImageID"), "empty ImageID")
    table.mark(table.empty("LabelName"), "empty LabelName")
    conf = table.columns["Confidence"]
    table.mark(~((conf >= 0.0) & (conf <= 1.0)), "Confidence is not a number in [0.0, 1.0]")


def positive_label_sets(df: pd.DataFrame) -> dict[str, list[str]]:
    """Image id -> its positive codes (``Confidence > 0``), in first-seen order without
    repeats, from a frame of :func:`read_image_labels`."""
    pos = df.loc[df["Confidence"] > 0, ["ImageID", "LabelName"]].drop_duplicates()
    out: dict[str, list[str]] = {}
    for image, code in zip(
        pos["ImageID"].astype(str).tolist(), pos["LabelName"].astype(str).tolist()
    ):
        out.setdefault(image, []).append(code)
    return out


def read_human_labels(path: str | Path, **kw) -> pd.DataFrame:
    """Read ``train_human_labels.csv`` (see :func:`read_image_labels` for arguments)."""
    return read_image_labels(path, what="human labels", **kw)


def read_machine_labels(path: str | Path, **kw) -> pd.DataFrame:
    """Read ``train_machine_labels.csv`` (see :func:`read_image_labels` for arguments)."""
    return read_image_labels(path, what="machine labels", **kw)
