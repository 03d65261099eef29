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

Scale: the truth is kept as a sparse matrix of its positives and the scores are read a block
of rows (or one label's column) at a time, so fitting and deciding over ``[N, L]`` at 7,178
labels makes no dense float64 copy of the inputs; :meth:`ClassThresholds.decide_sparse` gives
the decisions as a sparse matrix. The results are the same as the dense computation's.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_write
from corpora.errors import CorruptInputError, InputError
from vision.metrics import best_global_threshold, fbeta_from_counts
from vision.metrics._arrays import (
    DEFAULT_CHUNK_ROWS,
    as_matrix,
    dense_columns,
    dense_rows,
    positives_csr,
    row_blocks,
    row_counts,
)
from vision.metrics.threshold_search import DEFAULT_THRESHOLDS

__all__ = [
    "ClassThresholds",
    "apply_label_count_rules",
    "fit_class_thresholds",
    "fit_label_count_rules",
    "top_k_mask",
]

logger = logging.getLogger(__name__)

FORMAT = "vision.thresholds"
VERSION = 1


def top_k_mask(scores: np.ndarray, k: int) -> np.ndarray:
    """``[r, L]`` bool: each row's ``k`` highest scores, ties to the lower label index.

    The same set as the first ``k`` columns of ``np.argsort(-scores, axis=1, kind="stable")``
    (NaN ranks last), found with ``np.partition`` instead of a full sort.
    """
    scores = np.asarray(scores)
    r, n_labels = scores.shape
    if k <= 0 or r == 0:
        return np.zeros((r, n_labels), dtype=bool)
    if k >= n_labels:
        return np.ones((r, n_labels), dtype=bool)
    neg = -scores
    kth = np.partition(neg, k - 1, axis=1)[:, k - 1 : k]  # [r, 1]: the k-th smallest of -scores
    if np.isnan(kth).any():  # fewer than k numbers in a row: the stable sort decides
        order = np.argsort(neg, axis=1, kind="stable")[:, :k]
        out = np.zeros((r, n_labels), dtype=bool)
        np.put_along_axis(out, order, True, axis=1)
        return out
    less = neg < kth
    equal = neg == kth
    need = k - less.sum(1, keepdims=True)
    return less | (equal & (np.cumsum(equal, axis=1) <= need))


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
        new ``[N, L]`` bool array. Ties in rank go to the lower label index.
    """
    hits = np.array(hits, dtype=bool, copy=True)
    n, n_labels = hits.shape
    if n == 0 or n_labels == 0:
        return hits
    if min_labels > 0:
        k = min(min_labels, n_labels)
        rows = np.nonzero(hits.sum(1) < k)[0]
        if len(rows):
            hits[rows] |= top_k_mask(probs[rows], k)
    if max_labels is not None:
        rows = np.nonzero(hits.sum(1) > max_labels)[0]
        if len(rows):
            masked = np.where(hits[rows], probs[rows], -np.inf)
            hits[rows] &= top_k_mask(masked, max_labels)
    return hits


def _hit_counts(hits: np.ndarray, truth: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``hits [c, L]`` bool: ``(true positives against truth [c, L], hits)``."""
    pos_rows = np.repeat(np.arange(hits.shape[0]), np.diff(truth.indptr))
    tp = np.bincount(pos_rows[hits[pos_rows, truth.indices]], minlength=hits.shape[0])
    return tp.astype(np.int64), hits.sum(1).astype(np.int64)


def _threshold_counts(
    p: Any, truth: sp.csr_matrix, thresholds: np.ndarray, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: ``(tp, n_pred)`` int64 ``[N]`` of ``p >= thresholds [L]`` (float64 compare)."""
    tp = np.zeros(p.shape[0], dtype=np.int64)
    n_pred = np.zeros(p.shape[0], dtype=np.int64)
    for block in row_blocks(p.shape[0], chunk_rows):
        hits = dense_rows(p, block, np.float64) >= thresholds[None, :]
        tp[block], n_pred[block] = _hit_counts(hits, truth[block])
    return tp, n_pred


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

    def decide_blocks(
        self, probs: Any, chunk_rows: int = DEFAULT_CHUNK_ROWS
    ) -> Iterator[tuple[slice, np.ndarray]]:
        """``(rows, decisions [c, L] bool)`` for consecutive blocks of rows of probabilities
        ``[N, L]`` (numpy, torch or sparse; compared as float64, one block at a time)."""
        p = as_matrix(probs)
        if p.shape[1] != len(self.codes):
            raise ValueError(f"probs have {p.shape[1]} labels, thresholds {len(self.codes)}")
        for block in row_blocks(p.shape[0], chunk_rows):
            pc = dense_rows(p, block, np.float64)
            hits = pc >= self.thresholds[None, :]
            yield block, apply_label_count_rules(pc, hits, self.min_labels, self.max_labels)

    def decide(self, probs: Any, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> np.ndarray:
        """Predicted labels ``[N, L]`` bool for probabilities ``[N, L]``."""
        p = as_matrix(probs)
        out = np.zeros(p.shape, dtype=bool)
        for block, hits in self.decide_blocks(p, chunk_rows):
            out[block] = hits
        return out

    def decide_sparse(self, probs: Any, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> sp.csr_matrix:
        """:meth:`decide` as a boolean CSR matrix ``[N, L]`` (a few labels per image: the
        dense ``[N, L]`` decisions are never held at once)."""
        p = as_matrix(probs)
        parts = [sp.csr_matrix(hits) for _, hits in self.decide_blocks(p, chunk_rows)]
        if not parts:
            return sp.csr_matrix(p.shape, dtype=bool)
        return sp.vstack(parts, format="csr")

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
    p: Any, t: sp.csr_matrix, thr: np.ndarray, cols: np.ndarray, grid: np.ndarray, passes: int
) -> np.ndarray:
    """Coordinate ascent on the mean per-image F2, one label at a time over ``grid``.

    ``p [N, L]`` scores, ``t`` the positives (CSR bool); per label only its column is read."""
    thr = thr.copy()
    n = p.shape[0]
    tp_i, pred_i = _threshold_counts(p, t, thr)
    tp, n_pred = tp_i.astype(np.float64), pred_i.astype(np.float64)
    n_true = row_counts(t).astype(np.float64)
    tc = t.tocsc()
    tc.sort_indices()
    for _ in range(passes):
        changed = False
        for j in cols:
            col = dense_columns(p, np.array([j]))[0]  # [N] float64
            cur = (col >= thr[j]).astype(np.float64)
            y = np.zeros(n)
            y[tc.indices[tc.indptr[j] : tc.indptr[j + 1]]] = 1.0
            base_tp, base_pred = tp - cur * y, n_pred - cur
            cand = (col[None, :] >= grid[:, None]).astype(np.float64)  # [T, N]
            scores = fbeta_from_counts(base_tp + cand * y, base_pred + cand, n_true).sum(1)
            current = fbeta_from_counts(tp, n_pred, n_true).sum()
            k = int(np.argmax(scores))
            if scores[k] > current + 1e-12:
                thr[j] = grid[k]
                tp, n_pred = base_tp + cand[k] * y, base_pred + cand[k]
                changed = True
        if not changed:
            break
    return thr


def _intersection(a: sp.csr_matrix, b: sp.csr_matrix) -> sp.csr_matrix:
    """Entries stored in both boolean CSR matrices."""
    both = a.multiply(b).tocsr()
    both.eliminate_zeros()
    return both


def _mean_f2(tp: np.ndarray, n_pred: np.ndarray, n_true: np.ndarray) -> float:
    """Mean per-image F2 of per-row counts (0.0 for no rows), as ``mean_f2_arrays``."""
    scores = fbeta_from_counts(tp, n_pred, n_true, 2.0)
    return float(scores.mean()) if scores.size else 0.0


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
    p = as_matrix(probs)
    t = positives_csr(targets)
    if p.shape != t.shape or p.shape[1] != len(codes):
        raise ValueError(f"probs {p.shape}, targets {t.shape} and {len(codes)} codes disagree")
    grid = DEFAULT_THRESHOLDS if grid is None else np.asarray(grid, dtype=np.float64)
    global_thr, global_f2 = best_global_threshold(p, t, grid)
    n_pos = np.bincount(t.indices, minlength=t.shape[1]).astype(np.int64)
    seen = np.nonzero(n_pos > 0)[0]
    start = np.full(p.shape[1], global_thr)
    fitted = _coordinate_fit(p, t, start, seen, grid, passes)
    final = (n_pos * fitted + shrinkage * global_thr) / np.maximum(n_pos + shrinkage, 1e-12)
    final[n_pos == 0] = global_thr if unseen_threshold is None else float(unseen_threshold)
    result = ClassThresholds(list(codes), final, global_thr)
    n_true = row_counts(t)
    final_decisions = result.decide_sparse(p)
    final_tp = row_counts(_intersection(final_decisions, t))
    result.stats = {
        "tuning_images": int(p.shape[0]),
        "labels_with_positives": int(len(seen)),
        "shrinkage": float(shrinkage),
        "unseen_threshold": None if unseen_threshold is None else float(unseen_threshold),
        "tuning_f2_global": float(global_f2),
        "tuning_f2_fitted_unshrunk": _mean_f2(*_threshold_counts(p, t, fitted), n_true),
        "tuning_f2_final": _mean_f2(final_tp, row_counts(final_decisions), n_true),
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
    The scores are read once, a block of rows at a time; every candidate pair is counted on
    each block.
    """
    p = as_matrix(probs)
    t = positives_csr(targets)
    pairs = [(lo, hi) for lo in min_candidates for hi in max_candidates if hi is None or hi >= lo]
    tp = np.zeros((len(pairs), p.shape[0]), dtype=np.int64)
    n_pred = np.zeros((len(pairs), p.shape[0]), dtype=np.int64)
    for block in row_blocks(p.shape[0]):
        pc = dense_rows(p, block, np.float64)
        hits = pc >= thresholds.thresholds[None, :]
        truth = t[block]
        for c, (lo, hi) in enumerate(pairs):
            tp[c, block], n_pred[c, block] = _hit_counts(
                apply_label_count_rules(pc, hits, lo, hi), truth
            )
    n_true = row_counts(t)
    best = (-1.0, 0, None)
    for c, (lo, hi) in enumerate(pairs):
        f2 = _mean_f2(tp[c], n_pred[c], n_true)
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
