"""One step of label propagation along the label graph's directional conditional ``P(b | a)``.

The kNN label-transfer scores ``K`` ``[n, L]`` (the similarity-weighted vote of an image's
nearest labelled images, :mod:`vision.adapt.knn_transfer`) miss the labels the neighbours were
not annotated with. One propagation step with a self-loop lets each voted label ``a`` vote
for the labels it implies::

    K' = min(1, K (I + mu C))        C_ab = P(b | a)   (label_graph_matrices.conditional_matrix)

``mu`` (>= 0) is the weight of the graph's step; ``mu = 0`` returns ``K`` itself. Only raised,
never lowered: a label implied by no voted label keeps its vote exactly. The product touches
the non-zeros of ``C`` (at most ``max_edges`` a row), never a dense ``[L, L]``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["propagate_labels"]


def propagate_labels(scores: np.ndarray, conditional: sp.csr_matrix, weight: float) -> np.ndarray:
    """``min(1, K + weight * K @ C)`` ``[n, L]`` (``scores`` itself when ``weight`` is 0).

    Args:
        scores: ``K`` ``[n, L]`` label scores in [0, 1] (float32 or float64; the result keeps
            the dtype).
        conditional: ``C`` ``[L, L]`` CSR, row ``a`` = ``P(. | a)`` (zero diagonal).
        weight: ``mu`` >= 0.
    """
    if weight == 0:
        return scores
    k = np.asarray(scores)
    implied = np.asarray(sp.csr_matrix(conditional, dtype=k.dtype).T @ k.T).T  # [n, L] = K C
    return np.minimum(k + k.dtype.type(weight) * implied, k.dtype.type(1.0))
