"""``class-descriptions.csv``: label code -> display name, one label per row.

The Open Images file has no header (``/m/01g317,Person``); other copies (the emoji benchmark)
start with ``label_code,description``. Accepted variants:

* a header, recognised by its first field being one of :data:`HEADER_NAMES` (any case); it
  must have exactly two columns;
* a name containing a comma, quoted (``/m/x,"Seal, animal"``) or not (the fields after the
  code are joined with ``,``);
* UTF-8 with or without BOM, LF or CRLF; blank lines are ignored.

Malformed rows are an :class:`~corpora.errors.InputError` naming file and line, or, with
``skip_bad_rows=True``, counted in the :class:`~corpora.formats.read_report.ReadReport` and
skipped: a row without a name field, an empty code or name, a code seen before. A file
without any label is an error.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from corpora.errors import InputError
from corpora.formats import _csv
from corpora.formats.read_report import ReadReport

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HEADER_NAMES", "read_label_names", "read_class_descriptions"]

#: first fields (lower case) that mark a header row in the Open Images label-code files
HEADER_NAMES = frozenset({"label_code", "labelname", "label_name", "label", "code", "mid"})


def read_label_names(
    path: str | os.PathLike[str],
    *,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> tuple[list[str], list[str]]:
    """Read the vocabulary: ``(codes, names)`` in file order, both stripped.

    Raises:
        InputError: missing file, a header of other than two columns, a malformed row (file
            and line named) unless ``skip_bad_rows``, no label at all.
        CorruptInputError: the file is not UTF-8 CSV.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "label", hint="pass a class-descriptions.csv (code,name)")
    report.path = path
    bad = _csv.BadRows(path, report, skip_bad_rows)
    codes: list[str] = []
    names: list[str] = []
    seen: set[str] = set()
    for i, (line, row) in enumerate(_csv.iter_rows(path)):
        if i == 0 and _csv.header_row(row, HEADER_NAMES):
            if len(row) != 2:
                raise InputError(
                    f"{path} line {line}: expected 2 columns (code, name), header has {row}"
                )
            continue
        if len(row) < 2:
            bad.add(
                line,
                "expected 2 fields (label_code,description)",
                f"{path}:{line}: expected 'label_code,description', got {row!r}; "
                "pass an Open Images class-descriptions.csv",
            )
            continue
        code, name = row[0].strip(), ",".join(row[1:]).strip()
        if not code:
            bad.add(line, "empty LabelName")
        elif not name:
            bad.add(line, "empty DisplayName")
        elif code in seen:
            bad.add(line, "duplicate LabelName")
        else:
            seen.add(code)
            codes.append(code)
            names.append(name)
    bad.check()
    if not codes:
        raise InputError(f"{path}: no labels found; expected 'label_code,description' rows")
    report.rows = len(codes)
    report.log()
    return codes, names


def read_class_descriptions(
    path: str | os.PathLike[str],
    *,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> pd.DataFrame:
    """:func:`read_label_names` as a DataFrame ``[LabelName, DisplayName]`` (both str, file
    order), with the report in ``df.attrs["read_report"]``."""
    import pandas as pd

    report = report if report is not None else ReadReport()
    codes, names = read_label_names(path, skip_bad_rows=skip_bad_rows, report=report)
    df = pd.DataFrame({"LabelName": codes, "DisplayName": names}, dtype=str)
    df.attrs["read_report"] = report
    return df
