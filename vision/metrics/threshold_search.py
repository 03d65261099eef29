"""Search for the single probability threshold that maximises mean per-image F2."""

from __future__ import annotations

from typing import Any

import numpy as np

from vision.metrics._arrays import as_bool, as_dense
from vision.metrics.fbeta import fbeta_from_counts

__all__ = ["DEFAULT_THRESHOLDS", "f2_at_thresholds", "best_global_threshold"]

#: Default grid: 0.005 .. 0.1 in steps of 0.005 (winning thresholds are often low), then
#: 0.11 .. 0.95 in steps of 0.01.
DEFAULT_THRESHOLDS: np.ndarray = np.unique(
    np.round(np.concatenate([np.arange(0.005, 0.1, 0.005), np.arange(0.1, 0.951, 0.01)]), 4)
)


def f2_at_thresholds(
    probs: Any, targets: Any, thresholds: Any = None, beta: float = 2.0
) -> np.ndarray:
    """Mean per-image F-beta for each threshold (label predicted when ``prob >= t``).

    Args:
        probs: scores ``[N, L]`` (probabilities or any monotone score).
        targets: 0/1 truth ``[N, L]`` (dense, sparse or torch).
        thresholds: 1-D grid; default :data:`DEFAULT_THRESHOLDS`.
        beta: recall weight (2 = the competition).
    Returns:
        ``[T]`` float64 mean F-beta per threshold (0.0 each when N = 0).
    """
    p = as_dense(probs, dtype=np.float32)
    t = as_bool(targets)
    if p.shape != t.shape:
        raise ValueError(f"probs {p.shape} and targets {t.shape} differ in shape")
    grid = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if p.shape[0] == 0:
        return np.zeros(len(grid))
    n_true = t.sum(1)
    out = np.empty(len(grid))
    for k, thr in enumerate(grid):
        hit = p >= thr
        tp = np.logical_and(hit, t).sum(1)
        out[k] = fbeta_from_counts(tp, hit.sum(1), n_true, beta).mean()
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
