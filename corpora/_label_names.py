"""The one parser of Open Images ``class-descriptions.csv`` rows.

Used by the ``labelgraph corpus`` commands and by :class:`labelgraph.LabelVocabulary`
(``corpora`` must not depend on ``labelgraph``, so the parser lives here).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from corpora.errors import CorruptInputError, InputError

__all__ = ["HEADER_WORDS", "read_label_names"]

# First-cell values that mark a header row in Open Images label files.
HEADER_WORDS = frozenset({"label_code", "labelname", "label_name", "code", "label", "mid"})


def read_label_names(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """``(codes, names)`` from a ``label_code,description`` CSV, with or without header."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: label file not found; pass a class-descriptions.csv")
    codes: list[str] = []
    names: list[str] = []
    with open(p, encoding="utf-8-sig", newline="") as fh:
        try:
            for lineno, row in enumerate(csv.reader(fh), 1):
                if not row or not any(cell.strip() for cell in row):
                    continue
                if lineno == 1 and row[0].strip().lower() in HEADER_WORDS:
                    continue
                if len(row) < 2:
                    raise InputError(
                        f"{p}:{lineno}: expected 'label_code,description', got {row!r}; "
                        "pass an Open Images class-descriptions.csv"
                    )
                codes.append(row[0].strip())
                names.append(",".join(row[1:]).strip())
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CorruptInputError(f"{p}: cannot read as UTF-8 CSV: {exc}") from exc
    if not codes:
        raise InputError(f"{p}: no labels found; expected 'label_code,description' rows")
    return codes, names
