"""Registry of label-pair scorers: how strongly a graph associates labels ``i`` and ``j``.

Each scorer is ``fn(graph, rows [P] int, cols [P] int) -> [P] float64`` (``nan`` where the pair
cannot be scored, e.g. a label without an embedding). Scorers only use the public LabelGraph
attributes of ``docs/interfaces.md`` (``embeddings``, ``missing``, ``adjacency``, ``sources``,
``frequency``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from corpora.errors import InputError
from labelgraph.evaluation._text_statistics import full_text_adjacency, text_npmi

__all__ = ["PairScorer", "register_pair_scorer", "create_pair_scorer", "list_pair_scorers"]

logger = logging.getLogger(__name__)

PairScorer = Callable[[Any, np.ndarray, np.ndarray], np.ndarray]
_PAIR_SCORERS: dict[str, PairScorer] = {}


def register_pair_scorer(name: str) -> Callable[[PairScorer], PairScorer]:
    """Decorator adding a scorer to the registry under ``name``."""

    def deco(fn: PairScorer) -> PairScorer:
        _PAIR_SCORERS[name] = fn
        return fn

    return deco


def list_pair_scorers() -> list[str]:
    """Names accepted by :func:`create_pair_scorer`."""
    return sorted(_PAIR_SCORERS)


def create_pair_scorer(name: str) -> PairScorer:
    """The scorer registered under ``name`` (``InputError`` listing the known names otherwise)."""
    try:
        return _PAIR_SCORERS[name]
    except KeyError:
        raise InputError(
            f"unknown pair scorer {name!r}; known: {', '.join(list_pair_scorers())}"
        ) from None


@register_pair_scorer("embedding cosine")
def embedding_cosine(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of the label vectors ``[L, D]``; ``nan`` when either label has no vector."""
    emb = np.asarray(graph.embeddings, dtype=np.float64)
    missing = np.asarray(graph.missing, dtype=bool)
    a, b = emb[rows], emb[cols]
    denom = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("pd,pd->p", a, b) / denom
    cos[missing[rows] | missing[cols] | (denom == 0)] = np.nan
    return cos


def _edge_weights(graph: Any, source: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    if source not in graph.sources:
        return np.full(len(rows), np.nan)
    adj = graph.adjacency(source).tocsr()
    return np.asarray(adj[rows, cols], dtype=np.float64).ravel()


@register_pair_scorer("text edges")
def text_edges(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Weight of the stored (top-k) ``text`` edge: 0 where there is none, ``nan`` without a
    text source."""
    return _edge_weights(graph, "text", rows, cols)


@register_pair_scorer("text PPMI")
def text_ppmi(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Text association of every pair before top-k sparsification (the build's edge builder
    over ``counts/text_counts.npz``); ``nan`` when the graph folder has no counts."""
    full = full_text_adjacency(graph)
    if full is None:
        return np.full(len(rows), np.nan)
    return np.asarray(full[rows, cols], dtype=np.float64).ravel()


@register_pair_scorer("text NPMI")
def text_npmi_scores(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Normalised PMI in the build's text context; -1 for pairs never seen together, ``nan``
    when the graph folder has no counts."""
    found = text_npmi(graph)
    if found is None:
        return np.full(len(rows), np.nan)
    npmi, observed = found
    seen = np.asarray(observed[rows, cols]).ravel() > 0
    vals = np.asarray(npmi[rows, cols], dtype=np.float64).ravel()
    return np.where(seen, vals, -1.0)


@register_pair_scorer("combined graph")
def combined_graph(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Weight of the ``combined`` edge (0 where there is none)."""
    return _edge_weights(graph, "combined", rows, cols)


@register_pair_scorer("frequency product")
def frequency_product(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Baseline ``log(1 + f_i) + log(1 + f_j)`` from corpus frequencies: frequent pairs first."""
    f = np.log1p(np.asarray(graph.frequency("corpus"), dtype=np.float64))
    return f[rows] + f[cols]
