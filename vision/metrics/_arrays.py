"""Private helpers: turn score/target inputs (dense, sparse, torch) into numpy arrays.

``[N, L]`` inputs can be large (32,580 test images x 7,178 labels = 234 M entries, 0.94 GB
as float32): the helpers below read them a block of rows at a time (:func:`row_blocks`,
:func:`dense_rows`) and keep 0/1 truth as a boolean CSR matrix (:func:`positives_csr`), so
no dense float64 copy of a whole matrix is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "as_bool",
    "as_dense",
    "as_matrix",
    "dense_columns",
    "dense_rows",
    "positives_csr",
    "row_blocks",
    "row_counts",
]

#: rows per block of the chunked ``[N, L]`` computations (1,024 x 7,178 float64 = 59 MB)
DEFAULT_CHUNK_ROWS = 1024


def as_dense(x: Any, dtype: Any = np.float64) -> np.ndarray:
    """Return ``x`` (numpy, scipy.sparse or torch tensor, 2-D) as a dense numpy array."""
    if sp.issparse(x):
        x = x.toarray()
    elif hasattr(x, "detach"):  # torch.Tensor without importing torch
        x = x.detach().cpu().numpy()
    arr = np.asarray(x, dtype=dtype)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D [N, L] array, got shape {arr.shape}")
    return arr


def as_bool(x: Any) -> np.ndarray:
    """Return ``x`` as a dense boolean ``[N, L]`` array (non-zero / > 0.5 means positive)."""
    arr = as_dense(x, dtype=np.float64)
    return arr > 0.5


def as_matrix(x: Any) -> np.ndarray | sp.spmatrix | sp.sparray:
    """``x`` as a 2-D numpy array (no copy when it is one, or a CPU torch tensor) or a scipy
    sparse matrix (kept sparse)."""
    if sp.issparse(x):
        return x
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D [N, L] array, got shape {arr.shape}")
    return arr


def row_blocks(n: int, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[slice]:
    """Consecutive row slices of at most ``chunk_rows`` covering ``range(n)``."""
    step = max(1, int(chunk_rows))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def dense_rows(x: Any, rows: slice, dtype: Any = None) -> np.ndarray:
    """Rows ``rows`` of ``x`` (see :func:`as_matrix`) as a dense array of ``dtype`` (default:
    the input's; a view when nothing needs converting)."""
    block = x[rows]
    if sp.issparse(block):
        block = block.toarray()
    return np.asarray(block, dtype=dtype)


def dense_columns(x: Any, cols: np.ndarray, dtype: Any = np.float64) -> np.ndarray:
    """Columns ``cols`` of ``x`` as a C-contiguous ``[len(cols), N]`` array of ``dtype``
    (column ``k`` of the input is row ``k`` of the output)."""
    block = x[:, cols]
    if sp.issparse(block):
        block = block.toarray()
    return np.ascontiguousarray(np.asarray(block, dtype=dtype).T)


def positives_csr(x: Any, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> sp.csr_matrix:
    """The positives of ``x`` (entries > 0.5, as :func:`as_bool`) as a boolean CSR matrix with
    sorted indices and only ``True`` entries stored.

    Sparse input stays sparse (duplicate entries are summed first, as ``toarray`` would);
    dense input is read ``chunk_rows`` rows at a time.
    """
    x = as_matrix(x)
    n, n_labels = x.shape
    if sp.issparse(x):
        m = sp.csr_matrix(x, copy=True)
        m.sum_duplicates()  # also sorts the indices of every row
        keep = np.asarray(m.data > 0.5)
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(m.indptr))[keep]
        cols = m.indices[keep]
    else:
        rows_parts, cols_parts = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for block in row_blocks(n, chunk_rows):
            r, c = np.nonzero(np.asarray(x[block]) > 0.5)
            rows_parts.append(r + block.start)
            cols_parts.append(c)
        rows, cols = np.concatenate(rows_parts), np.concatenate(cols_parts)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    out = sp.csr_matrix((np.ones(len(cols), dtype=bool), cols, indptr), shape=(n, n_labels))
    out.has_sorted_indices = True
    return out


def row_counts(m: sp.csr_matrix) -> np.ndarray:
    """Stored entries per row of a CSR matrix ``[N]`` int64."""
    return np.diff(m.indptr).astype(np.int64)
