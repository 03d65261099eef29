"""CSV reading shared by the format readers (private to :mod:`corpora.formats`).

The one place that decides how a CSV file was written (:func:`sniff`) and reads it, for
every format of :mod:`corpora.formats`. Accepted, whatever the format:

* **encoding**: UTF-8 with or without BOM; UTF-16 or UTF-32 with BOM (Excel's "Unicode
  text"). Anything else is a :class:`~corpora.errors.CorruptInputError` naming the file;
* **line ends** LF, CRLF or CR; RFC 4180 quoting (delimiters, doubled quotes and line breaks
  inside quoted fields);
* **delimiter**: a comma; a semicolon or a TAB when the format's header line, split by it,
  is a header of the format (spreadsheets in locales with a decimal comma export ``;``,
  Excel's "Unicode text" uses TAB); any single character named by an Excel ``sep=X`` first
  line. Files without a header (tuning labels, Open Images class descriptions, trainable
  classes) are comma-separated unless a ``sep=`` line says otherwise. In a file delimited by
  anything but a comma, numbers may use a decimal comma (``0,75``);
* **whitespace** around header names, ids, codes and numbers is ignored;
* **trailing empty fields** (spreadsheets pad every row to the widest one, and write a
  delimiter after the last field) beyond the header's width are dropped, and so are empty
  header names at the end of the header;
* **blank lines**, and lines whose fields are all empty, are skipped anywhere.

Line numbers are 1-based physical lines of the file (a ``sep=`` line is line 1, the header
the next non-blank line).

Two ways in, one policy for bad rows:

* :class:`CsvFile` yields the rows of a small file (label sets, class descriptions,
  trainable classes, pair counts) one by one for readers that look at each row's fields,
  and :class:`BadRows` collects the rows they find malformed;
* :func:`read_table` reads a large table (the Open Images image labels and boxes: tens of
  millions of rows) column by column with pyarrow's CSV reader: ids and codes as integer
  codes into their sorted distinct values, numbers as float64. When the fast columnar pass
  meets anything it cannot take as is (a row with another number of fields than the header,
  a value that is not a number, an empty id, a bad row of any kind), the file is read again
  by a precise row-by-row pass (:mod:`csv`), which names every bad row by its line and
  gives the same values for the good ones. Files without bad rows never take that pass.

A malformed row is an :class:`~corpora.errors.InputError` naming the file, the first bad
line and the number of bad rows, or, with ``skip_bad_rows=True``, counted in a
:class:`~corpora.formats.read_report.ReadReport` and dropped.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpora.errors import CorruptInputError, InputError
from corpora.formats.read_report import ReadReport

if TYPE_CHECKING:  # pandas and pyarrow are imported by the functions that need them
    import pandas as pd
    import pyarrow as pa

logger = logging.getLogger(__name__)

_FIX = "Fix the file or pass skip_bad_rows=True (--skip-bad-rows) to skip them"
#: delimiters told apart by the header line, in order of preference
DELIMITERS = (",", ";", "\t")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SEP_RE = re.compile(r"sep=(.)", re.IGNORECASE)
_SAVE_AS = "save it as UTF-8 CSV (Excel: 'CSV UTF-8 (Comma delimited)')"

HeaderTest = Callable[[Sequence[str]], bool]


def check_file(path: str | Path, what: str, hint: str = "check the path") -> Path:
    """``path`` as a :class:`Path`; :class:`InputError` naming ``what`` when it is no file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} file not found: {str(path)!r} does not exist; {hint}")
    return path


def _unreadable(path: Path, exc: Exception, encoding: str = "utf-8") -> CorruptInputError:
    return CorruptInputError(
        f"{path}: cannot read as {encoding.upper().replace('-SIG', '')} CSV ({exc}); is it the "
        "right file? "
        f"If it is, {_SAVE_AS}"
    )


def _raise_bad(first: str, count: int) -> None:
    raise InputError(f"{first}; {count} such row(s) in the file. {_FIX}")


def _blank(fields: Sequence[str]) -> bool:
    """Every field is empty or whitespace."""
    return not any(fields) or "".join(fields).isspace()


def trim(fields: list[str], width: int) -> list[str]:
    """``fields`` without the empty (or whitespace) fields at its end beyond ``width``: the
    padding and trailing delimiters of spreadsheet exports."""
    end = len(fields)
    while end > width and not fields[end - 1].strip():
        end -= 1
    return fields if end == len(fields) else fields[:end]


