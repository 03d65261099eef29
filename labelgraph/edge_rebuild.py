"""Graphs with some edge sources rebuilt: new annotation edges from other images, or any
sources replaced, with the ``combined`` edges recomputed the way the build combined them.

* :func:`with_sources`: replace sources (and frequencies, totals); ``combined`` is recomputed
  from the graph's :attr:`~labelgraph.label_graph.LabelGraph.combination` (weights, top-k);
* :func:`with_annotations`: recount image co-occurrence over given label sets and rebuild the
  ``annotation`` source with the build's annotation edge builder (:func:`annotation_edge_spec`).

Both return a new graph of the same class and leave the input untouched; they are also
reachable as methods (``g.with_sources(...)``, ``g.with_annotations(...)``). The k-fold
evaluation's refit (:mod:`labelgraph.evaluation.fold_refit`) recombines the *un-sparsified*
sources instead, to reproduce the build exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from labelgraph.annotations import count_label_sets
from labelgraph.build_config import edge_builder_spec
from labelgraph.edge_builders import create_edge_builder
from labelgraph.edge_combination import combine_sources, sparsify
from labelgraph.sparse_matrices import canonical_csr

__all__ = ["with_sources", "with_annotations", "annotation_edge_spec"]


def annotation_edge_spec(graph: Any) -> tuple[str, dict[str, Any]]:
    """``(builder name, options)`` of the graph's annotation edges: the ones recorded with the
    graph (``combination["annotation_edges"]``), else those of its build parameters
    (``manifest["parameters"]``, :func:`labelgraph.build_config.edge_builder_spec`; PPMI with
    the build defaults for graphs without any)."""
    spec = (graph.combination or {}).get("annotation_edges")
    if spec:
        return spec["name"], dict(spec.get("options") or {})
    return edge_builder_spec(graph.manifest.get("parameters") or {}, "annotation")


def with_sources(
    graph: Any,
    adjacencies: Mapping[str, sp.spmatrix],
    frequencies: Mapping[str, np.ndarray] | None = None,
    totals: Mapping[str, float] | None = None,
    annotation_pairs: sp.spmatrix | None = None,
) -> Any:
    """A copy of ``graph`` with some sources (``[L, L]`` adjacencies), frequencies, totals and
    image pair counts (``annotation_pairs``; None keeps the graph's) replaced; ``combined`` is
    recomputed from the sources named in ``graph.combination`` (weights, ``top_k``) when it is
    not given and the graph records combination weights."""
    adj = {s: graph.adjacency(s) for s in graph.sources}
    adj.update({k: canonical_csr(v) for k, v in adjacencies.items()})
    combination = graph.combination or {}
    if "combined" not in adjacencies and combination.get("weights"):
        adj["combined"] = combine_sources(
            adj, combination["weights"], top_k=combination.get("top_k")
        )
    freqs = {k: graph.frequency(k) for k in graph.frequency_kinds}
    freqs.update(dict(frequencies or {}))
    return type(graph)(
        graph.vocab,
        adj,
        embeddings=graph.embeddings,
        missing=graph.missing,
        frequencies=freqs,
        totals={**graph.totals, **dict(totals or {})},
        scoring=graph.scoring,
        manifest=graph.manifest,
        combination=graph.combination,
        annotation_pairs=graph.annotation_pairs if annotation_pairs is None else annotation_pairs,
    )


def with_annotations(
    graph: Any,
    image_labels: Iterable[Iterable[str | int]] | None = None,
    counts: Any = None,
) -> Any:
    """A copy of ``graph`` whose annotation source, annotation frequency and combined edges
    come from other images (e.g. the training folds of a k-fold evaluation, so no image scores
    itself).

    Give either ``image_labels`` (one iterable of labels per image; codes, names or indices;
    unknown labels raise) or ``counts`` (a ``CooccurrenceCounts`` with an ``"image"``
    context). The edge builder and its options are the graph's (:func:`annotation_edge_spec`);
    the new edges are sparsified to the build's ``top_k`` and ``combined`` is recomputed from
    the stored (top-k sparsified) sources with the build's weights.
    """
    if counts is None:
        if image_labels is None:
            raise ValueError("give image_labels or counts")
        sets = [graph.vocab.indices(list(labels)) for labels in image_labels]
        counts = count_label_sets(sets, len(graph))
    name, options = annotation_edge_spec(graph)
    adj = sparsify(
        create_edge_builder(name, **options)(counts, "image"),
        (graph.combination or {}).get("top_k"),
    )
    return with_sources(
        graph,
        {"annotation": adj},
        frequencies={"annotation": counts.unigram("image").astype(np.float64)},
        totals={"annotation": float(counts.total("image"))},
        annotation_pairs=counts.pairs("image"),
    )
