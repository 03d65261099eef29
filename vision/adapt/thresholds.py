"""Per-class decision thresholds fitted to maximise mean per-image F2, plus label-count rules.

The 3rd place of the Inclusive Images Challenge called per-class thresholds fitted on the tuning
labels "the most important part of the competition". With ~100-1,000 tuning images most labels
have very few positives, so the fitted value is *shrunk* toward the global threshold::

    t_j = (n_j * fitted_j + k * global) / (n_j + k)        n_j = tuning positives of label j

and labels never seen in the tuning labels get a high default (``unseen_threshold``): the tuning
set is evidence that they are rare in the target domain.

A label is predicted when ``prob >= t_j``; then the label-count rules apply: fewer than
``min_labels`` predictions are topped up with the highest-probability labels, more than
``max_labels`` are cut to the highest-probability ones.

On-disk format: one JSON file (``format: "vision.thresholds"``, ``version: 1``) holding the
codes, thresholds, rules and fit statistics.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpora.atomic import atomic_write
from corpora.errors import CorruptInputError, InputError
from vision.metrics import best_global_threshold, fbeta_from_counts, mean_f2_arrays
from vision.metrics._arrays import as_bool, as_dense
from vision.metrics.threshold_search import DEFAULT_THRESHOLDS

__all__ = [
    "ClassThresholds",
    "apply_label_count_rules",
    "fit_class_thresholds",
    "fit_label_count_rules",
]

logger = logging.getLogger(__name__)

FORMAT = "vision.thresholds"
VERSION = 1


def apply_label_count_rules(
    probs: np.ndarray, hits: np.ndarray, min_labels: int = 0, max_labels: int | None = None
) -> np.ndarray:
    """Enforce ``min_labels <= labels per image <= max_labels`` by probability rank.

    Args:
        probs: ``[N, L]`` scores.
        hits: ``[N, L]`` bool decisions before the rules.
        min_labels: rows with fewer hits get their top-``min_labels`` labels added.
        max_labels: rows with more hits keep only their ``max_labels`` best hits (None: no cap).
    Returns:
        new ``[N, L]`` bool array.
    """
    hits = np.array(hits, dtype=bool, copy=True)
    n, n_labels = hits.shape
    if n == 0 or n_labels == 0:
        return hits
    order = None
    if min_labels > 0:
        k = min(min_labels, n_labels)
        rows = np.nonzero(hits.sum(1) < k)[0]
        if len(rows):
            top = np.argsort(-probs[rows], axis=1, kind="stable")[:, :k]
            hits[rows[:, None], top] = True
    if max_labels is not None:
        rows = np.nonzero(hits.sum(1) > max_labels)[0]
        if len(rows):
            masked = np.where(hits[rows], probs[rows], -np.inf)
            order = np.argsort(-masked, axis=1, kind="stable")
            drop = order[:, max_labels:]
            hits[rows[:, None], drop] = False
    return hits


@dataclass
class ClassThresholds:
    """Per-label thresholds and label-count rules; ``decide(probs)`` gives the predicted labels.

    Attributes:
        codes: label codes ``[L]`` (the model's vocabulary order).
        thresholds: ``[L]`` float thresholds on probabilities.
        global_threshold: the single best threshold the per-class values were shrunk toward.
        min_labels / max_labels: label-count rules (``max_labels`` None = no cap).
        stats: fit statistics (tuning F2 before/after, counts), stored with the file.
    """

    codes: list[str]
    thresholds: np.ndarray
    global_threshold: float
    min_labels: int = 0
    max_labels: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.thresholds = np.asarray(self.thresholds, dtype=np.float64)
        if self.thresholds.shape != (len(self.codes),):
            raise ValueError(
                f"thresholds shape {self.thresholds.shape} does not match {len(self.codes)} codes"
            )

    @classmethod
    def constant(
        cls,
        codes: Sequence[str],
        threshold: float,
        min_labels: int = 0,
        max_labels: int | None = None,
    ) -> ClassThresholds:
        """The same threshold for every label."""
        return cls(
            list(codes),
            np.full(len(codes), float(threshold)),
            float(threshold),
            min_labels,
            max_labels,
        )

    def decide(self, probs: Any) -> np.ndarray:
        """Predicted labels ``[N, L]`` bool for probabilities ``[N, L]``."""
        p = as_dense(probs)
        if p.shape[1] != len(self.codes):
            raise ValueError(f"probs have {p.shape[1]} labels, thresholds {len(self.codes)}")
        hits = p >= self.thresholds[None, :]
        return apply_label_count_rules(p, hits, self.min_labels, self.max_labels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "codes": list(self.codes),
            "thresholds": [float(x) for x in self.thresholds],
            "global_threshold": float(self.global_threshold),
            "min_labels": int(self.min_labels),
            "max_labels": None if self.max_labels is None else int(self.max_labels),
            "stats": self.stats,
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the JSON file atomically."""
        path = Path(path)
        with atomic_write(path) as fh:
            json.dump(self.to_dict(), fh, indent=1)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ClassThresholds:
        """Read a file written by :meth:`save`; :class:`InputError` when it is not one."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"threshold file {path} does not exist")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorruptInputError(f"threshold file {path} is not valid JSON: {exc}") from exc
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise InputError(
                f"{path} is not a {FORMAT} v{VERSION} file (format={data.get('format')!r}, "
                f"version={data.get('version')!r}); re-run `vision adapt --mode thresholds`"
            )
        return cls(
            codes=list(data["codes"]),
            thresholds=np.asarray(data["thresholds"], dtype=np.float64),
            global_threshold=float(data["global_threshold"]),
            min_labels=int(data["min_labels"]),
            max_labels=data["max_labels"],
            stats=dict(data.get("stats", {})),
        )


def _coordinate_fit(
    p: np.ndarray, t: np.ndarray, thr: np.ndarray, cols: np.ndarray, grid: np.ndarray, passes: int
) -> np.ndarray:
    """Coordinate ascent on the mean per-image F2, one label at a time over ``grid``."""
    thr = thr.copy()
    hits = p >= thr[None, :]
    tp = np.logical_and(hits, t).sum(1).astype(np.float64)
    n_pred = hits.sum(1).astype(np.float64)
    n_true = t.sum(1).astype(np.float64)
    for _ in range(passes):
        changed = False
        for j in cols:
            cur = hits[:, j].astype(np.float64)
            y = t[:, j].astype(np.float64)
            base_tp, base_pred = tp - cur * y, n_pred - cur
            cand = (p[:, j][None, :] >= grid[:, None]).astype(np.float64)  # [T, N]
            scores = fbeta_from_counts(base_tp + cand * y, base_pred + cand, n_true).sum(1)
            current = fbeta_from_counts(tp, n_pred, n_true).sum()
            k = int(np.argmax(scores))
            if scores[k] > current + 1e-12:
                thr[j] = grid[k]
                hits[:, j] = cand[k] > 0
                tp, n_pred = base_tp + cand[k] * y, base_pred + cand[k]
                changed = True
        if not changed:
            break
    return thr


def fit_class_thresholds(
    probs: Any,
    targets: Any,
    codes: Sequence[str],
    *,
    shrinkage: float = 5.0,
    unseen_threshold: float | None = 0.5,
    grid: Any = None,
    passes: int = 2,
) -> ClassThresholds:
    """Fit per-class thresholds on tuning predictions to maximise mean per-image F2.

    Args:
        probs: tuning-image probabilities ``[N, L]``.
        targets: tuning labels ``[N, L]`` 0/1.
        codes: label codes ``[L]``.
        shrinkage: ``k`` in ``t_j = (n_j fitted_j + k global) / (n_j + k)``; 0 = no shrinkage.
        unseen_threshold: threshold for labels with no tuning positive (None: the global one).
        grid: candidate thresholds (default :data:`vision.metrics.DEFAULT_THRESHOLDS`).
        passes: coordinate-ascent sweeps over the labels.
    Returns:
        :class:`ClassThresholds` with ``min_labels = 0`` and no cap; ``stats`` holds the tuning
        F2 at the global threshold and with the final per-class values (in-sample).
    """
    p = as_dense(probs)
    t = as_bool(targets)
    if p.shape != t.shape or p.shape[1] != len(codes):
        raise ValueError(f"probs {p.shape}, targets {t.shape} and {len(codes)} codes disagree")
    grid = DEFAULT_THRESHOLDS if grid is None else np.asarray(grid, dtype=np.float64)
    global_thr, global_f2 = best_global_threshold(p, t, grid)
    n_pos = t.sum(0)
    seen = np.nonzero(n_pos > 0)[0]
    start = np.full(p.shape[1], global_thr)
    fitted = _coordinate_fit(p, t, start, seen, grid, passes)
    final = (n_pos * fitted + shrinkage * global_thr) / np.maximum(n_pos + shrinkage, 1e-12)
    final[n_pos == 0] = global_thr if unseen_threshold is None else float(unseen_threshold)
    result = ClassThresholds(list(codes), final, global_thr)
    result.stats = {
        "tuning_images": int(p.shape[0]),
        "labels_with_positives": int(len(seen)),
        "shrinkage": float(shrinkage),
        "unseen_threshold": None if unseen_threshold is None else float(unseen_threshold),
        "tuning_f2_global": float(global_f2),
        "tuning_f2_fitted_unshrunk": mean_f2_arrays(p >= fitted[None, :], t),
        "tuning_f2_final": mean_f2_arrays(result.decide(p), t),
    }
    logger.info(
        "thresholds: global %.3f (tuning F2 %.4f), per-class on %d labels (in-sample F2 %.4f)",
        global_thr,
        global_f2,
        len(seen),
        result.stats["tuning_f2_final"],
    )
    return result


def fit_label_count_rules(
    probs: Any,
    targets: Any,
    thresholds: ClassThresholds,
    min_candidates: Sequence[int] = (0, 1, 2, 3),
    max_candidates: Sequence[int | None] = (None, 3, 4, 5, 6, 8, 10, 15),
) -> ClassThresholds:
    """Pick ``min_labels`` / ``max_labels`` maximising mean F2 on (tuning) predictions.

    Ties go to the first candidates (fewest rules). Returns a new :class:`ClassThresholds`.
    """
    p = as_dense(probs)
    t = as_bool(targets)
    hits = p >= thresholds.thresholds[None, :]
    best = (-1.0, 0, None)
    for lo in min_candidates:
        for hi in max_candidates:
            if hi is not None and hi < lo:
                continue
            f2 = mean_f2_arrays(apply_label_count_rules(p, hits, lo, hi), t)
            if f2 > best[0] + 1e-12:
                best = (f2, lo, hi)
    f2, lo, hi = best
    stats = dict(thresholds.stats, tuning_f2_with_count_rules=float(f2))
    return ClassThresholds(
        list(thresholds.codes),
        thresholds.thresholds.copy(),
        thresholds.global_threshold,
        lo,
        hi,
        stats,
    )
