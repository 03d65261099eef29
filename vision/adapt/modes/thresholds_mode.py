"""``thresholds``: per-class F2 thresholds fitted on out-of-fold scores, and label-count rules.

Per-class thresholds are shrunk toward the global one (``shrinkage`` pseudo-count); labels
absent from the tuning labels get ``unseen_threshold`` (or one of ``unseen_candidates``,
chosen by cross-validation over the out-of-fold scores); ``count_rules`` also fits the min/max
labels per image (else ``min_labels`` applies). See :mod:`vision.adapt.thresholds`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpora.errors import InputError
from vision.adapt.adaptation_config import UNSEEN_CANDIDATES, AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import DecisionMode, register_mode
from vision.adapt.folds import fold_indices
from vision.adapt.thresholds import ClassThresholds, fit_class_thresholds, fit_label_count_rules
from vision.metrics import mean_f2_arrays

__all__ = ["UNSEEN_CANDIDATES", "ThresholdsMode", "parse_unseen_threshold"]

logger = logging.getLogger(__name__)


def parse_unseen_threshold(text: str) -> tuple[float | None, tuple[float | None, ...]]:
    """``--unseen-threshold``: a number, ``global`` or ``auto`` -> ``(unseen_threshold,
    unseen_candidates)`` of :class:`AdaptationConfig`."""
    if text == "auto":
        return 0.5, UNSEEN_CANDIDATES
    if text == "global":
        return None, ()
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"--unseen-threshold {text!r}: give a number in (0, 1), 'global' or 'auto'"
        ) from None
    return value, ()


@register_mode("thresholds", priority=90)
class ThresholdsMode(DecisionMode):
    """per-class F2 thresholds (shrunk toward global) and min/max labels per image

    Args:
        shrinkage: pseudo-count toward the global threshold [5].
        unseen_threshold: threshold of labels without tuning positives (None: the global
            one) [0.5].
        unseen_candidates: candidates for it, chosen by cross-validation over ``inner_folds``
            folds (in-sample fits, ``inner_folds < 2``, keep ``unseen_threshold``)
            [:data:`UNSEEN_CANDIDATES`].
        count_rules: also fit min/max labels per image [True].
        min_labels: at least this many labels per image without count rules [1].
    """

    def __init__(
        self,
        *,
        shrinkage: float = AdaptationConfig.shrinkage,
        unseen_threshold: float | None = AdaptationConfig.unseen_threshold,
        unseen_candidates: tuple[float | None, ...] = AdaptationConfig.unseen_candidates,
        count_rules: bool = AdaptationConfig.count_rules,
        min_labels: int = AdaptationConfig.min_labels,
    ) -> None:
        self.shrinkage = shrinkage
        self.unseen_threshold = unseen_threshold
        self.unseen_candidates = tuple(unseen_candidates)
        self.count_rules = count_rules
        self.min_labels = min_labels

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
        unseen = self.unseen_for(scores, targets, codes, inner_folds, seed, stats)
        thr = fit_class_thresholds(
            scores, targets, codes, shrinkage=self.shrinkage, unseen_threshold=unseen
        )
        return self.count_rules_for(scores, targets, thr)

    def unseen_for(
        self,
        scores: np.ndarray,
        targets: np.ndarray,
        codes: Sequence[str],
        inner_folds: int,
        seed: int,
        stats: dict[str, Any],
    ) -> float | None:
        """The threshold of labels without tuning positives: chosen among
        ``unseen_candidates`` by cross-validation when there are folds, else
        ``unseen_threshold``."""
        unseen = self.unseen_threshold
        if self.unseen_candidates and len(scores) >= 2 and inner_folds >= 2:
            unseen = self._fit_unseen_threshold(scores, targets, codes, inner_folds, seed)
            stats["unseen_threshold"] = unseen
        elif self.unseen_candidates:
            logger.info(
                "in-sample fit (inner folds %d): unseen-label threshold %s, not chosen by CV",
                inner_folds,
                unseen,
            )
        return unseen

    def count_rules_for(
        self, scores: np.ndarray, targets: np.ndarray, thr: ClassThresholds
    ) -> ClassThresholds:
        """``thr`` with its label-count rules: fitted (``count_rules``) or ``min_labels``."""
        if self.count_rules:
            return fit_label_count_rules(scores, targets, thr)
        thr.min_labels = self.min_labels
        return thr

    def _fit_unseen_threshold(
        self,
        scores: np.ndarray,
        targets: np.ndarray,
        codes: Sequence[str],
        inner_folds: int,
        seed: int,
    ) -> float | None:
        """Choose the threshold of labels absent from the tuning labels by cross-validation.

        Labels seen only in one fold are "unseen" by the other folds, so fitting thresholds on
        K-1 folds of the out-of-fold scores and scoring the held-out fold measures each
        candidate (``None`` = the global threshold) where it matters.
        """
        n = len(scores)
        folds = fold_indices(n, min(inner_folds, n), seed + 7)
        best: tuple[float, float | None] = (-1.0, None)
        for cand in self.unseen_candidates:
            total = 0.0
            for held in folds:
                keep = np.setdiff1d(np.arange(n), held)
                thr = fit_class_thresholds(
                    scores[keep],
                    targets[keep],
                    codes,
                    shrinkage=self.shrinkage,
                    unseen_threshold=cand,
                )
                total += mean_f2_arrays(thr.decide(scores[held]), targets[held]) * len(held)
            if total / n > best[0] + 1e-9:
                best = (total / n, cand)
        logger.info("unseen-label threshold chosen by CV: %s (F2 %.4f)", best[1], best[0])
        return best[1]
