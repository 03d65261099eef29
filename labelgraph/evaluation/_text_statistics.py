"""Un-sparsified text statistics of a built graph, recomputed from its stored counts.

The stored ``text`` edges keep only each label's ``top_k`` strongest pairs, so most label pairs
score 0 there. Evaluations that rank arbitrary pairs (COCO, VOC, word lists) use the full
association recomputed from ``DIR/counts/text_counts.npz`` with the build's own edge builder
and options (cached per file).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import scipy.sparse as sp

from labelgraph.association import npmi_matrix
from labelgraph.build_config import edge_builder_spec
from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.edge_builders import create_edge_builder
from labelgraph.visual_context import text_context_counts, text_edge_context, visual_context_weight

__all__ = ["text_counts", "text_context", "full_text_adjacency", "text_npmi"]

logger = logging.getLogger(__name__)

_CACHE: dict[tuple[str, str], Any] = {}


def _counts_path(graph: Any) -> Path | None:
    path = getattr(graph, "path", None)
    if path is None:
        return None
    p = Path(path) / "counts" / "text_counts.npz"
    return p if p.is_file() else None


def _cached(graph: Any, what: str, make):
    p = _counts_path(graph)
    if p is None:
        return None
    key = (f"{p.resolve()}:{p.stat().st_mtime_ns}", what)
    if key not in _CACHE:
        _CACHE[key] = make(p)
    return _CACHE[key]


def text_counts(graph: Any) -> CooccurrenceCounts | None:
    """The graph's text co-occurrence counts, or None when the folder has none; with the
    mixture of the visual context (:func:`text_context`) when the build has one."""
    params = graph.manifest.get("parameters") or {}
    if visual_context_weight(params) == 0:
        return _cached(graph, "counts", CooccurrenceCounts.load)

    def make(p: Path) -> CooccurrenceCounts:
        return text_context_counts(CooccurrenceCounts.load(p), params)[0]

    return _cached(graph, f"counts:{text_edge_context(params)}", make)


def text_context(graph: Any) -> str:
    """The build's text context (``parameters["context"]``, default ``sentence``), or its
    mixture with the visual context (``"document+1*visual"``) when the build was made with
    ``--visual-context-weight W > 0`` (:mod:`labelgraph.visual_context`)."""
    return text_edge_context(graph.manifest.get("parameters") or {})


def full_text_adjacency(graph: Any) -> sp.csr_matrix | None:
    """``[L, L]`` text edges before top-k sparsification (build's builder and options)."""

    def make(_: Path) -> sp.csr_matrix:
        name, opts = edge_builder_spec(graph.manifest.get("parameters") or {}, "text")
        return create_edge_builder(name, **opts)(text_counts(graph), text_context(graph)).tocsr()

    return _cached(graph, "full_text", make)


def text_npmi(graph: Any) -> tuple[sp.csr_matrix, sp.csr_matrix] | None:
    """``(npmi [L, L], observed pair counts [L, L])`` in the build's text context."""

    def make(_: Path):
        counts = text_counts(graph)
        ctx = text_context(graph)
        return npmi_matrix(counts, ctx, min_count=1).tocsr(), counts.pairs(ctx).tocsr()

    return _cached(graph, "npmi", make)
