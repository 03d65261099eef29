"""The ``image_id,labels`` label-set files: tuning labels, solutions, (sample) submissions.

One row per image: its id, then its label codes separated by spaces (possibly none)::

    image_id,labels,Usage
    2b2f44594449326f4e52553d,/m/06ts_6 /m/01g317,Public
    2b38364476612f6c4558383d,,Private

Accepted variants, the same for every file of the family:

* a header, recognised by its first field ``image_id`` (or ``ImageID``, any case). It must name
  a ``labels`` column (or Kaggle's ``PredictionString``); further columns (``Usage`` in the
  competition's solution) are allowed and ignored. Solutions and submissions require the
  header; for tuning labels (none in the competition) it is optional;
* no header: two fields per row, the id and the labels;
* every CSV variant of :mod:`corpora.formats._csv` (UTF-8 with or without BOM, UTF-16, CRLF,
  quoting, Excel's ``sep=`` line, surrounding whitespace, trailing empty fields, blank
  lines); ``;`` or TAB as the delimiter when the header line is written with it (a file
  without header is comma-separated);
* a row holding only the id has no labels; a code repeated in a row counts once.

Malformed rows are an :class:`~corpora.errors.InputError` naming file and line, or, with
``skip_bad_rows=True``, counted in the :class:`~corpora.formats.read_report.ReadReport` and
skipped: more fields than the header names (than 2 without header: labels separated by
commas), an empty id, an id seen before. Codes outside a given ``vocabulary`` are counted in
the report, not dropped.

:func:`write_label_sets` is the one writer (atomic, header ``image_id,labels``).
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpora.atomic import atomic_write
from corpora.errors import InputError
from corpora.formats import _csv
from corpora.formats.read_report import ReadReport

__all__ = [
    "HEADER",
    "read_label_sets",
    "read_tuning_labels",
    "read_solution",
    "read_submission",
    "read_submission_ids",
    "write_label_sets",
    "write_submission",
]

logger = logging.getLogger(__name__)

#: the header written by :func:`write_label_sets`
HEADER = ("image_id", "labels")
#: accepted names (lower case) of the id and of the labels column in a header
ID_NAMES = frozenset({"image_id", "imageid"})
LABELS_NAMES = frozenset({"labels", "predictionstring"})
_ACCEPTED = (ID_NAMES, LABELS_NAMES)
#: a label-set file's header test (for :func:`corpora.formats._csv.sniff`)
is_label_sets_header = _csv.first_field_in(ID_NAMES)


def _columns(path: Path, line: int, fields: list[str]) -> tuple[int, int]:
    """``(id column, labels column)`` of a header row."""
    low = [f.strip().lower() for f in fields]
    names = [f.strip() for f in fields]
    cols = [next((i for i, f in enumerate(low) if f in accepted), -1) for accepted in _ACCEPTED]
    missing = [name for name, col in zip(HEADER, cols) if col < 0]
    if missing:
        raise InputError(
            f"{path} line {line}: header {names} lacks column(s) {missing}; expected a header "
            f"with {list(HEADER)} (only tuning labels may come without a header)"
        )
    if len(set(low)) != len(low):
        raise InputError(f"{path} line {line}: header {names} repeats a column name")
    return cols[0], cols[1]


def read_label_sets(
    path: str | os.PathLike[str],
    *,
    require_header: bool = False,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
    what: str = "label sets",
) -> dict[str, list[str]]:
    """Read a label-set file: image id -> label codes (file order; empty list when none).

    Args:
        path: the CSV file.
        require_header: the first line must be an ``image_id,labels[,...]`` header (solutions,
            submissions); otherwise a header is recognised when present.
        vocabulary: known codes; others are counted in ``report.unknown_codes`` and logged.
        skip_bad_rows: skip (and count) malformed rows instead of raising.
        report: filled in place.
        what: the kind of file, for the message of a missing file.

    Raises:
        InputError: missing file, a header without ``image_id``/``labels``, a malformed row
            (file and line named) unless ``skip_bad_rows``.
        CorruptInputError: the file is not UTF-8 CSV.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, what)
    report.path = path
    bad = _csv.BadRows(path, report, skip_bad_rows)
    id_col, labels_col, width, names = 0, 1, 2, "ImageID,labels"
    out: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    table = _csv.CsvFile(path, is_label_sets_header)
    first = table.first
    if first is None:
        if require_header:
            raise InputError(
                f"{path} line 1: the file is empty; expected a header with {list(HEADER)}"
            )
        rows: Iterator[tuple[int, list[str]]] = iter(())
    elif require_header or table.has_header:
        header = _csv.clean_header(first[1])
        id_col, labels_col = _columns(path, first[0], header)
        width, names = len(header), ",".join(header)
        rows = table.rows(width, after_first=True)
    else:
        rows = table.rows(width, after_first=False)
    for line, row in rows:
        if len(row) > width:
            bad.add(
                line,
                f"expected {width} fields, saw {len(row)}",
                f"{path}, line {line}: expected {width} fields ({names}), got {len(row)}; "
                "separate labels with spaces, not commas",
            )
            continue
        image_id = row[id_col].strip() if id_col < len(row) else ""
        if not image_id:
            bad.add(line, "empty ImageID")
            continue
        if image_id in first_line:
            bad.add(
                line,
                f"duplicate ImageID {image_id!r} (the id appears twice, first on line "
                f"{first_line[image_id]})",
            )
            continue
        first_line[image_id] = line
        codes = row[labels_col].split() if labels_col < len(row) else []
        out[image_id] = list(dict.fromkeys(codes))
    bad.check()
    report.rows = len(out)
    _csv.count_unknown((c for codes in out.values() for c in codes), vocabulary, report)
    report.log()
    return out


