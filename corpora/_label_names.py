"""Minimal reader of Open Images ``class-descriptions.csv`` for the corpus CLI.

(The full label vocabulary is :class:`labelgraph.LabelVocabulary`; ``corpora`` must not
depend on ``labelgraph``, so the ``labelgraph corpus`` commands use this small reader.)
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from corpora.errors import InputError

__all__ = ["read_label_names"]

_HEADER_WORDS = {"label_code", "labelname", "label_name", "code", "label", "mid"}


def read_label_names(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """``(codes, names)`` from a ``label_code,description`` CSV, with or without header."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: label file not found; pass a class-descriptions.csv")
    codes: list[str] = []
    names: list[str] = []
    with open(p, encoding="utf-8-sig", newline="") as fh:
        for lineno, row in enumerate(csv.reader(fh), 1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if lineno == 1 and row[0].strip().lower() in _HEADER_WORDS:
                continue
            if len(row) < 2:
                raise InputError(
                    f"{p}:{lineno}: expected 'label_code,description', got {','.join(row)!r}"
                )
            codes.append(row[0].strip())
            names.append(",".join(row[1:]).strip())
    if not codes:
        raise InputError(f"{p}: holds no labels (expected 'label_code,description' rows)")
    return codes, names
