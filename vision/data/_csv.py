"""Validated CSV reading shared by the annotation readers (private plumbing).

Every file is read with pandas' C parser as strings. Rows with too many fields and rows that
fail a value check are either an :class:`~corpora.errors.InputError` naming the file and the
1-based physical line (header = line 1) or, with ``skip_bad_rows=True``, counted in a
:class:`~vision.data.read_report.ReadReport` and dropped. Fully blank lines are ignored.
Line numbers assume no field contains a quoted newline (true of every Open Images format).
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from corpora.errors import CorruptInputError, InputError
from vision.data.read_report import ReadReport

_SKIP_RE = re.compile(r"Skipping line (\d+): expected \d+ fields, saw (\d+)")
_EXTRA = "__extra_field__"


def check_file(path: str | Path, what: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{what} file {str(path)!r} does not exist; check the path or the data directory"
        )
    return path


def first_fields(path: Path) -> list[str]:
    """The comma-separated fields of the first non-blank line (BOM and quotes stripped)."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for line in fh:
            if line.strip():
                return [f.strip().strip('"').strip() for f in line.rstrip("\r\n").split(",")]
    return []


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
            raise CorruptInputError(
                f"{path}: cannot parse as CSV ({exc}); is it the right file?"
            ) from exc
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
            raise InputError(
                f"{path} line {ln}: malformed row ({why}); {len(bad_lines)} such row(s) in the "
                "file. Fix the file or pass skip_bad_rows=True (--skip-bad-rows) to skip them"
            )
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
        raise InputError(
            f"{path} line {int(lines[idx[0]])}: {reason} (row: {row!r}); {len(idx)} such row(s) "
            "in the file. Fix the file or pass skip_bad_rows=True (--skip-bad-rows) to skip them"
        )
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


def count_unknown(
    codes: Iterable[str] | pd.Series, vocabulary: Collection[str] | None, report: ReadReport
) -> None:
    """Count codes that are not in ``vocabulary`` (no-op without a vocabulary)."""
    if vocabulary is None:
        return
    vocab = vocabulary if isinstance(vocabulary, (set, frozenset, dict)) else set(vocabulary)
    counts = (
        codes.value_counts()
        if isinstance(codes, pd.Series)
        else pd.Series(list(codes)).value_counts()
    )
    for code, n in counts.items():
        if code not in vocab:
            report.unknown_codes[str(code)] += int(n)