def read_tuning_labels(path: str | os.PathLike[str], **kw: Any) -> dict[str, list[str]]:
    """Read ``tuning_labels.csv`` (no header in the competition; one is recognised).

    Same arguments and result as :func:`read_label_sets`.
    """
    return read_label_sets(path, what="tuning labels", **kw)


def read_solution(
    path: str | os.PathLike[str], *, what: str = "solution", **kw: Any
) -> dict[str, list[str]]:
    """Read a solution (``image_id,labels[,Usage]``, header required); see
    :func:`read_label_sets`."""
    return read_label_sets(path, require_header=True, what=what, **kw)


def read_submission(path: str | os.PathLike[str], **kw: Any) -> dict[str, list[str]]:
    """Read a (sample) submission (``image_id,labels``, header required); see
    :func:`read_label_sets`."""
    return read_solution(path, what="submission", **kw)


def read_submission_ids(path: str | os.PathLike[str]) -> list[str]:
    """The image ids of a (sample) submission, in file order."""
    return list(read_submission(path))


def write_label_sets(
    path: str | os.PathLike[str],
    labels: Mapping[str, Sequence[str]],
    order: Sequence[str] | None = None,
    fallback: Sequence[str] | None = None,
) -> Path:
    """Write ``image_id,labels`` atomically (labels space-separated, empty when none).

    Args:
        path: output CSV.
        labels: image id -> codes; written in mapping order unless ``order`` is given.
        order: ids in the required order (a sample submission); every one is written. An id
            without an entry in ``labels`` gets ``fallback`` (error when ``fallback`` is None).
            Ids of ``labels`` not in ``order`` are dropped with a warning.
        fallback: codes for ids that have no prediction.
    Returns:
        the path written.
    """
    ids = list(labels) if order is None else list(order)
    if order is not None:
        missing = [i for i in ids if i not in labels]
        if missing and fallback is None:
            raise InputError(
                f"{len(missing)} ids of the sample submission have no prediction "
                f"(first: {missing[0]!r}); predict every test image or pass a fallback"
            )
        if missing:
            logger.warning("%d ids without a prediction get the fallback labels", len(missing))
        extra = set(labels) - set(ids)
        if extra:
            logger.warning(
                "%d predicted ids are not in the sample submission and are left out (e.g. %s)",
                len(extra),
                sorted(extra)[0],
            )
    with atomic_write(path, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        for image_id in ids:
            row: Any = labels.get(image_id, fallback)
            writer.writerow([image_id, " ".join(row)])
    return Path(path)


#: a Kaggle submission is a label-set file
write_submission = write_label_sets
