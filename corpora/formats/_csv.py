"""Validated CSV reading shared by the format readers (private to :mod:`corpora.formats`).

Every reader accepts UTF-8 with or without a BOM, LF or CRLF line ends and RFC 4180 quoting,
and ignores fully blank lines. Line numbers are 1-based physical lines (a header is line 1).
Two ways in, one policy for bad rows:

* :func:`read_rows` reads a large table (the Open Images image labels and boxes: millions of
  rows) with pandas' C parser, as strings; :func:`reject` and :func:`to_float` then drop the
  rows that fail a vectorised check;
* :func:`iter_rows` yields the rows of a small file (label sets, class descriptions, trainable
  classes) one by one with the :mod:`csv` module, for readers that look at each row's
  fields, and :class:`BadRows` collects the rows they find malformed.

A malformed row is an :class:`~corpora.errors.InputError` naming the file, the line and the
number of such rows, or, with ``skip_bad_rows=True``, counted in a
:class:`~corpora.formats.read_report.ReadReport` and dropped.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from corpora.errors import CorruptInputError, InputError
from corpora.formats.read_report import ReadReport

if TYPE_CHECKING:  # pandas is imported by the functions that need it (large tables only)
    import pandas as pd

_SKIP_RE = re.compile(r"Skipping line (\d+): expected \d+ fields, saw (\d+)")
_EXTRA = "__extra_field__"
_FIX = "Fix the file or pass skip_bad_rows=True (--skip-bad-rows) to skip them"


def check_file(path: str | Path, what: str, hint: str = "check the path") -> Path:
    """``path`` as a :class:`Path`; :class:`InputError` naming ``what`` when it is no file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} file not found: {str(path)!r} does not exist; {hint}")
    return path


def _unreadable(path: Path, exc: Exception) -> CorruptInputError:
    return CorruptInputError(f"{path}: cannot read as UTF-8 CSV ({exc}); is it the right file?")


def _raise_bad(first: str, count: int) -> None:
    raise InputError(f"{first}; {count} such row(s) in the file. {_FIX}")