def clean_header(fields: Sequence[str]) -> list[str]:
    """Header names stripped, empty names at the end dropped."""
    return [f.strip() for f in trim(list(fields), 0)]


# ---------------------------------------------------------------------- the dialect
@dataclass(frozen=True)
class Dialect:
    """How one CSV file is written (see the module docstring).

    Attributes:
        encoding: a Python codec name: ``utf-8``, ``utf-8-sig`` (BOM), ``utf-16``, ``utf-32``.
        delimiter: the field separator.
        sep_line: the first line is Excel's ``sep=X`` (line 1; not a row).
        first: ``(line, fields)`` of the first non-blank row after it (fields as written), or
            None for a file without rows.
        has_header: ``first`` is a header of the format (the ``is_header`` of :func:`sniff`).
    """

    encoding: str = "utf-8"
    delimiter: str = ","
    sep_line: bool = False
    first: tuple[int, list[str]] | None = None
    has_header: bool = False

    @property
    def decimal_comma(self) -> bool:
        """Whether numbers may be written with a decimal comma (any delimiter but a comma)."""
        return self.delimiter != ","

    def describe(self) -> str:
        names = {",": "comma", ";": "semicolon", "\t": "tab"}
        sep = names.get(self.delimiter, repr(self.delimiter))
        return f"{self.encoding}, {sep}-delimited" + (", sep= line" if self.sep_line else "")


def _encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "utf-8"


