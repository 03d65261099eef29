"""``"ppmi"`` edges: shrunk, alpha-smoothed positive PMI (nats)."""

from __future__ import annotations

import scipy.sparse as sp

from labelgraph.association import DEFAULT_ALPHA, ppmi_matrix
from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.edge_builders import EdgeBuilder, register_edge_builder

__all__ = ["ppmi_edges"]


@register_edge_builder("ppmi")
def ppmi_edges(
    alpha: float = DEFAULT_ALPHA,
    min_count: int = 1,
    shrinkage: float = 1.0,
    confidence: float = 0.0,
) -> EdgeBuilder:
    """Shrunk, alpha-smoothed positive PMI (nats).

    See :func:`labelgraph.association.ppmi_matrix`.

    Args:
        alpha: context-distribution smoothing [0.75].
        min_count: pairs seen fewer times get no edge [1].
        shrinkage: ``k`` of the ``n / (n + k)`` shrinkage [1.0].
        confidence: ``z`` of the lower-bound pair count ``n - z sqrt(n)`` [0.0].
    """

    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return ppmi_matrix(
            counts,
            context,
            alpha=alpha,
            min_count=min_count,
            shrinkage=shrinkage,
            confidence=confidence,
        )

    return build
