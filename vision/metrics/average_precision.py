"""Average precision per label and its mean over labels (mAP)."""

from __future__ import annotations

from typing import Any

import numpy as np

from vision.metrics._arrays import as_bool, as_dense

__all__ = ["average_precision", "mean_average_precision"]


def average_precision(scores: np.ndarray, positives: np.ndarray) -> float:
    """Average precision of one ranking: ``sum_k (R_k - R_{k-1}) * P_k``.

    The operating points are the distinct score values (tied scores enter together, as in
    scikit-learn), visited from the highest score down.

    Args:
        scores: ``[N]`` scores.
        positives: ``[N]`` bool.
    Returns:
        AP in [0, 1]; ``nan`` when there is no positive.
    """
    scores = np.asarray(scores, dtype=np.float64)
    positives = np.asarray(positives, dtype=bool)
    n_pos = int(positives.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], positives[order]
    tp = np.cumsum(y)
    # last index of each run of equal scores = one operating point
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp_at = tp[last].astype(np.float64)
    precision = tp_at / (last + 1)
    recall = tp_at / n_pos
    d_recall = np.diff(np.r_[0.0, recall])
    return float(np.sum(d_recall * precision))


def mean_average_precision(probs: Any, targets: Any, average: str = "macro") -> float:
    """Mean average precision.

    Args:
        probs: scores ``[N, L]``.
        targets: 0/1 truth ``[N, L]`` (dense, sparse or torch).
        average: ``"macro"`` (mean over labels that have at least one positive, default) or
            ``"samples"`` (mean over images that have at least one positive label).
    Returns:
        mAP in [0, 1]; 0.0 when no label (or image) has a positive.
    """
    p = as_dense(probs)
    t = as_bool(targets)
    if p.shape != t.shape:
        raise ValueError(f"probs {p.shape} and targets {t.shape} differ in shape")
    if average == "samples":
        p, t = p.T, t.T
    elif average != "macro":
        raise ValueError(f"average must be 'macro' or 'samples', got {average!r}")
    cols = np.nonzero(t.any(0))[0]
    if len(cols) == 0:
        return 0.0
    return float(np.mean([average_precision(p[:, j], t[:, j]) for j in cols]))
