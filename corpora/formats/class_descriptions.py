"""``class-descriptions.csv``: label code -> display name, one label per row.

The Open Images file has no header (``/m/01g317,Person``); other copies (the emoji benchmark)
start with ``label_code,description``. Accepted variants:

* a header, recognised by its first field being one of :data:`HEADER_NAMES` (any case); it
  must have exactly two columns;
* a name containing a comma, quoted (``/m/x,"Seal, animal"``) or not (the fields after the
  code are joined with ``,``);
* every CSV variant of :mod:`corpora.formats._csv` (UTF-8 with or without BOM, UTF-16, CRLF,
  ``sep=`` line, whitespace, trailing empty fields, blank lines); ``;`` or TAB only with a
  header written with it (or a ``sep=`` line): without one the file is comma-separated.

Malformed rows are an :class:`~corpora.errors.InputError` naming file and line, or, with
``skip_bad_rows=True``, counted in the :class:`~corpora.formats.read_report.ReadReport` and
skipped: a row without a name field, an empty code or name, a code seen before. A file
without any label is an error.

A file of another shape is refused as a whole (:func:`check_shape`), before any row is taken
for a label, so that a wrong file never becomes a vocabulary of image ids or column names:

* most rows have the same number (3 or more) of fields, and there are 4 or more, or the first
  row looks like a header, or the last field holds numbers or codes: another table (image
  labels, pair counts, a solution file with a ``Usage`` column);
* most rows have no name (a list of codes or ids, a sample submission);
* the second column holds label codes (``/m/01g317``, or several space-separated: a label-set
  file ``image_id,labels``, or swapped columns);
* the first column holds names (words separated by spaces) rather than codes;
* the second column holds numbers in most rows, and the first no label codes (a count table
  such as ``label,images``);
* an unrecognised first row that looks like a header (``image_id,labels``: identifiers made of
  words such as ``image``, ``id``, ``name``, ``source``) in a file of fewer than
  :data:`FEW_LABELS` rows, or whose first field is no code while every other row's is.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from corpora.errors import InputError
from corpora.formats import _csv
from corpora.formats.read_report import ReadReport

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HEADER_NAMES",
    "is_label_code",
    "FEW_LABELS",
    "check_shape",
    "read_label_names",
    "read_class_descriptions",
]

#: first fields (lower case) that mark a header row in the Open Images label-code files
HEADER_NAMES = frozenset({"label_code", "labelname", "label_name", "label", "code", "mid"})

#: a file with fewer rows than this whose first row looks like a header is refused
FEW_LABELS = 20

#: a label code: an Open Images MID (``/m/01g317``, ``/g/11b6...``) or the emoji benchmark's
#: ``/e/f47aea8``
_CODE_RE = re.compile(r"^/[a-z]/[0-9a-z_]+$")
_IDENTIFIER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NUMBER_RE = re.compile(r"^[-+]?\d[\d.,]*$")
#: words that column names of the Open Images and Kaggle CSV files are made of
_HEADER_WORDS = frozenset(
    {
        "id", "ids", "image", "images", "label", "labels", "name", "names", "code", "codes",
        "description", "display", "class", "classes", "source", "confidence", "mid", "count",
        "counts", "prediction", "string", "usage", "category", "tag", "tags", "title", "key",
        "value", "score",
    }
)  # fmt: skip


def _looks_like_header(row: Sequence[str]) -> bool:
    """Every field is an identifier made of column-name words (``image_id``, ``LabelName``)."""
    fields = [f.strip() for f in row]
    if len(fields) < 2 or not all(_IDENTIFIER_RE.match(f) for f in fields):
        return False
    for f in fields:
        parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", f)
        if not any(part.lower() in _HEADER_WORDS for part in parts):
            return False
    return True


def is_label_code(text: str) -> bool:
    """Whether ``text`` is written like a label code: an Open Images MID (``/m/01g317``,
    ``/g/11b6...``) or an emoji benchmark code (``/e/f47aea8``)."""
    return bool(_CODE_RE.match(text.strip()))


def _is_code_list(text: str) -> bool:
    tokens = text.split()
    return bool(tokens) and all(is_label_code(t) for t in tokens)


def check_shape(path: str | os.PathLike[str], rows: Sequence[tuple[int, Sequence[str]]]) -> None:
    """Refuse a file that is no class-descriptions file (see the module docstring).

    Args:
        path: the file, named in the error.
        rows: ``(line, fields)`` of its non-blank rows after a recognised header, in file
            order (a first row that is a header of :data:`HEADER_NAMES` is left out).

    Raises:
        InputError: one line naming the file, what looks wrong, an example line and what
            the file should hold instead.
    """
    if not rows:
        return
    path = Path(path)
    want = "expected label_code,description rows such as '/m/01g317,Person'"
    n = len(rows)

    def most(count: int) -> bool:  # more than half of the rows, and at least 2 of them
        return count >= 2 and 2 * count > n

    def first(pred) -> tuple[int, str]:
        line, row = next((ln, r) for ln, r in rows if pred(r))
        return line, ",".join(row)

    widths = Counter(len(r) for _, r in rows)
    k, with_k = widths.most_common(1)[0]
    data_last = sum(
        bool(_NUMBER_RE.match(r[-1].strip())) or _is_code_list(r[-1])
        for _, r in rows
        if len(r) == k
    )
    # names with unquoted commas also make 3+ fields: a table needs 4+ columns, a header-like
    # first row, or a last column of numbers or codes
    table = k >= 4 or _looks_like_header(rows[0][1]) or most(data_last)
    if k >= 3 and most(with_k) and table:
        line, text = first(lambda r: len(r) == k)
        raise InputError(
            f"{path}: {with_k} of {n} rows have {k} columns (line {line}: {text!r}), not 2; "
            f"this looks like another table, not a class-descriptions file; {want}"
        )
    unnamed = sum(len(r) < 2 or not ",".join(r[1:]).strip() for _, r in rows)
    if most(unnamed):
        line, text = first(lambda r: len(r) < 2 or not ",".join(r[1:]).strip())
        raise InputError(
            f"{path}: {unnamed} of {n} rows have no name (line {line}: {text!r}); is it a list "
            f"of codes or ids (classes-trainable, a sample submission)? {want}"
        )
    pairs = [(ln, r[0].strip(), ",".join(r[1:]).strip()) for ln, r in rows if len(r) >= 2]
    if not pairs:
        return
    code_names = sum(_is_code_list(name) for _, _, name in pairs)
    if most(code_names) or (n == 1 and code_names):
        line, text = first(lambda r: len(r) >= 2 and _is_code_list(",".join(r[1:])))
        raise InputError(
            f"{path}: the second column holds label codes, not names (line {line}: {text!r}); "
            f"is it a label-set file (image_id,labels) or are the columns swapped? {want}"
        )
    spaced = sum(any(ch.isspace() for ch in code) for _, code, _ in pairs)
    if most(spaced):
        line, text = first(lambda r: len(r) >= 2 and any(ch.isspace() for ch in r[0].strip()))
        raise InputError(
            f"{path}: the first column holds names, not label codes (line {line}: {text!r}; a "
            f"code has no spaces); {want}"
        )
    numbers = sum(bool(_NUMBER_RE.match(name)) for _, _, name in pairs)
    coded = sum(is_label_code(code) for _, code, _ in pairs)
    if most(numbers) and not most(coded):  # emoji tags such as "143" have real codes
        line, text = first(
            lambda r: len(r) >= 2 and bool(_NUMBER_RE.match(",".join(r[1:]).strip()))
        )
        raise InputError(
            f"{path}: the second column holds numbers in {numbers} of {n} rows, not names "
            f"(line {line}: {text!r}); is it a count table (label,images)? {want}"
        )
    line, row = rows[0]
    others = [r[0] for _, r in rows[1:]]
    unlike_codes = (
        len(others) >= 2 and all(is_label_code(c) for c in others) and not is_label_code(row[0])
    )
    if _looks_like_header(row) and (n < FEW_LABELS or unlike_codes):
        raise InputError(
            f"{path} line {line}: {','.join(row)!r} looks like a column header, but a "
            f"class-descriptions header starts with one of {', '.join(sorted(HEADER_NAMES))}; "
            f"is it the right file? {want} (if line {line} is a label, put the header "
            "label_code,description above it)"
        )
    if unlike_codes:
        raise InputError(
            f"{path} line {line}: {','.join(row)!r} does not start with a label code, unlike "
            f"every other row (first: {others[0]!r}); if it is a header, start it with one of "
            f"{', '.join(sorted(HEADER_NAMES))}; {want}"
        )


def read_label_names(
    path: str | os.PathLike[str],
    *,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> tuple[list[str], list[str]]:
    """Read the vocabulary: ``(codes, names)`` in file order, both stripped.

    Raises:
        InputError: missing file, a header of other than two columns, a file of another shape
            (:func:`check_shape`), a malformed row (file and line named) unless
            ``skip_bad_rows``, no label at all.
        CorruptInputError: the file is not UTF-8 CSV.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "label", hint="pass a class-descriptions.csv (code,name)")
    report.path = path
    bad = _csv.BadRows(path, report, skip_bad_rows)
    codes: list[str] = []
    names: list[str] = []
    seen: set[str] = set()
    table = _csv.CsvFile(path, _csv.first_field_in(HEADER_NAMES))
    if table.has_header and table.first is not None:
        line, header = table.first[0], _csv.clean_header(table.first[1])
        if len(header) != 2:
            raise InputError(
                f"{path} line {line}: expected 2 columns (code, name), header has {header}"
            )
    delimiter = table.dialect.delimiter
    rows = list(table.rows(2))
    check_shape(path, rows)
    for line, row in rows:
        if len(row) < 2:
            bad.add(
                line,
                "expected 2 fields (label_code,description)",
                f"{path}:{line}: expected 'label_code,description', got {row!r}; "
                "pass an Open Images class-descriptions.csv",
            )
            continue
        code = row[0].strip()
        name = (row[1] if len(row) == 2 else delimiter.join(row[1:])).strip()
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
