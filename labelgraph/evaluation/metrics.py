"""Ranking and correlation metrics used by ``labelgraph evaluate``.

All functions are pure numpy/scipy and are checked in the tests against hand computations.
Ties are handled as *expected values under uniformly random tie-breaking*, so a method that
scores many candidates equally (a frequency prior over unseen labels, sparse co-occurrence)
is neither rewarded nor punished by the order in which ties happen to be listed.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy import stats

__all__ = [
    "spearman",
    "roc_auc",
    "tie_aware_rank",
    "expected_recall_at_k",
    "expected_reciprocal_rank",
]

logger = logging.getLogger(__name__)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation of two equally long 1-D arrays (average ranks for ties).

    Returns ``nan`` when fewer than 2 pairs are given or when either side is constant.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(
            f"spearman needs two 1-D arrays of equal length, got {x.shape} and {y.shape}"
        )
    if len(x) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(stats.spearmanr(x, y).statistic)


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve: P(score of a random positive > score of a random negative).

    Ties between a positive and a negative count one half (Mann-Whitney U with average ranks).

    Args:
        scores: ``[N]`` float, higher means "more likely positive".
        positive: ``[N]`` bool.

    Returns:
        AUC in ``[0, 1]``; ``nan`` when there are no positives or no negatives.
    """
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = int(len(positive) - n_pos)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = stats.rankdata(scores)  # average ranks, 1-based
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def tie_aware_rank(
    scores: np.ndarray, target: int, exclude: np.ndarray | None = None
) -> tuple[int, int]:
    """Where ``target`` lands when ``scores`` are sorted in decreasing order.

    Args:
        scores: ``[L]`` float scores over all candidates (``-inf`` allowed).
        target: index of the held-out correct candidate.
        exclude: optional ``[K]`` int indices that are not candidates (the given labels).

    Returns:
        ``(greater, ties)``: how many other candidates score strictly higher than the target,
        and how many other candidates score exactly the same.
    """
    scores = np.asarray(scores, dtype=np.float64)
    s = scores[target]
    mask = np.ones(len(scores), dtype=bool)
    mask[target] = False
    if exclude is not None and len(exclude):
        mask[np.asarray(exclude, dtype=np.int64)] = False
    others = scores[mask]
    greater = int(np.count_nonzero(others > s))
    ties = int(np.count_nonzero(others == s))
    return greater, ties


def expected_recall_at_k(greater: int, ties: int, k: int) -> float:
    """P(target in the top ``k``) when its ``ties`` equals are ordered at random with it.

    The target occupies one of the positions ``greater+1 .. greater+ties+1`` uniformly.
    """
    if greater >= k:
        return 0.0
    return float(min(1.0, (k - greater) / (ties + 1)))


def expected_reciprocal_rank(greater: int, ties: int) -> float:
    """E[1 / rank] when the target's ``ties`` equals are ordered at random with it.

    Equals ``(H(greater + ties + 1) - H(greater)) / (ties + 1)`` with ``H`` the harmonic numbers.
    """
    positions = np.arange(greater + 1, greater + ties + 2, dtype=np.float64)
    return float(np.mean(1.0 / positions))
