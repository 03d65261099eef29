"""Weights of directional completion chosen by inner cross-validation on training images.

``labelgraph evaluate`` refits the graph's annotation part on each outer fold's training images
(:mod:`labelgraph.evaluation.fold_refit`); :func:`fit_completion_weights` then chooses the
``P(c | s)`` mixture weights (text ``w``, prior ``v``, name-head hypernyms ``u``;
:mod:`labelgraph.conditional_completion`) on inner folds of those training images only, so no
test image takes part in the choice. :func:`completion_weight_scores` scores the whole grid
once, so the ablations (``u = 0``; ``w = u = 0``) are chosen from the same inner queries.
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

__all__ = [
    "fit_completion_weights",
    "completion_weight_scores",
    "best_weights",
    "with_completion",
    "TEXT_WEIGHTS",
    "PRIOR_WEIGHTS",
    "HYPERNYM_WEIGHTS",
]

#: ``(w, v, u)``: text, prior and hypernym weight of ``P(c | s)``
Weights = tuple[float, float, float]

logger = logging.getLogger(__name__)

#: grid of the text weight ``w``
TEXT_WEIGHTS: tuple[float, ...] = (0.0, 0.03, 0.1, 0.3)
#: grid of the prior weight ``v``
PRIOR_WEIGHTS: tuple[float, ...] = (0.001, 0.01, 0.05)
#: grid of the hypernym weight ``u``
HYPERNYM_WEIGHTS: tuple[float, ...] = (0.0, 0.03, 0.1, 0.3)


def with_completion(graph: Any, **scoring: Any) -> Any:
    """A shallow copy of ``graph`` whose ``scoring`` is updated with ``scoring`` (arrays and
    edges shared, the original untouched)."""
    out = copy.copy(graph)
    out.scoring = {**graph.scoring, **scoring}
    return out


def _model(graph: Any, sets: Sequence[Sequence[int]] | None) -> ConditionalCompletion:
    """The graph's completion model, its image part counted over ``sets`` when given."""
    model = graph.completion_model()
    model.hypernyms = graph.hypernyms()  # the fit tries u > 0 whatever the graph's weight
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
        hypernyms=model.hypernyms,
        hypernym_weight=model.hypernym_weight,
    )