# ---------------------------------------------------------------------- small files, row by row
def iter_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` of every non-blank row of ``path`` (fields as written, unstripped).

    Raises:
        CorruptInputError: the file is not UTF-8 or not CSV.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            line = 1
            for row in reader:
                start, line = line, reader.line_num + 1
                if any(cell.strip() for cell in row):
                    yield start, row
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from exc


class BadRows:
    """The malformed rows of one file read with :func:`iter_rows`.

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


def header_row(first: Sequence[str] | None, names: Collection[str]) -> bool:
    """Whether a file's first non-blank row is a header: its first field (stripped, any case)
    is one of ``names`` (lower case)."""
    return bool(first) and first[0].strip().lower() in names


# ---------------------------------------------------------------------- large tables (pandas)
def _header_fields(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
    row = next(csv.reader([first.rstrip("\r\n")]), [])
    return [f.strip() for f in row]


def read_rows(
    path: Path,
    columns: Sequence[str],
    *,
    header: bool,
    skip_bad_rows: bool,
    report: ReadReport,
    required: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> tuple[pd.DataFrame, np.ndarray]:
    """Read ``path`` as strings; return the frame and each row's physical line number.

    Args:
        columns: column names when ``header`` is False (the file's own field order).
        header: whether line 1 is a header; then ``required`` columns must appear in it
            (case-insensitive; extra columns are kept) and ``optional`` ones are renamed to
            their canonical spelling when present.
    """
    import pandas as pd

    report.path = path
    if header:
        canon = {c.lower(): c for c in list(required) + list(optional)}
        names = [canon.get(c.lower(), c) for c in _header_fields(path)]
        if not any(names):
            raise InputError(
                f"{path} line 1: the file is empty; expected a header with {list(required)}"
            )
        missing = [c for c in required if c not in names]
        if missing:
            raise InputError(
                f"{path} line 1: header {names} lacks column(s) {missing}; "
                f"expected a header with {list(required)}"
            )
        if len(set(names)) != len(names):
            raise InputError(f"{path} line 1: header {names} repeats a column name")
    else:
        names = list(columns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                on_bad_lines="warn",
                header=None,
                skiprows=1 if header else 0,
                names=[*names, _EXTRA],
                index_col=False,
                encoding="utf-8-sig",
            )
        except pd.errors.EmptyDataError:
            df = pd.DataFrame({c: pd.Series([], dtype=str) for c in [*names, _EXTRA]})
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise _unreadable(path, exc) from exc
    bad_lines: list[tuple[int, str]] = []
    for w in caught:
        for m in _SKIP_RE.finditer(str(w.message)):
            bad_lines.append((int(m.group(1)), f"expected {len(names)} fields, saw {m.group(2)}"))
    first = 2 if header else 1
    bad_set = {ln for ln, _ in bad_lines}
    total = len(df) + len(bad_set)
    lines = np.arange(first, first + total, dtype=np.int64)
    if bad_set:
        lines = lines[~np.isin(lines, np.fromiter(bad_set, dtype=np.int64))]
    if len(lines) != len(df):  # quoted newlines: fall back to row positions
        lines = np.arange(first, first + len(df), dtype=np.int64)
    extra = (df[_EXTRA] != "").to_numpy()
    for i in np.flatnonzero(extra):
        bad_lines.append((int(lines[i]), f"expected {len(names)} fields, saw {len(names) + 1}"))
    bad_lines.sort()
    if bad_lines:
        if not skip_bad_rows:
            ln, why = bad_lines[0]
            _raise_bad(f"{path} line {ln}: malformed row ({why})", len(bad_lines))
        for ln, why in bad_lines:
            report.add_bad(ln, why)
    df = df.drop(columns=[_EXTRA])
    blank = (df == "").all(axis=1).to_numpy() if len(df.columns) else np.zeros(len(df), bool)
    drop = blank | extra
    if drop.any():
        df = df.loc[~drop].reset_index(drop=True)
        lines = lines[~drop]
    return df, lines


def reject(
    df: pd.DataFrame,
    lines: np.ndarray,
    bad: np.ndarray | pd.Series,
    reason: str,
    *,
    path: Path,
    skip_bad_rows: bool,
    report: ReadReport,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop rows where ``bad`` is True (counting them) or raise naming the first one."""
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return df, lines
    idx = np.flatnonzero(bad)
    if not skip_bad_rows:
        row = ",".join(str(v) for v in df.iloc[idx[0]].tolist())
        _raise_bad(f"{path} line {int(lines[idx[0]])}: {reason} (row: {row!r})", len(idx))
    for i in idx:
        report.add_bad(int(lines[i]), reason)
    keep = ~bad
    return df.loc[keep].reset_index(drop=True), lines[keep]


def reject_empty(
    df: pd.DataFrame, lines: np.ndarray, cols: Iterable[str], **kw
) -> tuple[pd.DataFrame, np.ndarray]:
    for col in cols:
        df, lines = reject(df, lines, (df[col].str.strip() == "").to_numpy(), f"empty {col}", **kw)
        df[col] = df[col].str.strip()
    return df, lines


def reject_duplicates(
    df: pd.DataFrame, lines: np.ndarray, col: str, **kw
) -> tuple[pd.DataFrame, np.ndarray]:
    return reject(df, lines, df[col].duplicated().to_numpy(), f"duplicate {col}", **kw)


def to_float(
    df: pd.DataFrame,
    lines: np.ndarray,
    col: str,
    *,
    low: float | None = None,
    high: float | None = None,
    **kw,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Convert ``col`` to float64; non-numbers and values outside ``[low, high]`` are bad rows."""
    import pandas as pd

    values = pd.to_numeric(df[col].str.strip(), errors="coerce")
    bad = values.isna().to_numpy().copy()
    if low is not None:
        bad |= (values < low).to_numpy()
    if high is not None:
        bad |= (values > high).to_numpy()
    rng = f" in [{low}, {high}]" if low is not None and high is not None else ""
    df = df.assign(**{col: values})
    df, lines = reject(df, lines, bad, f"{col} is not a number{rng}", **kw)
    df[col] = df[col].astype(np.float64)
    return df, lines


# ---------------------------------------------------------------------- both
def count_unknown(
    codes: Iterable[str] | pd.Series, vocabulary: Collection[str] | None, report: ReadReport
) -> None:
    """Count codes that are not in ``vocabulary`` (no-op without a vocabulary)."""
    if vocabulary is None:
        return
    vocab = vocabulary if isinstance(vocabulary, (set, frozenset, dict)) else set(vocabulary)
    value_counts = getattr(codes, "value_counts", None)  # a pandas Series: counted in C
    counts = value_counts().items() if value_counts is not None else Counter(codes).items()
    for code, n in counts:
        if code not in vocab:
            report.unknown_codes[str(code)] += int(n)
