"""``neighbour-thresholds``: per-class thresholds whose labels with few tuning positives borrow
the threshold of their label-graph neighbours.

The ``thresholds`` mode, then labels with fewer than ``few_positives`` tuning positives shrink
toward the edge-weighted mean threshold of their graph neighbours that have positives, with
pseudo-count ``kappa`` (:mod:`vision.adapt.neighbour_borrowing`). ``kappa`` is chosen among
``kappas`` (0 included: the mode can then give exactly the ``thresholds`` mode's decision) by
cross-validation over the out-of-fold scores of the tuning images, on the folds the unseen-label
threshold is chosen on: thresholds fitted on K-1 folds, each kappa scored on the held-out one.
The label-count rules are fitted last, on the borrowed thresholds. The decision rule stores the
thresholds themselves, so ``vision predict`` needs no graph.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from corpora.errors import InputError
from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import candidate_grid, register_mode
from vision.adapt.folds import fold_indices
from vision.adapt.modes.thresholds_mode import ThresholdsMode
from vision.adapt.neighbour_borrowing import borrow_from_neighbours, neighbour_mean
from vision.adapt.thresholds import ClassThresholds, fit_class_thresholds
from vision.label_graph_matrices import edge_matrix
from vision.metrics import mean_f2_arrays
from vision.metrics._arrays import positives_csr

__all__ = ["NeighbourThresholdsMode"]

logger = logging.getLogger(__name__)


@register_mode("neighbour-thresholds", priority=91, shorthand="source", tags={"uses_graph"})
class NeighbourThresholdsMode(ThresholdsMode):
    """per-class F2 thresholds; labels with few tuning positives borrow from graph neighbours

    Args:
        shrinkage / unseen_threshold / unseen_candidates / count_rules / min_labels: as the
            ``thresholds`` mode (the same ``AdaptationConfig`` fields and flags).
        kappas: candidate pseudo-counts of the neighbours' threshold, chosen by
            cross-validation over the out-of-fold scores; 0 reproduces the ``thresholds``
            mode [0, 1, 3, 10, 30, 100].
        source: the graph's edge source whose PMI weighs the neighbours (combined, text,
            annotation, ...) [combined] (``neighbour-thresholds@annotation``).
        few_positives: labels with fewer tuning positives borrow [2].
        max_edges: at most this many strongest neighbours with positives per label (0: all)
            [50].
        cv_repeats: the cross-validation of kappa is repeated over this many different
            splits of the tuning images into folds, its F2 averaged (the first split is the
            one the unseen-label threshold is chosen on) [1].
    """

    needs_graph: ClassVar[bool] = True

    def __init__(
        self,
        *,
        shrinkage: float = AdaptationConfig.shrinkage,
        unseen_threshold: float | None = AdaptationConfig.unseen_threshold,
        unseen_candidates: tuple[float | None, ...] = AdaptationConfig.unseen_candidates,
        count_rules: bool = AdaptationConfig.count_rules,
        min_labels: int = AdaptationConfig.min_labels,
        kappas: tuple[float, ...] = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0),
        source: str = "combined",
        few_positives: int = 2,
        max_edges: int = 50,
        cv_repeats: int = 1,
    ) -> None:
        super().__init__(
            shrinkage=shrinkage,
            unseen_threshold=unseen_threshold,
            unseen_candidates=unseen_candidates,
            count_rules=count_rules,
            min_labels=min_labels,
        )
        self.kappas = candidate_grid("neighbour-thresholds", "kappa", kappas)
        if few_positives < 1:
            raise InputError(
                f"neighbour-thresholds few_positives must be at least 1, got {few_positives}"
            )
        self.source = str(source)
        self.few_positives = int(few_positives)
        self.max_edges = int(max_edges)
        if cv_repeats < 1:
            raise InputError(
                f"neighbour-thresholds cv_repeats must be at least 1, got {cv_repeats}"
            )
        self.cv_repeats = int(cv_repeats)

    def check(self, inputs: AdaptationInputs) -> None:
        self.check_graph(inputs, self.source)

    def fit(
        self,
        scores: np.ndarray,
        targets: np.ndarray,
        codes: Sequence[str],
        *,
        inner_folds: int,
        seed: int,
        stats: dict[str, Any],
        inputs: AdaptationInputs | None = None,
    ) -> ClassThresholds:
        if inputs is None or inputs.graph is None:
            raise InputError("the neighbour-thresholds mode needs the label graph (inputs.graph)")
        edges = edge_matrix(inputs.graph, codes, self.source)
        unseen = self.unseen_for(scores, targets, codes, inner_folds, seed, stats)
        if len(self.kappas) == 1:
            kappa = self.kappas[0]
        elif len(scores) >= 2 and inner_folds >= 2:
            kappa = self._choose_kappa(
                scores, targets, codes, edges, unseen, inner_folds, seed, stats
            )
        else:
            kappa = 0.0 if 0.0 in self.kappas else self.kappas[0]
            logger.info(
                "in-sample fit (inner folds %d): kappa %g, not chosen by CV", inner_folds, kappa
            )
        thr = fit_class_thresholds(
            scores, targets, codes, shrinkage=self.shrinkage, unseen_threshold=unseen
        )
        positives = _positives(targets)
        borrowed = self._borrow(thr.thresholds, positives, edges, kappa)
        changed = int(np.sum(borrowed != thr.thresholds))
        thr = ClassThresholds(list(codes), borrowed, thr.global_threshold, stats=thr.stats)
        stats["neighbour_kappa"] = kappa
        stats["neighbour_source"] = self.source
        stats["neighbour_thresholds_changed"] = changed
        logger.info("neighbour-borrowed thresholds: kappa %g, %d labels changed", kappa, changed)
        return self.count_rules_for(scores, targets, thr)

    def _borrow(
        self, thresholds: np.ndarray, positives: np.ndarray, edges: sp.csr_matrix, kappa: float
    ) -> np.ndarray:
        if kappa == 0:
            return thresholds
        nbr = neighbour_mean(thresholds, positives, edges, self.max_edges)
        return borrow_from_neighbours(
            thresholds, positives, nbr, kappa, self.shrinkage, self.few_positives
        )

    def _choose_kappa(
        self,
        scores: np.ndarray,
        targets: np.ndarray,
        codes: Sequence[str],
        edges: sp.csr_matrix,
        unseen: float | None,
        inner_folds: int,
        seed: int,
        stats: dict[str, Any],
    ) -> float:
        """The kappa of best held-out F2 over folds of the out-of-fold scores (ties: the
        earlier candidate), each candidate's F2 recorded as ``oof_f2_neighbour_kappa_<k>``."""
        n = len(scores)
        totals = np.zeros(len(self.kappas))
        folds = [
            held
            for r in range(self.cv_repeats)
            for held in fold_indices(n, min(inner_folds, n), seed + 7 + 1000 * r)
        ]
        for held in folds:
            keep = np.setdiff1d(np.arange(n), held)
            thr = fit_class_thresholds(
                scores[keep],
                targets[keep],
                codes,
                shrinkage=self.shrinkage,
                unseen_threshold=unseen,
            )
            positives = _positives(targets[keep])
            nbr = neighbour_mean(thr.thresholds, positives, edges, self.max_edges)
            for i, kappa in enumerate(self.kappas):
                t = borrow_from_neighbours(
                    thr.thresholds, positives, nbr, kappa, self.shrinkage, self.few_positives
                )
                decide = ClassThresholds(list(codes), t, thr.global_threshold).decide
                totals[i] += mean_f2_arrays(decide(scores[held]), targets[held]) * len(held)
        totals /= self.cv_repeats
        best = 0
        for i, kappa in enumerate(self.kappas):
            stats[f"oof_f2_neighbour_kappa_{kappa:g}"] = float(totals[i] / n)
            if totals[i] / n > totals[best] / n + 1e-9:
                best = i
        logger.info(
            "neighbour kappa chosen by CV: %g (F2 %.4f)", self.kappas[best], totals[best] / n
        )
        return self.kappas[best]


def _positives(targets: Any) -> np.ndarray:
    """``[L]`` int64 tuning positives per label of ``targets [N, L]``."""
    t = positives_csr(targets)
    return np.bincount(t.indices, minlength=t.shape[1]).astype(np.int64)
