"""Rebuild a graph's annotation edges from a subset of images (k-fold evaluation).

When a graph was built with a label-set file as annotations, evaluating on that file would let
every image score itself. :func:`annotation_refit` returns a function that, given the training
folds' label sets, recounts image co-occurrence over those images only, rebuilds the
``annotation`` adjacency and annotation frequencies, and recombines them with the graph's text
and embedding sources through :meth:`LabelGraph.with_sources` (which recomputes ``combined``
with the weights stored in the graph).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from labelgraph.association import DEFAULT_ALPHA, ppmi_matrix
from labelgraph.cooccurrence import CooccurrenceCounter
from labelgraph.edge_combination import sparsify

__all__ = ["annotation_refit", "annotation_parameters"]

logger = logging.getLogger(__name__)


def _find_key(obj: Any, key: str) -> Any:
    """First value stored under ``key`` anywhere in a nested dict (depth-first), else None."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            found = _find_key(v, key)
            if found is not None:
                return found
    return None


def annotation_parameters(graph: Any) -> dict[str, Any]:
    """The annotation-edge parameters recorded in the graph's manifest (defaults otherwise)."""
    params = _find_key(graph.manifest, "annotation_edges") or {}
    return {
        "alpha": float(params.get("alpha", DEFAULT_ALPHA)),
        "min_count": int(params.get("min_count", 1)),
        "shrinkage": float(params.get("shrinkage", 1.0)),
        "top_k": params.get("top_k", (graph.combination or {}).get("top_k")),
    }


def annotation_refit(graph: Any) -> Callable[[list[list[int]]], Any]:
    """A ``fold_graph(train_sets) -> LabelGraph`` for :func:`evaluate_label_sets`.

    Args:
        graph: a built LabelGraph with an ``annotation`` source.
    """
    params = annotation_parameters(graph)
    num = len(graph.labels)
    logger.info("annotation refit parameters: %s", params)

    def fold_graph(train_sets: Sequence[Sequence[int]]) -> Any:
        counter = CooccurrenceCounter(num, contexts=("image",))
        for s in train_sets:
            counter.add_label_set(s, context="image")
        counts = counter.result()
        adj = ppmi_matrix(
            counts,
            "image",
            alpha=params["alpha"],
            min_count=params["min_count"],
            shrinkage=params["shrinkage"],
        )
        adj = sparsify(adj, params["top_k"])
        freq = counts.unigram("image").astype(np.float64)
        return graph.with_sources(
            {"annotation": adj},
            frequencies={"annotation": freq},
            totals={"annotation": float(counts.total("image"))},
        )

    return fold_graph
