"""Rebuild a graph's annotation edges from a subset of images (k-fold evaluation).

When a graph was built with a label-set file as annotations, evaluating on that file would let
every image score itself. :func:`annotation_refit` returns a function that, given the training
folds' label sets, recounts image co-occurrence over those images only and rebuilds what
depends on it, the way ``labelgraph build`` does (:mod:`labelgraph.graph_builder`):

* ``annotation`` edges: the build's annotation edge builder and options
  (:func:`labelgraph.edge_rebuild.annotation_edge_spec`) over the training images, sparsified
  to ``top_k`` per label;
* ``combined``: ``combine_sources`` over the *unsparsified* text edges (recomputed once from the
  graph's ``counts/text_counts.npz``), the full embedding k-NN edges (recomputed from the
  stored label vectors with the build's ``knn``) and the new annotation edges,
  with the graph's combination weights and ``top_k``;
* annotation frequencies, image total and image pair counts (they enter the label prior and
  the directional ``P(c | s)`` of ``complete``).

Everything else (text and embedding sources, embeddings, corpus frequencies, scoring) is the
graph's own, via :func:`labelgraph.edge_rebuild.with_sources`. Unlike
:func:`labelgraph.edge_rebuild.with_annotations`, which sums the stored top-k sources, this
reproduces the build's ``combined`` edges exactly when given every image (checked in the
tests), so fold graphs differ from the evaluated graph only by the held-out images.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.errors import InputError
from labelgraph.annotations import count_label_sets
from labelgraph.edge_builders import create_edge_builder
from labelgraph.edge_combination import combine_sources, sparsify
from labelgraph.edge_rebuild import annotation_edge_spec, with_sources
from labelgraph.embeddings import cosine_knn
from labelgraph.evaluation._text_statistics import full_text_adjacency

__all__ = ["annotation_refit"]

logger = logging.getLogger(__name__)


def _full_text(graph: Any) -> tuple[sp.csr_matrix, str]:
    full = full_text_adjacency(graph)
    if full is not None:
        return full, "text edges recomputed from counts/text_counts.npz"
    logger.warning(
        "no counts/text_counts.npz beside the graph: the per-fold combined edges use the stored "
        "(top-k sparsified) text edges, which can differ slightly from the build's"
    )
    return graph.adjacency("text"), "stored text edges"


def _check_reproduces(graph: Any, source: str, full: sp.csr_matrix, top_k: Any) -> None:
    """Warn when a recomputed full source, cut to ``top_k``, is not the stored one (the
    manifest then lacks an option the build used, and fold graphs would drift)."""
    diff = abs(sparsify(full, top_k) - graph.adjacency(source))
    worst = float(diff.max()) if diff.nnz else 0.0
    if worst > 1e-4:
        logger.warning(
            "fold refit: recomputed %r edges differ from the stored ones (max |diff| %.4g on %d "
            "entries); the per-fold graphs will not match the build exactly",
            source,
            worst,
            diff.nnz,
        )
    else:
        logger.info("fold refit: recomputed %r edges match the stored ones", source)


def annotation_refit(graph: Any) -> Callable[[Sequence[Sequence[int]]], Any]:
    """A ``fold_graph(train_sets) -> LabelGraph`` for :func:`evaluate_label_sets`.

    Args:
        graph: a LabelGraph built with annotations (has an ``annotation`` source).
    """
    if "annotation" not in graph.sources:
        raise InputError(
            "the graph's manifest lists the label-set file as an input but the graph has no "
            "'annotation' edges; rebuild it or evaluate on another file"
        )
    params = dict(graph.manifest.get("parameters") or {})
    weights = dict((graph.combination or {}).get("weights") or params.get("weights") or {})
    top_k = (graph.combination or {}).get("top_k", params.get("top_k"))
    ann_name, ann_opts = annotation_edge_spec(graph)
    full: dict[str, sp.csr_matrix] = {}
    if "text" in graph.sources:
        full["text"], how = _full_text(graph)
        logger.info("fold refit: %s", how)
    if "embedding" in graph.sources and "knn" in params:
        # the build combines the full k-NN graph; the stored one is cut to top_k per label
        full["embedding"] = cosine_knn(graph.embeddings, graph.missing, k=int(params["knn"]))
    for source in graph.sources:
        if source not in ("text", "annotation", "combined") and source not in full:
            full[source] = graph.adjacency(source)
    for source, m in full.items():
        _check_reproduces(graph, source, m, top_k)
    num = len(graph.labels)
    logger.info(
        "fold refit: annotation edges %s %s, weights %s, top_k %s",
        ann_name,
        ann_opts,
        weights,
        top_k,
    )

    def fold_graph(train_sets: Sequence[Sequence[int]]) -> Any:
        counts = count_label_sets(train_sets, num)
        ann = create_edge_builder(ann_name, **ann_opts)(counts, "image")
        combined = combine_sources({**full, "annotation": ann}, weights, top_k=top_k)
        return with_sources(
            graph,
            {"annotation": sparsify(ann, top_k), "combined": combined},
            frequencies={"annotation": counts.unigram("image").astype(np.float64)},
            totals={"annotation": float(counts.total("image"))},
            annotation_pairs=counts.pairs("image"),
        )

    return fold_graph