def completion_weight_scores(
    graph: Any,
    train_sets: Sequence[Sequence[int]],
    refit: bool = True,
    inner_folds: int = 4,
    seed: int = 1,
    k: int = 10,
    text_weights: Sequence[float] = TEXT_WEIGHTS,
    prior_weights: Sequence[float] = PRIOR_WEIGHTS,
    hypernym_weights: Sequence[float] = HYPERNYM_WEIGHTS,
) -> tuple[dict[Weights, float], int]:
    """``({(w, v, u): summed recall@k + reciprocal rank}, queries)`` of hide-one-label
    completion on inner folds of ``train_sets``, over the weight grid in product order.

    Args:
        graph: the (fold) graph; its text edges, corpus frequencies, name-head hypernyms and
            ``prior_backoff`` are used as they are.
        train_sets: the outer fold's training label sets (vocabulary indices).
        refit: count the image part over the inner training sets (the graph's annotations came
            from these images); False uses the graph's own annotation pairs.
        inner_folds: inner folds (>= 2).
        seed: inner split.
        k: cut-off of recall@k.
        text_weights, prior_weights, hypernym_weights: the grid (``w + v > 1`` skipped).

    Raises:
        ValueError: an empty grid.
    """
    wv = [(w, v) for w, v in itertools.product(text_weights, prior_weights) if w + v <= 1]
    us = [float(u) for u in hypernym_weights]
    if not wv or not us:
        raise ValueError("empty weight grid")
    grid = [(float(w), float(v), u) for w, v in wv for u in us]
    sets = [list(s) for s in train_sets]
    fold_of = kfold_assignments(len(sets), inner_folds, seed)
    total = np.zeros((len(wv), len(us)))
    queries = 0
    for f in range(inner_folds):
        inner_train = [s for s, fo in zip(sets, fold_of) if fo != f and s]
        model = _model(graph, inner_train if refit else None)
        cache: dict[int, tuple[np.ndarray | None, np.ndarray, np.ndarray]] = {}
        for i in np.flatnonzero(fold_of == f):
            s = sets[i]
            if len(s) < 2:
                continue
            for h in range(len(s)):
                given = s[:h] + s[h + 1 :]
                parts = [
                    cache.setdefault(j, (*model.components(j), model.parents(j))) for j in given
                ]
                excl = np.asarray(given)
                hyp = np.zeros(model.n)
                for _, _, par in parts:
                    if len(par):
                        hyp[par] += 1.0 / len(par)
                parented = [len(par) > 0 for _, _, par in parts]
                for g, (w, v) in enumerate(wv):
                    mixed = [model.mix(img, t, w, v) for img, t, _ in parts]
                    scores = sum(mixed)
                    if not any(parented):  # u changes nothing: rank once
                        greater, ties = tie_aware_rank(scores, s[h], exclude=excl)
                        total[g] += expected_recall_at_k(greater, ties, k)
                        total[g] += expected_reciprocal_rank(greater, ties)
                        continue
                    with_parents = sum(m for m, p in zip(mixed, parented) if p)
                    for b, u in enumerate(us):
                        su = scores if u == 0.0 else scores - u * with_parents + u * hyp
                        greater, ties = tie_aware_rank(su, s[h], exclude=excl)
                        total[g, b] += expected_recall_at_k(greater, ties, k)
                        total[g, b] += expected_reciprocal_rank(greater, ties)
                queries += 1
    return {w: float(t) for w, t in zip(grid, total.ravel())}, queries


def best_weights(
    scores: dict[Weights, float],
    text_weight: float | None = None,
    hypernym_weight: float | None = None,
) -> Weights:
    """The first best ``(w, v, u)`` of :func:`completion_weight_scores` (smallest text, then
    prior, then hypernym weight among ties), optionally with ``w`` or ``u`` held fixed.

    Raises:
        ValueError: no grid point with the fixed weights.
    """
    keys = [
        key
        for key in scores
        if (text_weight is None or key[0] == text_weight)
        and (hypernym_weight is None or key[2] == hypernym_weight)
    ]
    if not keys:
        raise ValueError(
            f"no weights in the grid with text weight {text_weight} and hypernym weight "
            f"{hypernym_weight}"
        )
    return max(keys, key=lambda key: scores[key])  # max keeps the first of equal scores


def fit_completion_weights(
    graph: Any,
    train_sets: Sequence[Sequence[int]],
    refit: bool = True,
    inner_folds: int = 4,
    seed: int = 1,
    k: int = 10,
    text_weights: Sequence[float] = TEXT_WEIGHTS,
    prior_weights: Sequence[float] = PRIOR_WEIGHTS,
    hypernym_weights: Sequence[float] = HYPERNYM_WEIGHTS,
) -> Weights:
    """``(w, v, u)`` maximising mean recall@k + MRR of hide-one-label completion on inner
    folds (arguments of :func:`completion_weight_scores`); the graph's own weights when no
    training set has two labels."""
    scores, queries = completion_weight_scores(
        graph,
        train_sets,
        refit=refit,
        inner_folds=inner_folds,
        seed=seed,
        k=k,
        text_weights=text_weights,
        prior_weights=prior_weights,
        hypernym_weights=hypernym_weights,
    )
    if queries == 0:
        sc = graph.scoring
        return (
            float(sc["completion_text_weight"]),
            float(sc["completion_prior_weight"]),
            float(sc["completion_hypernym_weight"]),
        )
    best = best_weights(scores)
    logger.info(
        "completion weights by %d-fold inner CV over %d queries: text %.3g, prior %.3g, "
        "hypernym %.3g",
        inner_folds,
        queries,
        *best,
    )
    return best