def _first_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of the physical lines of ``path``, line ends kept (``\\n``, ``\\r\\n``
    and ``\\r`` alike: the lines :mod:`csv` counts)."""
    with open(path, encoding=encoding, newline="") as fh:
        yield from enumerate(fh, start=1)


def _parse_line(text: str, delimiter: str) -> list[str]:
    return next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter), [])


def sniff(path: str | Path, is_header: HeaderTest | None = None) -> Dialect:
    """The :class:`Dialect` of ``path``: encoding from its BOM, ``sep=`` line, delimiter
    from its first row (a comma unless ``is_header`` accepts the row split by ``;`` or TAB).

    Args:
        is_header: the format's test of a header row (stripped fields); None: the format has
            no header.

    Raises:
        CorruptInputError: the file is not text in a supported encoding.
    """
    path = Path(path)
    encoding = _encoding(path)
    sep_line = False
    delimiter: str | None = None
    first: tuple[int, str] | None = None
    following: str | None = None
    try:
        for line, text in _first_lines(path, encoding):
            body = text.rstrip("\r\n")
            if line == 1:
                m = _SEP_RE.fullmatch(body) or _SEP_RE.fullmatch(body.strip())
                if m:
                    sep_line, delimiter = True, m.group(1)
                    continue
            if body.strip():
                if first is None:
                    first = (line, text)
                else:
                    following = text
                    break
    except UnicodeDecodeError as exc:
        raise _unreadable(path, exc, encoding) from exc
    if first is None:
        return Dialect(encoding, delimiter or ",", sep_line, None, False)
    line, text = first
    if "\x00" in text:
        raise _unreadable(path, ValueError("NUL characters in the text"), encoding)
    candidates = (delimiter,) if delimiter else DELIMITERS
    if is_header is not None:
        for cand in candidates:
            fields = _parse_line(text, cand)
            if is_header(clean_header(fields)):
                if len(fields) == 1 and delimiter is None and following is not None:
                    # a one-column header says nothing: the next row's padding may
                    cand = next((c for c in DELIMITERS if c in following), cand)
                return Dialect(encoding, cand, sep_line, (line, fields), True)
    chosen = delimiter or ","
    return Dialect(encoding, chosen, sep_line, (line, _parse_line(text, chosen)), False)


# ---------------------------------------------------------------------- small files, row by row
class CsvFile:
    """A small CSV file of one format: its :class:`Dialect` and its rows.

    Args:
        path: the file (must exist).
        is_header: the format's header test (stripped fields -> bool); None: no header.
    """

    def __init__(self, path: str | Path, is_header: HeaderTest | None = None) -> None:
        self.path = Path(path)
        self.dialect = sniff(self.path, is_header)

    @property
    def first(self) -> tuple[int, list[str]] | None:
        """``(line, fields)`` of the first non-blank row (the header when there is one)."""
        return self.dialect.first

    @property
    def has_header(self) -> bool:
        return self.dialect.has_header

    def rows(
        self, width: int | None = None, *, after_first: bool | None = None
    ) -> Iterator[tuple[int, list[str]]]:
        """``(line, fields)`` of every non-blank row, fields as written (unstripped).

        Args:
            width: trailing empty fields beyond this many are dropped (:func:`trim`).
            after_first: start after the first row (default: when it is a header).

        Raises:
            CorruptInputError: the file is not text in its encoding, or not CSV.
        """
        d = self.dialect
        skip_first = d.has_header if after_first is None else after_first
        skip_to = d.first[0] if d.first and skip_first else int(d.sep_line)
        cut = width if width is not None else 1 << 30
        line = 1
        try:
            with open(self.path, encoding=d.encoding, newline="") as fh:
                reader = csv.reader(fh, delimiter=d.delimiter)
                for row in reader:
                    start, line = line, reader.line_num + 1
                    if start <= skip_to or not any(row) or "".join(row).isspace():
                        continue  # before the data, or blank
                    if len(row) > cut and not row[-1].strip():
                        row = trim(row, cut)
                    yield start, row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _unreadable(self.path, _at_line(exc, line), d.encoding) from exc


def _at_line(exc: Exception, line: int) -> Exception:
    return type(exc)(f"line {line}: {exc}") if isinstance(exc, csv.Error) else exc


class BadRows:
    """The malformed rows of one file read with :class:`CsvFile`.

    With ``skip_bad_rows`` each is counted in ``report`` at once; otherwise :meth:`check`
    raises one :class:`InputError` naming the first and counting them all.
    """

    def __init__(self, path: Path, report: ReadReport, skip_bad_rows: bool) -> None:
        self.path = path
        self.report = report
        self.skip_bad_rows = skip_bad_rows
        self.count = 0
        self.first: str | None = None

    def add(self, line: int, reason: str, message: str | None = None) -> None:
        """Record the row at ``line``: ``reason`` goes to the report, ``message`` (default
        ``"PATH line N: reason"``) into the error."""
        self.count += 1
        if self.skip_bad_rows:
            self.report.add_bad(line, reason)
        elif self.first is None:
            self.first = message or f"{self.path} line {line}: {reason}"

    def check(self) -> None:
        """Raise for the recorded rows unless they are skipped."""
        if self.count and not self.skip_bad_rows:
            _raise_bad(str(self.first), self.count)


def first_field_in(names: Collection[str]) -> HeaderTest:
    """A header test: the row's first field (stripped, any case) is one of ``names`` (lower
    case)."""
    return lambda fields: bool(fields) and fields[0].strip().lower() in names


# ---------------------------------------------------------------------- large tables (pyarrow)
KEY = "key"  #: ids, codes, sources: stripped; integer codes into the sorted distinct values
TEXT = "text"  #: other text columns: as written; integer codes like KEY
NUMBER = "number"  #: float64; NaN where the field is not a number
FLAG = "flag"  #: int8 -1/0/1; FLAG_INVALID where the field is none of them
SKIP = "skip"  #: a column neither kept nor checked: not converted at all
FLAG_INVALID = 127
#: read every large table row by row (tests compare the two passes with it)
ROW_PASS_ONLY = False
_BATCH_ROWS = 65536  # rows per batch of the row-by-row pass
_BLOCK_BYTES = 1 << 19  # bytes per block of the columnar pass (pyarrow reads a few ahead)
_DTYPES = {KEY: np.int32, TEXT: np.int32, NUMBER: np.float64, FLAG: np.int8}


class _NotFast(Exception):
    """The columnar pass cannot take the file as is; read it row by row."""


@dataclass
class Table:
    """The columns of a large CSV table read by :func:`read_table`.

    Attributes:
        path, dialect: the file and how it is written.
        names: the names of the columns read (all but :data:`SKIP` ones), in file order.
        kinds: name -> :data:`KEY` | :data:`TEXT` | :data:`NUMBER` | :data:`FLAG`.
        n: number of rows (blank rows and rows with a wrong number of fields excluded).
        columns: name -> ``[n]`` array: int32 codes into ``categories[name]`` (KEY, TEXT),
            float64 (NUMBER), int8 (FLAG).
        categories: KEY/TEXT column -> its distinct values, sorted (a pyarrow string array).
        lines: ``[n]`` physical line of each row (row-by-row pass only; None otherwise).
        malformed: ``(line, reason)`` of the rows with a wrong number of fields (row-by-row
            pass only; they are not among the ``n`` rows).
    """

    path: Path
    dialect: Dialect
    names: list[str]
    kinds: dict[str, str]
    n: int = 0
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    categories: dict[str, pa.Array] = field(default_factory=dict)
    lines: np.ndarray | None = None
    malformed: list[tuple[int, str]] = field(default_factory=list)
    _bad: np.ndarray | None = None
    _reasons: list[str] = field(default_factory=lambda: [""])

    # -- checks (the format modules call these in their order: a row's reason is its first)
    def empty(self, name: str) -> np.ndarray:
        """``[n]`` bool: the KEY/TEXT column ``name`` is empty (after stripping) in the row."""
        import pyarrow.compute as pc

        cats = self.categories[name]
        if self.kinds[name] == KEY:  # stripped already
            empty = pc.equal(pc.binary_length(cats), 0)
        else:
            empty = pc.match_substring_regex(cats, _ONLY_SPACE)
        is_empty = empty.to_numpy(zero_copy_only=False).astype(bool)
        if not is_empty.any():
            return np.zeros(self.n, dtype=bool)
        return is_empty[self.columns[name]]

    def mark(self, bad: np.ndarray, reason: str) -> None:
        """Rows where ``bad`` is True and no earlier check failed get ``reason``."""
        bad = np.asarray(bad, dtype=bool)
        if not bad.any():
            return
        if self._bad is None:
            self._bad = np.zeros(self.n, dtype=np.int16)
        self._reasons.append(reason)
        self._bad[bad & (self._bad == 0)] = len(self._reasons) - 1

    @property
    def has_bad(self) -> bool:
        return bool(self.malformed) or (self._bad is not None and bool(self._bad.any()))

    def settle(self, *, skip_bad_rows: bool, report: ReadReport) -> None:
        """Raise for the bad rows (naming the first by line) or count and drop them."""
        if not self.has_bad:
            return
        assert self.lines is not None, "bad rows are named by the row-by-row pass"
        bad_idx = np.flatnonzero(self._bad) if self._bad is not None else np.zeros(0, np.int64)
        found = [(ln, why, True) for ln, why in self.malformed]
        found += [
            (int(self.lines[i]), self._reasons[int(self._bad[i])], False)  # type: ignore[index]
            for i in bad_idx
        ]
        found.sort(key=lambda x: x[0])
        if not skip_bad_rows:
            line, why, malformed = found[0]
            if malformed:
                first = f"{self.path} line {line}: malformed row ({why})"
            else:
                first = f"{self.path} line {line}: {why} (row: {_line_text(self, line)!r})"
            _raise_bad(first, len(found))
        for line, why, _ in found:
            report.add_bad(line, why)
        if len(bad_idx):
            self.take(np.flatnonzero(self._bad == 0))
        self.malformed = []
        self._bad = None

    def take(self, rows: np.ndarray) -> None:
        """Keep only ``rows`` (indices, in this order)."""
        for name in self.columns:
            self.columns[name] = self.columns[name][rows]
        if self.lines is not None:
            self.lines = self.lines[rows]
        if self._bad is not None:
            self._bad = self._bad[rows]
        self.n = len(rows)

    # -- results
    def series(self, name: str, categorical: bool = False) -> Any:
        """Column ``name`` for a DataFrame: str (or Categorical) for KEY/TEXT, the numpy
        values otherwise."""
        import pandas as pd
        import pyarrow as pa

        values = self.columns[name]
        if name not in self.categories:
            return values
        cats = self.categories[name]
        if categorical:
            dtype = pd.CategoricalDtype(pd.Index(pd.array(cats, dtype="str")))
            return pd.Categorical.from_codes(values, dtype=dtype)
        return pd.array(cats.take(pa.array(values)), dtype="str")

    def count_unknown(
        self, name: str, vocabulary: Collection[str] | None, report: ReadReport
    ) -> None:
        """Count rows whose KEY ``name`` is not in ``vocabulary`` (no-op without one)."""
        if vocabulary is None or self.n == 0:
            return
        vocab = vocabulary if isinstance(vocabulary, (set, frozenset, dict)) else set(vocabulary)
        counts = np.bincount(self.columns[name], minlength=len(self.categories[name]))
        for code, n in zip(self.categories[name].to_pylist(), counts.tolist()):
            if n and code not in vocab:
                report.unknown_codes[code] += n


def _line_text(table: Table, line: int) -> str:
    """The text of physical ``line`` of the table's file (for an error message)."""
    for ln, text in _first_lines(table.path, table.dialect.encoding):
        if ln == line:
            return text.rstrip("\r\n")
    return ""


