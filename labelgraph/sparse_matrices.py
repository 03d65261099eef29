"""Sparse-matrix helpers shared by the graph builders and the graph's users in ``vision``
(never a dense ``[L, L]`` matrix)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "csr_from_triples",
    "symmetrize",
    "top_k_per_row",
    "canonical_csr",
    "upper_to_symmetric",
]


def canonical_csr(m: sp.spmatrix, dtype=np.float32) -> sp.csr_matrix:
    """CSR with summed duplicates, sorted indices, explicit zeros removed, given dtype."""
    m = sp.csr_matrix(m, dtype=dtype)
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    return m


def csr_from_triples(rows, cols, weights, n: int, dtype=np.float32) -> sp.csr_matrix:
    """An ``[n, n]`` CSR matrix from (row, col, weight) triples; duplicates are summed."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    if rows.shape != cols.shape or rows.shape != weights.shape:
        raise ValueError("rows, cols and weights must have the same length")
    if rows.size and (rows.min() < 0 or cols.min() < 0 or rows.max() >= n or cols.max() >= n):
        raise ValueError(f"edge endpoints must lie in [0, {n})")
    return canonical_csr(sp.coo_matrix((weights, (rows, cols)), shape=(n, n)), dtype)


def upper_to_symmetric(m: sp.spmatrix) -> sp.csr_matrix:
    """``U + U.T`` for a strictly upper-triangular matrix (keeps the dtype)."""
    m = sp.csr_matrix(m)
    return (m + m.T).tocsr()


def symmetrize(m: sp.spmatrix, how: str = "max") -> sp.csr_matrix:
    """Make ``m`` symmetric: ``"max"`` (elementwise max of ``m`` and ``m.T``) or ``"mean"``."""
    m = sp.csr_matrix(m)
    if how == "max":
        out = m.maximum(m.T)
    elif how == "mean":
        out = (m + m.T) * 0.5
    else:
        raise ValueError(f"unknown symmetrization {how!r}; use 'max' or 'mean'")
    return canonical_csr(out, m.dtype)


def top_k_per_row(m: sp.spmatrix, k: int | None) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of each row (ties broken by lower column index).

    ``k=None`` or ``k<=0`` keeps everything. The result is generally not symmetric: pass it to
    :func:`symmetrize` to keep an edge when either endpoint ranks it in its top ``k``.
    """
    m = canonical_csr(m, m.dtype if m.dtype.kind == "f" else np.float32)
    if not k or k <= 0:
        return m
    counts = np.diff(m.indptr)
    if counts.max(initial=0) <= k:
        return m
    rows = np.repeat(np.arange(m.shape[0]), counts)
    order = np.lexsort((m.indices, -m.data, rows))  # per row: largest first, then lower column
    rank = np.arange(m.nnz) - m.indptr[rows[order]]
    keep = order[rank < k]
    out = sp.csr_matrix((m.data[keep], (rows[keep], m.indices[keep])), shape=m.shape)
    return canonical_csr(out, m.dtype)
