"""``"mlgcn"`` edges: the ML-GCN re-weighted, thresholded conditional-probability adjacency."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from labelgraph.annotations import mlgcn_adjacency
from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.edge_builders import EdgeBuilder, register_edge_builder
from labelgraph.sparse_matrices import canonical_csr, symmetrize

__all__ = ["mlgcn_edges"]


def _no_diag(m: sp.spmatrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m, dtype=np.float32, copy=True)
    m.setdiag(0)
    return canonical_csr(m, np.float32)


@register_edge_builder("mlgcn")
def mlgcn_edges(tau: float = 0.4, p: float = 0.2) -> EdgeBuilder:
    """ML-GCN re-weighted, thresholded conditional probabilities, symmetrised, no diagonal.

    See :func:`labelgraph.annotations.mlgcn_adjacency`; the result is symmetrised by the mean
    and its diagonal dropped.

    Args:
        tau: threshold of the conditional probability [0.4].
        p: share of a row's weight spread over its neighbors [0.2].
    """

    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return _no_diag(symmetrize(mlgcn_adjacency(counts, tau=tau, p=p, context=context), "mean"))

    return build
