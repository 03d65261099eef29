"""Average precision per label and its mean over labels (mAP)."""

from __future__ import annotations

from typing import Any

import numpy as np

from vision.metrics._arrays import as_matrix, dense_columns, dense_rows, positives_csr

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

    The truth is kept sparse and the scores are read a block of labels (or images) at a
    time, as float64: no dense copy of the ``[N, L]`` inputs.

    Args:
        probs: scores ``[N, L]``.
        targets: 0/1 truth ``[N, L]`` (dense, sparse or torch).
        average: ``"macro"`` (mean over labels that have at least one positive, default) or
            ``"samples"`` (mean over images that have at least one positive label).
    Returns:
        mAP in [0, 1]; 0.0 when no label (or image) has a positive.
    """
    if average not in ("macro", "samples"):
        raise ValueError(f"average must be 'macro' or 'samples', got {average!r}")
    p = as_matrix(probs)
    t = positives_csr(targets)
    if p.shape != t.shape:
        raise ValueError(f"probs {p.shape} and targets {t.shape} differ in shape")
    # one ranking per label (macro: a column) or per image (samples: a row)
    lines = t.tocsc() if average == "macro" else t
    which = np.flatnonzero(np.diff(lines.indptr) > 0)
    if len(which) == 0:
        return 0.0
    length = p.shape[0] if average == "macro" else p.shape[1]
    aps = []
    for start in range(0, len(which), _BLOCK):
        part = which[start : start + _BLOCK]
        if average == "macro":
            scores = dense_columns(p, part)
        else:
            scores = np.stack([dense_rows(p, slice(i, i + 1), np.float64)[0] for i in part])
        for k, j in enumerate(part):
            pos = np.zeros(length, dtype=bool)
            pos[lines.indices[lines.indptr[j] : lines.indptr[j + 1]]] = True
            aps.append(average_precision(scores[k], pos))
    return float(np.mean(aps))


#: rankings read per block by :func:`mean_average_precision`
_BLOCK = 64
