"""``"text joint"``: the smoothed joint probability of a pair in the build's text context."""

from __future__ import annotations

from typing import Any

import numpy as np

from labelgraph.association import log_joint_scores
from labelgraph.build_config import edge_builder_spec
from labelgraph.edge_builders import EDGE_BUILDERS
from labelgraph.evaluation._text_statistics import text_context, text_counts
from labelgraph.evaluation.pair_scorers import register_pair_scorer

__all__ = ["text_joint"]


def _joint_options(graph: Any) -> dict[str, Any]:
    """The graph's ``joint`` text-edge options (``kappa``, ``add``, ``min_count``) when its
    text edges are ``joint``, else the builder's defaults."""
    name, options = edge_builder_spec(graph.manifest.get("parameters") or {}, "text")
    if name != "joint":
        options = {o.name: o.default for o in EDGE_BUILDERS.options("joint")}
    return {k: v for k, v in options.items() if k in ("kappa", "add", "min_count")}


@register_pair_scorer("text joint")
def text_joint(graph: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``log P_kappa(a, b) = log((n_ab + kappa E_ab) / ((1 + kappa) N))`` over every pair, from
    ``counts/text_counts.npz`` in the build's context (:func:`labelgraph.association.
    log_joint_scores`; options of the graph's ``joint`` text edges, else the defaults
    ``kappa`` 0.1, ``add`` 0.5, ``min_count`` 1); ``nan`` when the graph folder has no counts.
    """
    counts = text_counts(graph)
    if counts is None:
        return np.full(len(rows), np.nan)
    return log_joint_scores(counts, text_context(graph), rows, cols, **_joint_options(graph))
