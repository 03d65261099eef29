"""The competition metric: F-beta (beta = 2) per image, averaged over the solution's images.

Conventions (the same for the set and the array versions):

* per image, ``F = (1 + b^2) * TP / ((1 + b^2) * TP + b^2 * FN + FP)``;
* an image whose prediction shares no label with the truth scores 0 (including an empty
  prediction for a non-empty truth);
* an image with an empty truth *and* an empty prediction scores **1.0** (the prediction is
  exactly right). An empty truth with a non-empty prediction scores 0. Every image of the
  Inclusive Images solution has at least one label, so this only matters for hand-made data;
* :func:`mean_f2` averages over the *solution's* images: a solution image absent from the
  submission scores 0, submission rows for images not in the solution are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from vision.metrics._arrays import positives_csr, row_counts

__all__ = [
    "fbeta_sets",
    "per_image_fbeta",
    "mean_f2",
    "fbeta_from_counts",
    "per_image_fbeta_arrays",
    "mean_f2_arrays",
]


def fbeta_from_counts(
    tp: np.ndarray, n_pred: np.ndarray, n_true: np.ndarray, beta: float = 2.0
) -> np.ndarray:
    """Vectorised per-image F-beta from counts (any broadcastable shapes).

    Args:
        tp: true positives per image.
        n_pred: number of predicted labels per image.
        n_true: number of true labels per image.
        beta: recall weight (2 = the competition).
    Returns:
        float64 array of F-beta values, 1.0 where ``n_true == n_pred == 0``.
    """
    tp = np.asarray(tp, dtype=np.float64)
    n_pred = np.asarray(n_pred, dtype=np.float64)
    n_true = np.asarray(n_true, dtype=np.float64)
    b2 = beta * beta
    # (1+b2) TP / ((1+b2) TP + b2 FN + FP) with FN = n_true - TP, FP = n_pred - TP
    denom = b2 * n_true + n_pred
    num = (1.0 + b2) * tp
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(denom > 0, num / np.where(denom > 0, denom, 1.0), 1.0)
    return out


def fbeta_sets(true: Iterable[str], pred: Iterable[str], beta: float = 2.0) -> float:
    """F-beta of one image given its true and predicted label sets (duplicates ignored)."""
    t, p = set(true), set(pred)
    return float(fbeta_from_counts(len(t & p), len(p), len(t), beta))


def per_image_fbeta(
    y_true: Mapping[str, Iterable[str]],
    y_pred: Mapping[str, Iterable[str]],
    beta: float = 2.0,
) -> dict[str, float]:
    """F-beta for every image of the solution ``y_true`` (image id -> labels).

    A solution image missing from ``y_pred`` scores 0 when its truth is non-empty (an empty
    prediction), extra ids in ``y_pred`` are ignored.
    """
    return {
        image_id: fbeta_sets(labels, y_pred.get(image_id, ()), beta)
        for image_id, labels in y_true.items()
    }


def mean_f2(y_true: Mapping[str, Iterable[str]], y_pred: Mapping[str, Iterable[str]]) -> float:
    """Mean per-image F2 over the solution's images (the Inclusive Images metric).

    Args:
        y_true: image id -> true labels (the solution).
        y_pred: image id -> predicted labels (the submission).
    Returns:
        The mean F2 in [0, 1]; 0.0 for an empty solution.
    """
    scores = per_image_fbeta(y_true, y_pred, beta=2.0)
    if not scores:
        return 0.0
    return float(np.mean(list(scores.values())))


def per_image_fbeta_arrays(pred: Any, targets: Any, beta: float = 2.0) -> np.ndarray:
    """Per-image F-beta from 0/1 matrices (entries > 0.5 count as positive).

    Both are reduced to their positive entries (:func:`scipy.sparse` stays sparse, dense
    input is read in blocks of rows), so ``[N, L]`` at 7,178 labels costs no dense copy.

    Args:
        pred: predicted labels ``[N, L]`` (bool or 0/1; numpy, scipy.sparse or torch).
        targets: true labels ``[N, L]`` (same forms).
    Returns:
        ``[N]`` float64.
    """
    p, t = positives_csr(pred), positives_csr(targets)
    if p.shape != t.shape:
        raise ValueError(f"pred {p.shape} and targets {t.shape} differ in shape")
    both = p.multiply(t).tocsr()
    both.eliminate_zeros()
    return fbeta_from_counts(row_counts(both), row_counts(p), row_counts(t), beta)


def mean_f2_arrays(pred: Any, targets: Any) -> float:
    """Mean per-image F2 of 0/1 matrices ``pred`` and ``targets`` ``[N, L]``; 0.0 when N = 0."""
    scores = per_image_fbeta_arrays(pred, targets, beta=2.0)
    return float(scores.mean()) if scores.size else 0.0
