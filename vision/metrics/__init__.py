"""Metrics for multi-label predictions: the competition's mean per-image F2, threshold search,
mAP, precision and recall.

Set versions take ``{image_id: labels}`` mappings (what submissions hold); array versions take
``[N, L]`` score or 0/1 matrices (numpy, scipy.sparse or torch).
"""

from vision.metrics.average_precision import average_precision, mean_average_precision
from vision.metrics.fbeta import (
    fbeta_from_counts,
    fbeta_sets,
    mean_f2,
    mean_f2_arrays,
    per_image_fbeta,
    per_image_fbeta_arrays,
)
from vision.metrics.precision_recall import LabelStats, mean_precision_recall, per_label_stats
from vision.metrics.threshold_search import (
    DEFAULT_THRESHOLDS,
    best_global_threshold,
    counts_at_thresholds,
    f2_at_thresholds,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LabelStats",
    "average_precision",
    "best_global_threshold",
    "counts_at_thresholds",
    "f2_at_thresholds",
    "fbeta_from_counts",
    "fbeta_sets",
    "mean_average_precision",
    "mean_f2",
    "mean_f2_arrays",
    "mean_precision_recall",
    "per_image_fbeta",
    "per_image_fbeta_arrays",
    "per_label_stats",
]
