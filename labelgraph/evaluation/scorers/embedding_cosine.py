"""``"embedding cosine"``: cosine of the two labels' vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelgraph.evaluation.pair_scorers import register_pair_scorer

__all__ = ["embedding_cosine"]


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
