"""Precision and recall: per image (averaged like the F2 metric) and per label."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from vision.metrics.fbeta import fbeta_from_counts

__all__ = ["LabelStats", "mean_precision_recall", "per_label_stats"]


@dataclass(frozen=True)
class LabelStats:
    """Counts and scores of one label over a solution (micro over its images)."""

    label: str
    support: int  # images whose truth has the label
    predicted: int  # images whose prediction has the label
    true_positives: int
    precision: float  # TP / predicted (0.0 when never predicted)
    recall: float  # TP / support (0.0 when support is 0)
    f2: float  # F2 from the same counts (1.0 when support = predicted = 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mean_precision_recall(
    y_true: Mapping[str, Iterable[str]], y_pred: Mapping[str, Iterable[str]]
) -> tuple[float, float]:
    """Mean per-image precision and recall over the solution's images.

    An empty prediction has precision 0 (1 when the truth is empty too); an empty truth has
    recall 1 when the prediction is also empty, else 0. Missing submission rows are empty.
    Returns:
        ``(precision, recall)``; ``(0.0, 0.0)`` for an empty solution.
    """
    precisions, recalls = [], []
    for image_id, labels in y_true.items():
        t, p = set(labels), set(y_pred.get(image_id, ()))
        tp = len(t & p)
        if not t and not p:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        precisions.append(tp / len(p) if p else 0.0)
        recalls.append(tp / len(t) if t else 0.0)
    if not precisions:
        return 0.0, 0.0
    return float(np.mean(precisions)), float(np.mean(recalls))


def per_label_stats(
    y_true: Mapping[str, Iterable[str]],
    y_pred: Mapping[str, Iterable[str]],
    labels: Sequence[str] | None = None,
) -> list[LabelStats]:
    """Per-label support, precision, recall and F2 over the solution's images.

    Args:
        y_true: image id -> true labels.
        y_pred: image id -> predicted labels (only the solution's images count).
        labels: labels to report; default every label seen in either, sorted.
    Returns:
        one :class:`LabelStats` per label, sorted by descending support then label.
    """
    support: dict[str, int] = {}
    predicted: dict[str, int] = {}
    tps: dict[str, int] = {}
    for image_id, true_labels in y_true.items():
        t, p = set(true_labels), set(y_pred.get(image_id, ()))
        for label in t:
            support[label] = support.get(label, 0) + 1
        for label in p:
            predicted[label] = predicted.get(label, 0) + 1
        for label in t & p:
            tps[label] = tps.get(label, 0) + 1
    names = sorted(set(support) | set(predicted)) if labels is None else list(labels)
    out = []
    for label in names:
        s, n, tp = support.get(label, 0), predicted.get(label, 0), tps.get(label, 0)
        out.append(
            LabelStats(
                label=label,
                support=s,
                predicted=n,
                true_positives=tp,
                precision=tp / n if n else 0.0,
                recall=tp / s if s else 0.0,
                f2=float(fbeta_from_counts(tp, n, s)),
            )
        )
    out.sort(key=lambda r: (-r.support, r.label))
    return out
