"""The dense ``[N, L]`` implementations before issue #15 (verbatim), as references.

The sparse and chunked versions in ``vision.metrics``, ``vision.adapt`` and
``vision.inference`` must give *identical* results (not merely close ones); the equality
tests compare them with these on random sparse data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from vision.metrics import average_precision, fbeta_from_counts
from vision.metrics.threshold_search import DEFAULT_THRESHOLDS


def as_dense(x: Any, dtype: Any = np.float64) -> np.ndarray:
    if sp.issparse(x):
        x = x.toarray()
    elif hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x, dtype=dtype)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D [N, L] array, got shape {arr.shape}")
    return arr


def as_bool(x: Any) -> np.ndarray:
    return as_dense(x, dtype=np.float64) > 0.5


# ---------------------------------------------------------------- vision.metrics
def f2_at_thresholds(probs, targets, thresholds=None, beta=2.0):
    p = as_dense(probs, dtype=np.float32)
    t = as_bool(targets)
    grid = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if p.shape[0] == 0:
        return np.zeros(len(grid))
    n_true = t.sum(1)
    out = np.empty(len(grid))
    for k, thr in enumerate(grid):
        hit = p >= thr
        tp = np.logical_and(hit, t).sum(1)
        out[k] = fbeta_from_counts(tp, hit.sum(1), n_true, beta).mean()
    return out


def best_global_threshold(probs, targets, thresholds=None):
    grid = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    scores = f2_at_thresholds(probs, targets, grid)
    k = int(np.argmax(scores))
    return float(grid[k]), float(scores[k])


def mean_average_precision(probs, targets, average="macro"):
    p = as_dense(probs)
    t = as_bool(targets)
    if average == "samples":
        p, t = p.T, t.T
    cols = np.nonzero(t.any(0))[0]
    if len(cols) == 0:
        return 0.0
    return float(np.mean([average_precision(p[:, j], t[:, j]) for j in cols]))


def per_image_fbeta_arrays(pred, targets, beta=2.0):
    p, t = as_bool(pred), as_bool(targets)
    tp = np.logical_and(p, t).sum(1)
    return fbeta_from_counts(tp, p.sum(1), t.sum(1), beta)


def mean_f2_arrays(pred, targets):
    scores = per_image_fbeta_arrays(pred, targets, beta=2.0)
    return float(scores.mean()) if scores.size else 0.0


# ---------------------------------------------------------------- vision.adapt.thresholds
def apply_label_count_rules(probs, hits, min_labels=0, max_labels=None):
    hits = np.array(hits, dtype=bool, copy=True)
    n, n_labels = hits.shape
    if n == 0 or n_labels == 0:
        return hits
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


def decide(thresholds, probs, min_labels=0, max_labels=None):
    p = as_dense(probs)
    hits = p >= np.asarray(thresholds, dtype=np.float64)[None, :]
    return apply_label_count_rules(p, hits, min_labels, max_labels)


def _coordinate_fit(p, t, thr, cols, grid, passes):
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
            cand = (p[:, j][None, :] >= grid[:, None]).astype(np.float64)
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


def fit_class_thresholds(probs, targets, shrinkage=5.0, unseen_threshold=0.5, grid=None, passes=2):
    """-> (final thresholds [L], global threshold, stats dict)"""
    p = as_dense(probs)
    t = as_bool(targets)
    grid = DEFAULT_THRESHOLDS if grid is None else np.asarray(grid, dtype=np.float64)
    global_thr, global_f2 = best_global_threshold(p, t, grid)
    n_pos = t.sum(0)
    seen = np.nonzero(n_pos > 0)[0]
    start = np.full(p.shape[1], global_thr)
    fitted = _coordinate_fit(p, t, start, seen, grid, passes)
    final = (n_pos * fitted + shrinkage * global_thr) / np.maximum(n_pos + shrinkage, 1e-12)
    final[n_pos == 0] = global_thr if unseen_threshold is None else float(unseen_threshold)
    stats = {
        "tuning_images": int(p.shape[0]),
        "labels_with_positives": int(len(seen)),
        "tuning_f2_global": float(global_f2),
        "tuning_f2_fitted_unshrunk": mean_f2_arrays(p >= fitted[None, :], t),
        "tuning_f2_final": mean_f2_arrays(decide(final, p), t),
    }
    return final, global_thr, stats


def fit_label_count_rules(
    probs,
    targets,
    thresholds,
    min_candidates=(0, 1, 2, 3),
    max_candidates=(None, 3, 4, 5, 6, 8, 10, 15),
):
    """-> (f2, min_labels, max_labels)"""
    p = as_dense(probs)
    t = as_bool(targets)
    hits = p >= np.asarray(thresholds)[None, :]
    best = (-1.0, 0, None)
    for lo in min_candidates:
        for hi in max_candidates:
            if hi is not None and hi < lo:
                continue
            f2 = mean_f2_arrays(apply_label_count_rules(p, hits, lo, hi), t)
            if f2 > best[0] + 1e-12:
                best = (f2, lo, hi)
    return best


# ---------------------------------------------------------------- vision.adapt.prior_shift
_EPS = 1e-6


def log_odds(p, eps=_EPS):
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return np.log(p) - np.log1p(-p)


def shift_probs(probs, offset, eps=_EPS):
    p = as_dense(probs)
    z = log_odds(p, eps) + np.asarray(offset, dtype=np.float64)[None, :]
    return 1.0 / (1.0 + np.exp(-z))


def em_priors(
    probs, source_prior, *, labeled_targets=None, init_prior=None, max_iter=200, tol=1e-7
):
    p = as_dense(probs)
    s = np.clip(np.asarray(source_prior, dtype=np.float64), _EPS, 1 - _EPS)
    q = s.copy() if init_prior is None else np.asarray(init_prior, dtype=np.float64).copy()
    lab_sum, n_lab = 0.0, 0
    if labeled_targets is not None:
        lt = as_bool(labeled_targets)
        lab_sum, n_lab = lt.sum(0).astype(np.float64), lt.shape[0]
    total = p.shape[0] + n_lab
    if total == 0:
        return q, p
    for _ in range(max_iter):
        adjusted = shift_probs(p, log_odds(q) - log_odds(s))
        q_new = (adjusted.sum(0) + lab_sum) / total
        delta = float(np.max(np.abs(q_new - q))) if q.size else 0.0
        q = q_new
        if delta < tol:
            break
    adjusted = shift_probs(p, log_odds(q) - log_odds(s))
    return q, adjusted


# ---------------------------------------------------------------- vision.inference
def labels_from_decisions(image_ids, decisions, codes, probs=None, fallback_k=1):
    decisions = np.asarray(decisions, dtype=bool)
    out = {}
    n_fallback = 0
    for i, image_id in enumerate(image_ids):
        cols = np.nonzero(decisions[i])[0]
        if probs is not None:
            if len(cols) == 0 and fallback_k > 0:
                cols = np.argsort(-probs[i], kind="stable")[:fallback_k]
                n_fallback += 1
            cols = cols[np.argsort(-probs[i, cols], kind="stable")]
        out[image_id] = [codes[j] for j in cols]
    return out, n_fallback


def vote_mean(probs):
    return np.mean(np.stack([np.asarray(p) for p in probs]), axis=0)


def vote_majority(probs, decisions):
    votes = np.mean(np.stack([np.asarray(d, dtype=np.float64) for d in decisions]), axis=0)
    mean_p = np.mean(np.stack([np.asarray(p) for p in probs]), axis=0)
    return votes + 1e-3 * mean_p, votes > 0.5
