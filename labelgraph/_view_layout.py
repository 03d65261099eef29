"""Node positions of a view, shared by the picture (:mod:`labelgraph.draw`) and the GEXF export,
so Gephi opens a view laid out as ``labelgraph draw`` draws it."""

from __future__ import annotations

import logging
import math

import networkx as nx
import numpy as np

__all__ = ["view_layout", "MAX_SPRING_NODES"]

logger = logging.getLogger(__name__)

#: above this many nodes a spring layout takes minutes (about 13 s at 2,000 nodes on one core,
#: O(n^2) per iteration); larger views get a spectral layout (sparse, seconds at 20,000)
MAX_SPRING_NODES = 2000


def view_layout(g: nx.Graph, seed: int = 0) -> dict:
    """``{node: (x, y)}``, deterministic for a graph and ``seed``.

    Kamada-Kawai on graph distances (evenly spread) for 3 to 300 nodes, started from a seeded
    spring layout; the seeded spring layout alone up to :data:`MAX_SPRING_NODES` nodes; a
    spectral layout (no seed needed) above that.
    """
    n = g.number_of_nodes()
    if n > MAX_SPRING_NODES:
        logger.info(
            "the view has %d nodes (> %d): spectral layout, a coarse start (refine it with a "
            "force-directed layout in Gephi)",
            n,
            MAX_SPRING_NODES,
        )
        return {k: tuple(np.asarray(v, dtype=float)) for k, v in nx.spectral_layout(g).items()}
    start = nx.spring_layout(g, seed=seed, k=1.5 / math.sqrt(max(n, 1)))
    if n < 3 or n > 300:
        return start
    # unreachable pairs (several components) get a distance a bit over the largest one
    return nx.kamada_kawai_layout(g, pos=start, weight=None)
