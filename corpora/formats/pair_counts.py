"""Image co-occurrence counts: ``*_pair_counts.csv`` and the ``*_label_counts.csv`` beside it.

Format (header required)::

    label_a,label_b,images          label,images
    airplane,backpack,46            airplane,2243

The pair file lists label pairs seen together in at least one image; the label file (same
folder, ``pair`` replaced by ``label`` in the name; optional) lists every label with its
image count, so that labels which never co-occur with anything are known too. Every CSV
variant of :mod:`corpora.formats._csv` is accepted (``;`` or TAB when the header is written
with it). Malformed rows (fewer than 3 fields, an image count that is not an integer, an
empty label) are an :class:`~corpora.errors.InputError` naming file and line, or, with
``skip_bad_rows=True``, counted in the :class:`~corpora.formats.read_report.ReadReport` and
skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

from corpora.errors import InputError
from corpora.formats import _csv
from corpora.formats.read_report import ReadReport

__all__ = ["PAIR_HEADER", "read_pair_counts", "label_counts_path"]

PAIR_HEADER = ("label_a", "label_b", "images")


def _is_pair_header(fields: list[str] | tuple[str, ...]) -> bool:
    return [f.strip() for f in fields[:3]] == list(PAIR_HEADER)


def label_counts_path(path: str | os.PathLike[str]) -> Path:
    """The label-count file that belongs to a pair-count file."""
    p = Path(path)
    return p.with_name(p.name.replace("pair_counts", "label_counts"))


def read_pair_counts(
    path: str | os.PathLike[str],
    *,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> tuple[list[str], dict[tuple[str, str], int]]:
    """Read a pair-count file (and its label-count file when present).

    Pairs of a label with itself are ignored; a pair listed twice (in either order) adds up.

    Returns:
        ``(labels, counts)``: the sorted label names (of both files) and
        ``{(a, b): images}`` with ``a < b``.

    Raises:
        InputError: missing file, another header, a malformed row unless ``skip_bad_rows``.
        CorruptInputError: not a CSV file in a supported encoding.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "pair counts")
    report.path = path
    table = _csv.CsvFile(path, _is_pair_header)
    if not table.has_header:
        got = table.first[1] if table.first else None
        raise InputError(
            f"{path}, line {table.first[0] if table.first else 1}: expected the header "
            f"'label_a,label_b,images', got {got!r}"
        )
    bad = _csv.BadRows(path, report, skip_bad_rows)
    counts: dict[tuple[str, str], int] = {}
    labels: set[str] = set()
    for line, row in table.rows(len(_csv.clean_header(table.first[1]))):  # type: ignore[index]
        if len(row) < 3:
            bad.add(
                line,
                f"expected 3 fields, got {len(row)}",
                f"{path}, line {line}: expected 3 fields (label_a,label_b,images), got {row!r}",
            )
            continue
        a, b = row[0].strip(), row[1].strip()
        try:
            n = int(row[2].strip())
        except ValueError:
            bad.add(
                line,
                "image count is not an integer",
                f"{path}, line {line}: image count {row[2]!r} is not an integer",
            )
            continue
        if not a or not b:
            bad.add(line, "empty label")
            continue
        report.rows += 1
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        counts[key] = counts.get(key, 0) + n
        labels.update(key)
    bad.check()
    label_file = label_counts_path(path)
    if label_file != path and label_file.is_file():
        labels.update(_read_label_counts(label_file))
    report.log()
    return sorted(labels), counts


def _read_label_counts(path: Path) -> list[str]:
    """The labels of a ``label,images`` file (header required; its first column)."""
    table = _csv.CsvFile(path, _csv.first_field_in({"label"}))
    rows = table.rows(2, after_first=True)
    return [label for _, row in rows if (label := row[0].strip())]
