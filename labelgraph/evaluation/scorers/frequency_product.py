"""``"frequency product"``: the frequency baseline of pair rankings."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelgraph.evaluation.pair_scorers import register_pair_scorer

__all__ = ["frequency_product"]


@register_pair_scorer("frequency product")
def frequency_product(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Baseline ``log(1 + f_i) + log(1 + f_j)`` from corpus frequencies: frequent pairs first."""
    f = np.log1p(np.asarray(graph.frequency("corpus"), dtype=np.float64))
    return f[rows] + f[cols]
