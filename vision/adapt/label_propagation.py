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

__all__ = ["BLOCK_ROWS", "SPARSE_FRACTION", "propagate_labels"]


#: a block of scores at most this dense (non-zero fraction) is multiplied as a sparse matrix
SPARSE_FRACTION = 0.25
#: rows per block (bounds the temporary ``[block, L]`` arrays)
BLOCK_ROWS = 4096


def propagate_labels(scores: np.ndarray, conditional: sp.csr_matrix, weight: float) -> np.ndarray:
    """``min(1, K + weight * K @ C)`` ``[n, L]`` (``scores`` itself when ``weight`` is 0).

    Computed a block of :data:`BLOCK_ROWS` rows at a time. kNN scores are mostly zeros (only
    the neighbours' labels are voted), so a block with at most :data:`SPARSE_FRACTION`
    non-zeros is multiplied as a sparse matrix: the cost follows the votes, not ``L`` (at
    32,580 x 7,178 with 50 edges a label and 50 votes an image, 4-5 s instead of 13 s
    in float32 on one core); denser blocks use the dense product. Both give the same sums up
    to floating-point rounding.

    Args:
        scores: ``K`` ``[n, L]`` label scores in [0, 1] (float32 or float64; the result keeps
            the dtype).
        conditional: ``C`` ``[L, L]`` CSR, row ``a`` = ``P(. | a)`` (zero diagonal).
        weight: ``mu`` >= 0.
    """
    if weight == 0:
        return scores
    k = np.asarray(scores)
    c = sp.csr_matrix(conditional, dtype=k.dtype)
    w, one = k.dtype.type(weight), k.dtype.type(1.0)
    out = np.empty_like(k)
    for lo in range(0, len(k), BLOCK_ROWS):
        block = k[lo : lo + BLOCK_ROWS]
        if np.count_nonzero(block) <= SPARSE_FRACTION * block.size:
            implied = (sp.csr_matrix(block) @ c).toarray()  # [b, L] = K C over the votes only
        else:
            implied = np.asarray(c.T @ block.T).T
        np.minimum(block + w * implied, one, out=out[lo : lo + BLOCK_ROWS])
    return out
