"""Search for the single probability threshold that maximises mean per-image F2.

Scores are read a block of rows at a time and the truth is kept sparse: per row, one pass
sorts every score into the threshold grid (``searchsorted``) and counts predictions at every
threshold at once; true positives come from the positive entries only. Memory is
``O(chunk x L + N x T)``, never a dense copy of the ``[N, L]`` inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vision.metrics._arrays import (
    DEFAULT_CHUNK_ROWS,
    as_matrix,
    dense_rows,
    positives_csr,
    row_blocks,
    row_counts,
)
from vision.metrics.fbeta import fbeta_from_counts

__all__ = [
    "DEFAULT_THRESHOLDS",
    "counts_at_thresholds",
    "f2_at_thresholds",
    "best_global_threshold",
]

#: Default grid: 0.005 .. 0.1 in steps of 0.005 (winning thresholds are often low), then
#: 0.11 .. 0.95 in steps of 0.01.
DEFAULT_THRESHOLDS: np.ndarray = np.unique(
    np.round(np.concatenate([np.arange(0.005, 0.1, 0.005), np.arange(0.1, 0.951, 0.01)]), 4)
)


def _ge_counts(keys: np.ndarray, n_rows: int, n_thr: int) -> np.ndarray:
    """``out[r, k]`` = entries of row ``r`` whose bin is ``>= k + 1`` (``[n_rows, T]``).

    ``keys = row * (T + 1) + bin``, where an entry's bin is how many sorted thresholds are
    ``<= score`` (0..T)."""
    hist = np.bincount(keys, minlength=n_rows * (n_thr + 1)).reshape(n_rows, n_thr + 1)
    ge = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]  # ge[:, v] = entries with bin >= v
    return ge[:, 1:]


def counts_at_thresholds(
    probs: Any,
    positives: Any,
    thresholds: Any,
    *,
    dtype: Any = np.float32,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per image and threshold, the counts the F-beta needs (label predicted when
    ``score >= t``, scores compared after conversion to ``dtype``; NaN is never predicted).

    Args:
        probs: scores ``[N, L]`` (numpy, torch or scipy.sparse).
        positives: 0/1 truth ``[N, L]`` (any form; sparse is best), entries > 0.5 positive.
        thresholds: ``[T]`` candidates, any order.
        dtype: the scores' precision for the comparison (default float32).
        chunk_rows: rows per block.
    Returns:
        ``(tp [N, T], n_pred [N, T], n_true [N])`` int64.
    """
    p = as_matrix(probs)
    t = positives_csr(positives)
    if p.shape != t.shape:
        raise ValueError(f"probs {p.shape} and targets {t.shape} differ in shape")
    grid = np.asarray(thresholds, dtype=np.float64).ravel()
    order = np.argsort(grid, kind="stable")
    sorted_grid = grid[order]
    n, n_thr = p.shape[0], len(grid)
    tp = np.zeros((n, n_thr), dtype=np.int64)
    n_pred = np.zeros((n, n_thr), dtype=np.int64)
    for block in row_blocks(n, chunk_rows):
        pc = dense_rows(p, block, dtype)
        c = pc.shape[0]
        bins = np.searchsorted(sorted_grid, pc, side="right")
        nan = np.isnan(pc)
        if nan.any():
            bins[nan] = 0
        offsets = np.arange(c, dtype=np.int64) * (n_thr + 1)
        bins += offsets[:, None]  # keys: row * (T + 1) + bin
        n_pred[block, order] = _ge_counts(bins.ravel(), c, n_thr)
        tb = t[block]
        pos_rows = np.repeat(np.arange(c, dtype=np.int64), np.diff(tb.indptr))
        tp[block, order] = _ge_counts(bins[pos_rows, tb.indices], c, n_thr)
    return tp, n_pred, row_counts(t)


def f2_at_thresholds(
    probs: Any, targets: Any, thresholds: Any = None, beta: float = 2.0
) -> np.ndarray:
    """Mean per-image F-beta for each threshold (label predicted when ``prob >= t``).

    Args:
        probs: scores ``[N, L]`` (probabilities or any monotone score), compared as float32.
        targets: 0/1 truth ``[N, L]`` (dense, sparse or torch).
        thresholds: 1-D grid; default :data:`DEFAULT_THRESHOLDS`.
        beta: recall weight (2 = the competition).
    Returns:
        ``[T]`` float64 mean F-beta per threshold (0.0 each when N = 0).
    """
    grid = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    tp, n_pred, n_true = counts_at_thresholds(probs, targets, grid, dtype=np.float32)
    if tp.shape[0] == 0:
        return np.zeros(len(grid))
    out = np.empty(len(grid))
    for k in range(len(grid)):
        out[k] = fbeta_from_counts(tp[:, k], n_pred[:, k], n_true, beta).mean()
    return out


def best_global_threshold(probs: Any, targets: Any, thresholds: Any = None) -> tuple[float, float]:
    """The threshold of ``thresholds`` with the highest mean per-image F2, and that F2.

    Ties go to the lowest threshold. See :func:`f2_at_thresholds` for the arguments.
    Returns:
        ``(threshold, mean_f2)``.
    """
    grid = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if len(grid) == 0:
        raise ValueError("best_global_threshold needs at least one candidate threshold")
    scores = f2_at_thresholds(probs, targets, grid)
    k = int(np.argmax(scores))
    return float(grid[k]), float(scores[k])
