"""Neighbour-borrowed thresholds: labels with few tuning positives borrow from graph neighbours.

With ~100 tuning images most labels have zero or one positive, so their fitted threshold is
mostly the global one (or the unseen-label default). A label's graph neighbours with tuning
positives say more: related labels tend to be scored alike by the model. Hierarchical
shrinkage adds the neighbours' threshold as a second target with pseudo-count ``kappa``::

    t_nbr_j = sum_a w_ja t_a / sum_a w_ja         over j's neighbours a with n_a >= 1
    t'_j    = ((n_j + s) t_j + kappa t_nbr_j) / (n_j + s + kappa)     when n_j < few_positives

``t_j = (n_j fitted_j + s global) / (n_j + s)`` is the threshold of
:func:`~vision.adapt.thresholds.fit_class_thresholds` (shrinkage ``s``; a label without
positives has ``t_j`` = the unseen-label threshold, weighted ``s``), ``n_j`` its tuning
positives, ``w_ja`` the graph's edge weights (PMI, nats; the ``max_edges`` strongest
neighbours with positives). A label without such a neighbour keeps ``t_j``; ``kappa = 0``
returns the thresholds unchanged (the same array), and ``kappa -> inf`` gives ``t_nbr_j``.
One step: the neighbours' thresholds are their own, not borrowed ones.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["borrow_thresholds", "neighbour_thresholds"]


def neighbour_thresholds(
    thresholds: np.ndarray, positives: np.ndarray, edges: sp.csr_matrix, max_edges: int = 50
) -> np.ndarray:
    """``t_nbr`` ``[L]`` float64: the edge-weighted mean threshold of each label's neighbours
    that have tuning positives (NaN for a label without such a neighbour).

    Args:
        thresholds: ``[L]`` per-class thresholds ``t``.
        positives: ``[L]`` tuning positives ``n`` per label.
        edges: ``[L, L]`` non-negative edge weights (row ``j``: ``j``'s neighbours).
        max_edges: the strongest ``max_edges`` neighbours with positives count (0: all) [50].
    """
    from labelgraph.sparse_matrices import top_k_per_row  # the graph's package

    has = (np.asarray(positives) > 0).astype(np.float32)
    w = top_k_per_row(sp.csr_matrix(edges) @ sp.diags(has), max_edges).astype(np.float64)
    w.eliminate_zeros()
    total = np.asarray(w.sum(axis=1)).ravel()
    num = w @ np.asarray(thresholds, dtype=np.float64)
    out = np.full(len(total), np.nan)
    ok = total > 0
    out[ok] = num[ok] / total[ok]
    return out


def borrow_thresholds(
    thresholds: np.ndarray,
    positives: np.ndarray,
    neighbour: np.ndarray,
    kappa: float,
    shrinkage: float,
    few_positives: int = 2,
) -> np.ndarray:
    """``t'`` ``[L]`` float64 (see module doc); ``thresholds`` itself when ``kappa`` is 0.

    Args:
        thresholds: ``[L]`` ``t``. positives: ``[L]`` ``n``.
        neighbour: ``[L]`` ``t_nbr`` from :func:`neighbour_thresholds` (NaN: no neighbour).
        kappa: pseudo-count of the neighbours' threshold (0 = off).
        shrinkage: ``s``, the pseudo-count ``t`` was shrunk with toward the global threshold.
        few_positives: labels with fewer tuning positives borrow [2].
    """
    if kappa == 0:
        return thresholds
    n = np.asarray(positives, dtype=np.float64)
    t = np.asarray(thresholds, dtype=np.float64)
    borrow = (n < few_positives) & ~np.isnan(neighbour)
    own = n[borrow] + shrinkage
    out = t.copy()
    out[borrow] = (own * t[borrow] + kappa * neighbour[borrow]) / (own + kappa)
    return out
