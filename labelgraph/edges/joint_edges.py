"""``"joint"`` edges: the pair-specific part of the smoothed joint probability (nats)."""

from __future__ import annotations

import scipy.sparse as sp

from labelgraph.association import DEFAULT_KAPPA, joint_lift_matrix
from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.edge_builders import EdgeBuilder, register_edge_builder

__all__ = ["joint_edges"]


@register_edge_builder("joint")
def joint_edges(kappa: float = DEFAULT_KAPPA, add: float = 0.5, min_count: int = 1) -> EdgeBuilder:
    """``log(1 + n_ab / (kappa E_ab))``, ``E_ab = (n_a + add) (n_b + add) / N``.

    Added to the two labels' log frequencies it is (up to a constant) ``log P_kappa(a, b)``,
    the joint probability interpolated with independence (see :mod:`labelgraph.association`):
    the text association that best predicts image co-occurrence (pair scorer ``"text
    joint"``; README). Weak pairs of frequent labels keep more weight than under PPMI.

    Args:
        kappa: weight of the independence joint (> 0) [0.1].
        add: additive smoothing of the label counts [0.5].
        min_count: pairs seen fewer times get no edge [1].
    """

    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return joint_lift_matrix(counts, context, kappa=kappa, add=add, min_count=min_count)

    return build
