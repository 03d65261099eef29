"""``"combined joint"``: the graph's own pair log-score, label priors plus combined edge."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelgraph.evaluation.pair_scorers import register_pair_scorer

__all__ = ["combined_joint"]


@register_pair_scorer("combined joint")
def combined_joint(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``log prior(a) + log prior(b) + beta * A[a, b]`` with the graph's label prior
    (:meth:`~labelgraph.label_graph.LabelGraph.log_prior`), its ``combined`` edges (0 where
    none is stored) and ``beta`` = ``scoring["association_weight"]``: the naive-Bayes score of
    the pair that :meth:`~labelgraph.label_graph.LabelGraph.complete` uses, symmetric."""
    lp = np.asarray(graph.log_prior(), dtype=np.float64)
    beta = float(graph.scoring.get("association_weight", 1.0))
    adj = graph.adjacency("combined").tocsr()
    return lp[rows] + lp[cols] + beta * np.asarray(adj[rows, cols], dtype=np.float64).ravel()
