"""``classes-trainable.csv``: the trainable label codes, one per line.

Accepted variants: a header (first field one of
:data:`~corpora.formats.class_descriptions.HEADER_NAMES`, e.g. ``label_code``) or none; further
columns only where the header names them.

Malformed rows are an :class:`~corpora.errors.InputError` naming file and line, or, with
``skip_bad_rows=True``, counted in the :class:`~corpora.formats.read_report.ReadReport` and
skipped: more fields than the header (than one without header), an empty code, a code seen
before. Codes outside a given ``vocabulary`` are counted in the report, not dropped. Every CSV
variant of :mod:`corpora.formats._csv` is accepted (``;`` or TAB only with a header).
"""

from __future__ import annotations

import os
from collections.abc import Collection

from corpora.formats import _csv
from corpora.formats.class_descriptions import HEADER_NAMES
from corpora.formats.read_report import ReadReport

__all__ = ["read_classes_trainable"]


def read_classes_trainable(
    path: str | os.PathLike[str],
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> list[str]:
    """Read the trainable codes, in file order.

    Raises:
        InputError: missing file, a malformed row (file and line named) unless
            ``skip_bad_rows``.
        CorruptInputError: the file is not UTF-8 CSV.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "trainable classes")
    report.path = path
    bad = _csv.BadRows(path, report, skip_bad_rows)
    width = 1
    codes: list[str] = []
    seen: set[str] = set()
    table = _csv.CsvFile(path, _csv.first_field_in(HEADER_NAMES))
    if table.has_header and table.first is not None:
        width = len(_csv.clean_header(table.first[1]))
    for line, row in table.rows(width):
        if len(row) > width:
            reason = f"expected {width} field{'s' if width > 1 else ''}, saw {len(row)}"
            bad.add(line, reason, f"{path} line {line}: malformed row ({reason})")
            continue
        code = row[0].strip()
        if not code:
            bad.add(line, "empty LabelName")
        elif code in seen:
            bad.add(line, "duplicate LabelName")
        else:
            seen.add(code)
            codes.append(code)
    bad.check()
    report.rows = len(codes)
    _csv.count_unknown(codes, vocabulary, report)
    report.log()
    return codes
