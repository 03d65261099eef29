"""Command-line overrides of a run's stored decision rule (``vision predict``'s decision flags)."""

from __future__ import annotations

from dataclasses import dataclass

from vision.adapt import AdaptedRun, ClassThresholds, DecisionRule

__all__ = ["DecisionOverrides"]


@dataclass(frozen=True)
class DecisionOverrides:
    """Changes to the decision rule a run predicts with (None / False: keep the run's).

    Attributes:
        threshold: one global threshold replacing the per-class ones.
        min_labels: at least this many labels per image.
        max_labels: at most this many labels per image (0: no cap).
        no_knn: ignore a stored kNN label transfer.
    """

    threshold: float | None = None
    min_labels: int | None = None
    max_labels: int | None = None
    no_knn: bool = False

    def rule_for(self, run: AdaptedRun) -> DecisionRule:
        """The run's stored rule (or one global threshold: the run's best validation
        threshold), with these overrides applied; the run's own rule is not modified."""
        rule = run.rule or DecisionRule.default(run.codes, run.default_threshold)
        thr = rule.thresholds
        if self.threshold is not None:
            thr = ClassThresholds.constant(
                run.codes, self.threshold, thr.min_labels, thr.max_labels
            )
        min_labels = thr.min_labels if self.min_labels is None else self.min_labels
        max_labels = thr.max_labels if self.max_labels is None else (self.max_labels or None)
        thresholds = ClassThresholds(
            list(thr.codes), thr.thresholds, thr.global_threshold, min_labels, max_labels, thr.stats
        )
        if self.no_knn:
            rule = rule.without("knn")
        return DecisionRule(rule.codes, thresholds, stats=rule.stats, steps=rule.steps)
