"""``"npmi"`` edges: the positive part of normalised PMI, in ``[0, 1]``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from labelgraph.association import npmi_matrix
from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.edge_builders import EdgeBuilder, register_edge_builder
from labelgraph.sparse_matrices import canonical_csr

__all__ = ["npmi_edges"]


@register_edge_builder("npmi")
def npmi_edges(min_count: int = 1) -> EdgeBuilder:
    """Positive part of NPMI, in ``[0, 1]``.

    Args:
        min_count: pairs seen fewer times get no edge [1].
    """

    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        m = npmi_matrix(counts, context, min_count=min_count)
        m.data = np.maximum(m.data, 0)
        return canonical_csr(m, np.float32)

    return build
