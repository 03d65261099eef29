"""``"conditional"`` edges: the mean of the two conditional probabilities of a pair."""

from __future__ import annotations

import scipy.sparse as sp

from labelgraph.association import conditional_matrix
from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.edge_builders import EdgeBuilder, register_edge_builder
from labelgraph.sparse_matrices import symmetrize

__all__ = ["conditional_edges"]


@register_edge_builder("conditional")
def conditional_edges(min_count: int = 1) -> EdgeBuilder:
    """Mean conditional probability ``(P(b|a) + P(a|b)) / 2``.

    Args:
        min_count: pairs seen fewer times get no edge [1].
    """

    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return symmetrize(conditional_matrix(counts, context, min_count=min_count), "mean")

    return build
