"""``"text PPMI"`` and ``"text NPMI"``: text association of every pair, recomputed from the
build's counts (before top-k sparsification)."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelgraph.evaluation._text_statistics import full_text_adjacency, text_npmi
from labelgraph.evaluation.pair_scorers import register_pair_scorer

__all__ = ["text_ppmi", "text_npmi_scores"]


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
