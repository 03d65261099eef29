"""Weights of directional completion chosen by inner cross-validation on training images.

``labelgraph evaluate`` refits the graph's annotation part on each outer fold's training images
(:mod:`labelgraph.evaluation.fold_refit`); :func:`fit_completion_weights` then chooses the
``P(c | s)`` mixture weights (text ``w``, prior ``v``; :mod:`labelgraph.conditional_completion`)
on inner folds of those training images only, so no test image takes part in the choice.
"""

from __future__ import annotations

import copy
import itertools
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from labelgraph.conditional_completion import ConditionalCompletion
from labelgraph.evaluation._folds import kfold_assignments
from labelgraph.evaluation.annotation_stats import AnnotationStats
from labelgraph.evaluation.metrics import (
    expected_recall_at_k,
    expected_reciprocal_rank,
    tie_aware_rank,
)

__all__ = ["fit_completion_weights", "with_completion", "TEXT_WEIGHTS", "PRIOR_WEIGHTS"]

logger = logging.getLogger(__name__)

#: grid of the text weight ``w``
TEXT_WEIGHTS: tuple[float, ...] = (0.0, 0.03, 0.1, 0.3)
#: grid of the prior weight ``v``
PRIOR_WEIGHTS: tuple[float, ...] = (0.001, 0.01, 0.05)


def with_completion(graph: Any, **scoring: Any) -> Any:
    """A shallow copy of ``graph`` whose ``scoring`` is updated with ``scoring`` (arrays and
    edges shared, the original untouched)."""
    out = copy.copy(graph)
    out.scoring = {**graph.scoring, **scoring}
    return out


def _model(graph: Any, sets: Sequence[Sequence[int]] | None) -> ConditionalCompletion:
    """The graph's completion model, its image part counted over ``sets`` when given."""
    model = graph.completion_model()
    if sets is None:
        return model
    stats = AnnotationStats(sets, len(graph.labels))
    return ConditionalCompletion(
        stats.counts,
        stats.freq,
        float(stats.n_images),
        graph.frequency("corpus"),
        graph.adjacency("text") if "text" in graph.sources else None,
        text_weight=model.text_weight,
        prior_weight=model.prior_weight,
        prior_backoff=float(graph.scoring["prior_backoff"]),
    )


def fit_completion_weights(
    graph: Any,
    train_sets: Sequence[Sequence[int]],
    refit: bool = True,
    inner_folds: int = 4,
    seed: int = 1,
    k: int = 10,
    text_weights: Sequence[float] = TEXT_WEIGHTS,
    prior_weights: Sequence[float] = PRIOR_WEIGHTS,
) -> tuple[float, float]:
    """``(w, v)`` maximising mean recall@k + MRR of hide-one-label completion on inner folds.

    Args:
        graph: the (fold) graph; its text edges, corpus frequencies and ``prior_backoff`` are
            used as they are.
        train_sets: the outer fold's training label sets (vocabulary indices).
        refit: count the image part over the inner training sets (the graph's annotations came
            from these images); False uses the graph's own annotation pairs.
        inner_folds: inner folds (>= 2).
        seed: inner split.
        k: cut-off of recall@k.
        text_weights, prior_weights: the grid (pairs with ``w + v > 1`` are skipped).
    """
    grid = [(w, v) for w, v in itertools.product(text_weights, prior_weights) if w + v <= 1]
    if not grid:
        raise ValueError("empty weight grid")
    sets = [list(s) for s in train_sets]
    fold_of = kfold_assignments(len(sets), inner_folds, seed)
    total = np.zeros(len(grid))
    queries = 0
    for f in range(inner_folds):
        inner_train = [s for s, fo in zip(sets, fold_of) if fo != f and s]
        model = _model(graph, inner_train if refit else None)
        cache: dict[int, tuple[np.ndarray | None, np.ndarray]] = {}
        for i in np.flatnonzero(fold_of == f):
            s = sets[i]
            if len(s) < 2:
                continue
            for h in range(len(s)):
                given = s[:h] + s[h + 1 :]
                parts = [cache.setdefault(j, model.components(j)) for j in given]
                excl = np.asarray(given)
                for g, (w, v) in enumerate(grid):
                    scores = sum(model.mix(img, t, w, v) for img, t in parts)
                    greater, ties = tie_aware_rank(scores, s[h], exclude=excl)
                    total[g] += expected_recall_at_k(greater, ties, k)
                    total[g] += expected_reciprocal_rank(greater, ties)
                queries += 1
    if queries == 0:
        return float(graph.scoring["completion_text_weight"]), float(
            graph.scoring["completion_prior_weight"]
        )
    best = int(np.argmax(total))  # first best: the smallest text weight among ties
    logger.info(
        "completion weights by %d-fold inner CV over %d queries: text %.3g, prior %.3g",
        inner_folds,
        queries,
        *grid[best],
    )
    return grid[best]
