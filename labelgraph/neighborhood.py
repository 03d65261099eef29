"""Pick the nodes of a view of a label graph: a neighborhood, strongest edges, size cap."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.errors import InputError

__all__ = ["select_nodes", "filtered_adjacency"]

logger = logging.getLogger(__name__)


def filtered_adjacency(
    graph: Any, source: str = "combined", min_weight: float = 0.0
) -> sp.csr_matrix:
    """``[L, L]`` csr adjacency of ``source`` without self-loops and without edges below
    ``min_weight`` (edges of weight exactly 0 are always dropped)."""
    if source not in graph.sources:
        raise InputError(
            f"the graph has no edge source {source!r}; available: {', '.join(graph.sources)}"
        )
    adj = sp.csr_matrix(graph.adjacency(source), dtype=np.float64, copy=True)
    adj.setdiag(0)
    adj.data[adj.data < min_weight] = 0
    adj.eliminate_zeros()
    return adj


def select_nodes(
    graph: Any,
    around: str | None = None,
    hops: int = 1,
    max_nodes: int | None = None,
    min_weight: float = 0.0,
    source: str = "combined",
) -> np.ndarray:
    """Indices of the nodes to show, most important first.

    With ``around``: the label itself, then its neighbors up to ``hops`` edges away (edges of
    ``source`` with weight >= ``min_weight``), each ring ordered by its strongest edge into the
    nodes already chosen; cut at ``max_nodes``. Without ``around``: every node with at least
    one such edge, ordered by weighted degree (strength), cut at ``max_nodes``.

    Returns:
        ``[N]`` int64 vocabulary indices.
    """
    if hops < 0:
        raise InputError(f"--hops must be >= 0, got {hops}")
    if max_nodes is not None and max_nodes < 1:
        raise InputError(f"--max-nodes must be >= 1, got {max_nodes}")
    adj = filtered_adjacency(graph, source, min_weight)
    if around is None:
        strength = np.asarray(abs(adj).sum(axis=1)).ravel()
        nodes = np.flatnonzero(strength > 0)
        nodes = nodes[np.argsort(-strength[nodes], kind="stable")]
        return nodes[:max_nodes] if max_nodes is not None else nodes
    center = int(graph.index(around))
    chosen = [center]
    seen = {center}
    frontier = [center]
    for _ in range(hops):
        if max_nodes is not None and len(chosen) >= max_nodes:
            break
        best: dict[int, float] = {}
        for u in frontier:
            row = adj.getrow(u)
            for v, w in zip(row.indices.tolist(), row.data.tolist()):
                if v not in seen:
                    best[v] = max(best.get(v, -np.inf), w)
        ring = sorted(best, key=lambda v: (-best[v], v))
        if max_nodes is not None:
            ring = ring[: max_nodes - len(chosen)]
        chosen.extend(ring)
        seen.update(ring)
        frontier = ring
        if not frontier:
            break
    return np.asarray(chosen, dtype=np.int64)
