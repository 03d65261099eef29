"""``"text edges"`` and ``"combined graph"``: the weight of a stored edge."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelgraph.evaluation.pair_scorers import register_pair_scorer

__all__ = ["edge_weight", "text_edges", "combined_graph"]


def edge_weight(graph: Any, source: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``[P]`` weights of the stored ``source`` edges (0 where there is none; ``nan`` when the
    graph has no such source)."""
    if source not in graph.sources:
        return np.full(len(rows), np.nan)
    adj = graph.adjacency(source).tocsr()
    return np.asarray(adj[rows, cols], dtype=np.float64).ravel()


@register_pair_scorer("text edges")
def text_edges(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Weight of the stored (top-k) ``text`` edge: 0 where there is none, ``nan`` without a
    text source."""
    return edge_weight(graph, "text", rows, cols)


@register_pair_scorer("combined graph")
def combined_graph(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Weight of the ``combined`` edge (0 where there is none)."""
    return edge_weight(graph, "combined", rows, cols)
