"""Neighbour borrowing: labels with few tuning positives borrow a per-label value from their
label-graph neighbours (a threshold, a prior-shift offset).

With ~100 tuning images most labels have zero or one positive, so a value fitted per label
(threshold, target prior) is mostly its fallback (the global threshold, the training prior).
A label's graph neighbours with tuning positives say more: related labels tend to behave
alike. Hierarchical shrinkage adds the neighbours' value as a second target with pseudo-count
``kappa``::

    v_nbr_j = sum_a w_ja v_a / sum_a w_ja         over j's neighbours a with n_a >= 1
    v'_j    = ((n_j + s) v_j + kappa v_nbr_j) / (n_j + s + kappa)     when n_j < few_positives

``v_j`` is the label's own value, already shrunk toward its fallback with pseudo-count ``s``
(thresholds: ``t_j = (n_j fitted_j + s global) / (n_j + s)`` of
:func:`~vision.adapt.thresholds.fit_class_thresholds`, a label without positives having the
unseen-label threshold, weighted ``s``; prior shift: the offset of the tuning prior shrunk
toward the training prior with ``strength`` = ``s``), ``n_j`` its tuning positives, ``w_ja``
the graph's edge weights (PMI, nats; the ``max_edges`` strongest neighbours with positives). A
label without such a neighbour keeps ``v_j``; ``kappa = 0`` returns the values unchanged (the
same array), and ``kappa -> inf`` gives ``v_nbr_j``. One step: the neighbours' values are their
own, not borrowed ones.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["borrow_from_neighbours", "neighbour_mean"]


def neighbour_mean(
    values: np.ndarray, positives: np.ndarray, edges: sp.csr_matrix, max_edges: int = 50
) -> np.ndarray:
    """``v_nbr`` ``[L]`` float64: the edge-weighted mean value of each label's neighbours
    that have tuning positives (NaN for a label without such a neighbour).

    Args:
        values: ``[L]`` per-label values ``v``.
        positives: ``[L]`` tuning positives ``n`` per label.
        edges: ``[L, L]`` non-negative edge weights (row ``j``: ``j``'s neighbours).
        max_edges: the strongest ``max_edges`` neighbours with positives count (0: all) [50].
    """
    from labelgraph.sparse_matrices import top_k_per_row  # the graph's package

    has = (np.asarray(positives) > 0).astype(np.float32)
    w = top_k_per_row(sp.csr_matrix(edges) @ sp.diags(has), max_edges).astype(np.float64)
    w.eliminate_zeros()
    total = np.asarray(w.sum(axis=1)).ravel()
    num = w @ np.asarray(values, dtype=np.float64)
    out = np.full(len(total), np.nan)
    ok = total > 0
    out[ok] = num[ok] / total[ok]
    return out


def borrow_from_neighbours(
    values: np.ndarray,
    positives: np.ndarray,
    neighbour: np.ndarray,
    kappa: float,
    shrinkage: float,
    few_positives: int = 2,
) -> np.ndarray:
    """``v'`` ``[L]`` float64 (see module doc); ``values`` itself when ``kappa`` is 0.

    Args:
        values: ``[L]`` ``v``. positives: ``[L]`` ``n``.
        neighbour: ``[L]`` ``v_nbr`` from :func:`neighbour_mean` (NaN: no neighbour).
        kappa: pseudo-count of the neighbours' value (0 = off).
        shrinkage: ``s``, the pseudo-count ``v`` was shrunk with toward its fallback.
        few_positives: labels with fewer tuning positives borrow [2].
    """
    if kappa == 0:
        return values
    n = np.asarray(positives, dtype=np.float64)
    t = np.asarray(values, dtype=np.float64)
    borrow = (n < few_positives) & ~np.isnan(neighbour)
    own = n[borrow] + shrinkage
    out = t.copy()
    out[borrow] = (own * t[borrow] + kappa * neighbour[borrow]) / (own + kappa)
    return out