def header_names(
    path: Path,
    dialect: Dialect,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[str]:
    """The header of a large table, ``required`` and ``optional`` names in their canonical
    spelling (matched case-insensitively); :class:`InputError` when the header is missing,
    lacks a required column or repeats a name."""
    if dialect.first is None:
        raise InputError(
            f"{path} line 1: the file is empty; expected a header with {list(required)}"
        )
    line, fields = dialect.first
    canon = {c.lower(): c for c in [*required, *optional]}
    names = [canon.get(c.lower(), c) for c in clean_header(fields)]
    missing = [c for c in required if c not in names]
    if missing:
        raise InputError(
            f"{path} line {line}: header {names} lacks column(s) {missing}; "
            f"expected a header with {list(required)}"
        )
    if len(set(names)) != len(names):
        raise InputError(f"{path} line {line}: header {names} repeats a column name")
    return names


def read_table(
    path: Path,
    dialect: Dialect,
    names: Sequence[str],
    kinds: Mapping[str, str],
    validate: Callable[[Table], None],
    *,
    skip_bad_rows: bool,
    report: ReadReport,
) -> Table:
    """Read a large table with a header (see the module docstring).

    Args:
        dialect: from :func:`sniff` (the header is its first row).
        names: the header's column names (:func:`header_names`).
        kinds: column -> kind (:data:`KEY`, :data:`NUMBER`, :data:`FLAG`, :data:`SKIP` for
            a column the caller neither keeps nor checks; others are :data:`TEXT`).
        validate: applies the format's checks with :meth:`Table.mark`, in order.

    Returns:
        the table without its bad rows (counted in ``report`` with ``skip_bad_rows``).

    Raises:
        InputError: bad rows unless ``skip_bad_rows``.
        CorruptInputError: the file is not text in its encoding, or not CSV.
    """
    report.path = path
    kinds = {n: kinds.get(n, TEXT) for n in names}
    table: Table | None = None
    if not ROW_PASS_ONLY:
        try:
            table = _read_columnar(path, dialect, list(names), kinds)
        except _NotFast as exc:
            logger.info("%s: %s; reading it row by row", path, exc)
        else:
            validate(table)
            if table.has_bad:
                logger.info("%s has bad rows; reading it again row by row to name them", path)
                table = None
    if table is None:
        table = _read_rows(path, dialect, list(names), kinds)
        validate(table)
    table.settle(skip_bad_rows=skip_bad_rows, report=report)
    report.rows = table.n
    return table


def _to_float(values: list[str], decimal_comma: bool) -> np.ndarray:
    """Each string as a float64 (NaN where it is not a number), as ``pandas.to_numeric`` of
    the stripped string reads it; ``0,75`` is 0.75 when ``decimal_comma``."""
    import pandas as pd

    texts = [v.strip() for v in values]
    if decimal_comma:
        texts = [t.replace(",", ".") for t in texts]
    converted = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
    try:
        out = np.asarray(converted, dtype=np.float64)
    except (OverflowError, TypeError, ValueError):
        out = np.array([_float_or_nan(v) for v in converted.tolist()], dtype=np.float64)
    return out + 0.0  # no negative zero


def _float_or_nan(value: Any) -> float:
    try:
        return float(value)
    except (OverflowError, TypeError, ValueError):
        return float("nan")


def _to_flag(values: np.ndarray) -> np.ndarray:
    out = np.full(len(values), FLAG_INVALID, dtype=np.int8)
    ok = np.isin(values, (-1.0, 0.0, 1.0))
    out[ok] = values[ok].astype(np.int8)
    return out


class _Columns:
    """The columns of a table being read batch by batch, written into arrays allocated once
    (for a number of rows estimated from the first batch; grown when needed), so that
    reading takes little more memory than the result. A text column first holds each row's
    entry in its batch's dictionary (batches numbered on); :meth:`table` turns these into
    codes of the sorted distinct values."""

    def __init__(self, path: Path, dialect: Dialect, names: list[str], kinds: dict[str, str]):
        names = [n for n in names if kinds[n] != SKIP]
        self.path, self.dialect, self.names, self.kinds = path, dialect, names, kinds
        self.n = 0
        self.capacity = 0
        self.arrays: dict[str, np.ndarray] = {n: np.zeros(0, _DTYPES[kinds[n]]) for n in names}
        self.dictionaries: dict[str, list[pa.Array]] = {
            n: [] for n in names if kinds[n] in (KEY, TEXT)
        }
        self.entries: dict[str, int] = {n: 0 for n in self.dictionaries}
        self.runs: dict[str, bool] = dict.fromkeys(names, True)  # worth trying runs?

    def encode(self, name: str, array: pa.Array) -> tuple[np.ndarray, pa.Array]:
        """:func:`_encode` for column ``name``; runs are not tried again in a column where
        they did not pay."""
        indices, dictionary, self.runs[name] = _encode(array, self.runs[name])
        return indices, dictionary

    def reserve(self, rows: int, estimate: int = 0) -> None:
        """Make room for ``rows`` more rows (allocating ``estimate`` rows at first)."""
        need = self.n + rows
        if need <= self.capacity:
            return
        capacity = max(need, estimate) if self.capacity == 0 else max(need, self.capacity * 5 // 4)
        for name, array in self.arrays.items():
            grown = np.empty(capacity, dtype=array.dtype)
            grown[: self.n] = array[: self.n]
            self.arrays[name] = grown
        self.capacity = capacity

    def put_entries(self, name: str, start: int, indices: np.ndarray, dictionary: pa.Array) -> None:
        """Rows ``start...`` of KEY/TEXT column ``name``: ``dictionary[indices]``."""
        out = self.arrays[name][start : start + len(indices)]
        np.add(indices, self.entries[name], out=out, casting="unsafe")
        self.dictionaries[name].append(dictionary)
        self.entries[name] += len(dictionary)

    def put_strings(self, name: str, start: int, array: pa.Array) -> None:
        """Rows ``start...`` of any column from strings."""
        indices, dictionary = self.encode(name, array)
        kind = self.kinds[name]
        if kind in (KEY, TEXT):
            self.put_entries(name, start, indices, dictionary)
            return
        numbers = _to_float(dictionary.to_pylist(), self.dialect.decimal_comma)
        if kind == FLAG:
            numbers = _to_flag(numbers)
        self.arrays[name][start : start + len(indices)] = numbers[indices]

    def table(self) -> Table:
        """The finished table: arrays cut to size, entries turned into sorted codes."""
        t = Table(self.path, self.dialect, self.names, self.kinds, n=self.n)
        for name, array in self.arrays.items():
            if len(array) != self.n:
                try:
                    array.resize(self.n, refcheck=False)  # shrinks in place
                except ValueError:
                    array = array[: self.n].copy()
            t.columns[name] = array
        for name, dictionaries in self.dictionaries.items():
            code_of_entry, t.categories[name] = _sorted_codes(dictionaries, self.kinds[name] == KEY)
            codes = t.columns[name]
            for start in range(0, self.n, 1 << 20):  # in place, a block at a time
                block = codes[start : start + (1 << 20)]
                block[:] = code_of_entry[block]
        self.dictionaries = {}
        return t


def _encode(array: pa.Array, runs: bool = True) -> tuple[np.ndarray, pa.Array, bool]:
    """``(indices, dictionary)`` of a string array: with ``runs``, runs of equal values when
    there are few (the Open Images files are sorted by ImageID: comparing neighbours is
    cheaper than hashing), else a hash dictionary. The dictionary may repeat a value. The
    third value says whether runs were used."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(array)
    if runs and n > 1:
        change = pc.not_equal(array.slice(1), array.slice(0, n - 1))
        change = change.to_numpy(zero_copy_only=False)
        if 2 * int(np.count_nonzero(change)) < n:
            starts = np.flatnonzero(change)
            starts += 1
            codes = np.zeros(n, dtype=np.int32)
            codes[starts] = 1
            np.cumsum(codes, out=codes)
            firsts = np.concatenate([np.zeros(1, np.int64), starts])
            return codes, array.take(pa.array(firsts)), True
    enc = array.dictionary_encode()
    return enc.indices.to_numpy(zero_copy_only=False), enc.dictionary, False


#: the characters :meth:`str.strip` removes (``str.isspace``), for pyarrow's regular expressions
_SPACE = "".join(
    f"\\x{{{c:x}}}"
    for c in (
        *range(0x09, 0x0E),
        *range(0x1C, 0x21),
        0x85,
        0xA0,
        0x1680,
        *range(0x2000, 0x200B),
        0x2028,
        0x2029,
        0x202F,
        0x205F,
        0x3000,
    )
)
_SURROUNDING_SPACE = f"^[{_SPACE}]|[{_SPACE}]$"
_ONLY_SPACE = f"^[{_SPACE}]*$"


def _may_have_surrounding_space(values: pa.Array) -> bool:
    """Whether a value may start or end with a character :meth:`str.strip` removes: a cheap
    look at first and last bytes (ASCII controls and space, or a non-ASCII character), then
    the exact regular expression on those values only."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(values):
        return False
    raw = values.cast(pa.large_binary())
    first, last = pc.binary_slice(raw, 0, 1), pc.binary_slice(raw, -1)
    space, high = pa.scalar(b" ", pa.large_binary()), pa.scalar(b"\x80", pa.large_binary())
    suspect = pc.or_(
        pc.or_(pc.less_equal(first, space), pc.greater_equal(first, high)),
        pc.or_(pc.less_equal(last, space), pc.greater_equal(last, high)),
    )
    if not pc.any(suspect).as_py():
        return False
    return bool(
        pc.any(pc.match_substring_regex(values.filter(suspect), _SURROUNDING_SPACE)).as_py()
    )


def _sorted_codes(dictionaries: list[pa.Array], strip: bool) -> tuple[np.ndarray, pa.Array]:
    """``(code of each dictionary entry, sorted distinct values)`` over the concatenated
    ``dictionaries``; values stripped when ``strip``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    everything = pa.concat_arrays(dictionaries) if dictionaries else pa.array([], pa.string())
    n = len(everything)
    head, tail = everything.slice(0, max(n - 1, 0)), everything.slice(1)
    if n > 1 and pc.all(pc.less_equal(head, tail)).as_py():
        # non-decreasing (runs of a sorted file): distinct values by comparing neighbours
        change = pc.not_equal(head, tail).to_numpy(zero_copy_only=False)
        entry = np.zeros(n, dtype=np.int32)
        entry[1:] = change
        np.cumsum(entry, out=entry)
        uniq = everything.filter(pa.array(np.concatenate([[True], change])))
    else:
        enc = everything.dictionary_encode()
        entry = enc.indices.to_numpy(zero_copy_only=False)
        uniq = enc.dictionary
    if strip and _may_have_surrounding_space(uniq):
        enc = pa.array([s.strip() for s in uniq.to_pylist()], pa.string()).dictionary_encode()
        entry = enc.indices.to_numpy(zero_copy_only=False)[entry]
        uniq = enc.dictionary
    if len(uniq) < 2 or pc.all(pc.less(uniq.slice(0, len(uniq) - 1), uniq.slice(1))).as_py():
        return entry.astype(np.int32, copy=False), uniq  # sorted already (a sorted file)
    order = pc.array_sort_indices(uniq).to_numpy(zero_copy_only=False)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank[entry], uniq.take(pa.array(order))


def _read_columnar(path: Path, dialect: Dialect, names: list[str], kinds: dict[str, str]) -> Table:
    """The fast pass: pyarrow's streaming CSV reader; :class:`_NotFast` for anything it cannot
    take as is (then :func:`_read_rows` reads the file)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    assert dialect.first is not None
    line, raw_header = dialect.first
    pads = [f"__pad{i}__" for i in range(len(raw_header) - len(names))]
    arrow_names = [*names, *pads]
    included = [n for n in arrow_names if kinds.get(n, TEXT) != SKIP]
    typed = not dialect.decimal_comma
    types: dict[str, Any] = {}
    for name in included:
        kind = kinds.get(name, TEXT)
        if kind == NUMBER and typed:
            types[name] = pa.float64()
        elif kind == FLAG and typed:
            types[name] = pa.int8()
        else:
            types[name] = pa.string()

    def invalid_row(row: Any) -> str:
        return "error"

    cols = _Columns(path, dialect, names, kinds)
    encoding = "utf8" if dialect.encoding in ("utf-8", "utf-8-sig") else dialect.encoding
    size = path.stat().st_size
    try:
        reader = pacsv.open_csv(
            pa.OSFile(str(path)),
            read_options=pacsv.ReadOptions(
                column_names=arrow_names,
                skip_rows=line,
                encoding=encoding,
                block_size=_BLOCK_BYTES,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect.delimiter,
                newlines_in_values=True,
                ignore_empty_lines=True,
                invalid_row_handler=invalid_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=included,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        with reader:
            for batch in reader:
                rows = batch.num_rows
                cols.reserve(rows, estimate=int(size / _BLOCK_BYTES * rows * 1.02) + rows)
                start = cols.n
                for name, array in zip(included, batch.columns):
                    kind = kinds.get(name, TEXT)
                    if name in pads:
                        if not pc.all(pc.match_substring_regex(array, _ONLY_SPACE)).as_py():
                            raise _NotFast("a row has more fields than the header")
                        continue
                    out = cols.arrays[name][start : start + rows]
                    if kind == NUMBER and typed:
                        out[:] = array.to_numpy(zero_copy_only=False)
                        out += 0.0  # no negative zero
                    elif kind == FLAG and typed:
                        out[:] = pc.fill_null(array, FLAG_INVALID).to_numpy(zero_copy_only=False)
                    elif kind in (NUMBER, FLAG):
                        out[:] = _cast_decimal_comma(*cols.encode(name, array), kind)
                    else:
                        cols.put_entries(name, start, *cols.encode(name, array))
                cols.n += rows
                del batch
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _NotFast(str(exc).splitlines()[0]) from exc
    table = cols.table()
    if table.n and _blank_rows(table).any():
        raise _NotFast("a row has only empty fields")
    return table


def _cast_decimal_comma(indices: np.ndarray, dictionary: pa.Array, kind: str) -> np.ndarray:
    """An encoded string column of a ``;``/TAB file as numbers (``0,75`` = 0.75);
    :class:`_NotFast` when a value is not a plain number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.replace_substring(dictionary, ",", ".")
    try:
        numbers = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False) + 0.0
    except pa.ArrowInvalid as exc:
        raise _NotFast(f"not a plain number ({exc})") from exc
    if kind == FLAG:
        numbers = _to_flag(numbers)
        if (numbers == FLAG_INVALID).any():
            raise _NotFast("a flag is not -1, 0 or 1")
    return numbers[indices]


def _blank_rows(table: Table) -> np.ndarray:
    """Rows whose every column looks empty in the columnar pass."""
    blank = np.ones(table.n, dtype=bool)
    for name in table.names:
        if name in table.categories:
            blank &= table.empty(name)
        elif table.kinds[name] == FLAG:
            blank &= table.columns[name] == FLAG_INVALID
        else:
            blank &= np.isnan(table.columns[name])
        if not blank.any():
            break
    return blank


def _read_rows(path: Path, dialect: Dialect, names: list[str], kinds: dict[str, str]) -> Table:
    """The precise pass: :mod:`csv` row by row, each row's line kept; rows with another
    number of fields than the header are :attr:`Table.malformed`."""
    import pyarrow as pa

    assert dialect.first is not None
    header_line = dialect.first[0]
    width = len(names)
    cols = _Columns(path, dialect, names, kinds)
    lines: list[np.ndarray] = []
    malformed: list[tuple[int, str]] = []
    batch: list[list[str]] = []
    batch_lines: list[int] = []

    stored = [(j, name) for j, name in enumerate(names) if kinds[name] != SKIP]

    def flush() -> None:
        if not batch:
            return
        cols.reserve(len(batch))
        for j, name in stored:
            cols.put_strings(name, cols.n, pa.array([r[j] for r in batch], pa.string()))
        lines.append(np.array(batch_lines, dtype=np.int64))
        cols.n += len(batch)
        batch.clear()
        batch_lines.clear()

    line = 1
    try:
        with open(path, encoding=dialect.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=dialect.delimiter)
            for row in reader:
                start, line = line, reader.line_num + 1
                if start <= header_line or _blank(row):
                    continue
                fields = trim(row, width)
                if len(fields) != width:
                    malformed.append((start, f"expected {width} fields, saw {len(row)}"))
                    continue
                batch.append(fields)
                batch_lines.append(start)
                if len(batch) >= _BATCH_ROWS:
                    flush()
            flush()
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _unreadable(path, _at_line(exc, line), dialect.encoding) from exc
    table = cols.table()
    table.lines = np.concatenate(lines) if lines else np.zeros(0, np.int64)
    table.malformed = malformed
    return table


def frame(table: Table, columns: Sequence[str], categorical: bool = False) -> pd.DataFrame:
    """The table's ``columns`` as a DataFrame (KEY/TEXT columns str, or Categorical); the
    arrays are not copied."""
    import pandas as pd

    return pd.DataFrame({c: table.series(c, categorical) for c in columns}, copy=False)


# ---------------------------------------------------------------------- both
def count_unknown(
    codes: Iterable[str], vocabulary: Collection[str] | None, report: ReadReport
) -> None:
    """Count codes that are not in ``vocabulary`` (no-op without a vocabulary)."""
    if vocabulary is None:
        return
    vocab = vocabulary if isinstance(vocabulary, (set, frozenset, dict)) else set(vocabulary)
    for code, n in Counter(codes).items():
        if code not in vocab:
            report.unknown_codes[str(code)] += int(n)
