"""Label-prior shift: re-estimate label priors for the target domain and shift logits.

Each label is a binary problem with a sigmoid output. If the classifier was trained where label
``j`` has prior ``s_j`` and the target domain has prior ``q_j`` (everything else unchanged), Bayes'
rule gives the target posterior by adding the log *prior-odds* ratio to the logit::

    logit'_j = logit_j + log(q_j / (1 - q_j)) - log(s_j / (1 - s_j))

Target priors come from the tuning labels (counts shrunk toward the source prior, so a label
absent from 100 tuning images is not driven to zero) and/or from EM on unlabeled target-domain
predictions (Saerens, Latinne & Decaestecker, 2002), run per label; labeled images can join the
EM with their known labels held fixed.

:class:`PriorShift` is the fitted offset as a decision-rule score step (``prior-shift``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vision.adapt.score_step import SCORE_STEPS, ScoreStep
from vision.metrics._arrays import (
    DEFAULT_CHUNK_ROWS,
    as_dense,
    as_matrix,
    dense_rows,
    positives_csr,
    row_blocks,
)

__all__ = [
    "PriorShift",
    "log_odds",
    "log_prior_ratio",
    "tuning_priors",
    "em_priors",
    "shift_logits",
    "shift_probs",
]

logger = logging.getLogger(__name__)

_EPS = 1e-6


def log_odds(p: Any, eps: float = _EPS) -> np.ndarray:
    """``log(p / (1 - p))`` with ``p`` clipped to ``[eps, 1 - eps]``."""
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return np.log(p) - np.log1p(-p)


def log_prior_ratio(source_prior: Any, target_prior: Any, eps: float = _EPS) -> np.ndarray:
    """The per-label logit offset ``logit(target) - logit(source)`` ``[L]``."""
    return log_odds(target_prior, eps) - log_odds(source_prior, eps)


def tuning_priors(targets: Any, source_prior: Any, strength: float = 10.0) -> np.ndarray:
    """Target priors from tuning labels, shrunk toward the source prior.

    ``q_j = (count_j + strength * s_j) / (N + strength)``.

    Args:
        targets: tuning labels ``[N, L]`` 0/1.
        source_prior: training-set label frequencies ``[L]`` in [0, 1].
        strength: pseudo-count of the source prior (0 = raw tuning frequencies).
    Returns:
        ``[L]`` priors.
    """
    t = positives_csr(targets)
    s = np.asarray(source_prior, dtype=np.float64)
    if t.shape[1] != s.shape[0]:
        raise ValueError(f"targets have {t.shape[1]} labels, source prior {s.shape[0]}")
    counts = np.bincount(t.indices, minlength=t.shape[1])
    return (counts + strength * s) / (t.shape[0] + strength)


def shift_probs(probs: Any, offset: Any, eps: float = _EPS) -> np.ndarray:
    """Apply a logit offset ``[L]`` to probabilities ``[N, L]``."""
    p = as_dense(probs)
    z = log_odds(p, eps) + np.asarray(offset, dtype=np.float64)[None, :]
    return 1.0 / (1.0 + np.exp(-z))


def shift_logits(logits: Any, offset: Any) -> np.ndarray:
    """``logits [N, L] + offset [L]``."""
    return as_dense(logits) + np.asarray(offset, dtype=np.float64)[None, :]


def _sigmoid_sum(
    z0: np.ndarray, offset: np.ndarray, chunk_rows: int, out: np.ndarray | None = None
) -> np.ndarray:
    """Column sums ``[L]`` of ``sigmoid(z0 + offset)`` for log-odds ``z0 [N, L]`` (the
    numbers of :func:`shift_probs`), a block of rows at a time, added row after row in order
    (the same float64 sums as ``.sum(0)`` of the whole matrix); with ``out`` (``[N, L]``
    float64) the shifted probabilities are kept."""
    acc = np.zeros((1, z0.shape[1]), dtype=np.float64)
    for block in row_blocks(z0.shape[0], chunk_rows):
        z = z0[block] + offset[None, :]
        shifted = 1.0 / (1.0 + np.exp(-z))
        if out is not None:
            out[block] = shifted
        # the running sum goes first, so the order of the additions is the full matrix's
        acc = np.concatenate([acc, shifted]).sum(0, keepdims=True)
    return acc[0]


def em_priors(
    probs: Any,
    source_prior: Any,
    *,
    labeled_targets: Any = None,
    init_prior: Any = None,
    max_iter: int = 200,
    tol: float = 1e-7,
    adjusted: bool = True,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Saerens EM for per-label priors on unlabeled predictions.

    E-step: adjust every posterior to the current prior estimate ``q`` (:func:`shift_probs`
    with :func:`log_prior_ratio`); M-step: ``q = mean`` of the adjusted posteriors (labeled
    images, when given, contribute their 0/1 labels instead).

    The log-odds of the probabilities are computed once (one float64 ``[N, L]``; pass float32
    probabilities to keep it the only one), then every iteration shifts and sums them a block
    of ``chunk_rows`` rows at a time: over 32,580 test images x 7,178 labels no further
    ``[N, L]`` temporary is made. The numbers are those of :func:`shift_probs` on the whole
    matrix.

    Args:
        probs: unlabeled target-domain probabilities ``[N, L]`` under the source prior.
        source_prior: ``[L]`` training priors.
        labeled_targets: optional ``[M, L]`` 0/1 labels of target-domain images.
        init_prior: starting ``q`` (default: the source prior).
        max_iter / tol: stop after ``max_iter`` steps or when ``max |dq| < tol``.
        adjusted: also return the adjusted probabilities (one float64 ``[N, L]``); False
            returns None in their place.
    Returns:
        ``(q [L], adjusted probs [N, L] or None)``.
    """
    p = as_matrix(probs)
    s = np.clip(np.asarray(source_prior, dtype=np.float64), _EPS, 1 - _EPS)
    q = s.copy() if init_prior is None else np.asarray(init_prior, dtype=np.float64).copy()
    lab_sum, n_lab = 0.0, 0
    if labeled_targets is not None:
        lt = positives_csr(labeled_targets)
        lab_sum = np.bincount(lt.indices, minlength=lt.shape[1]).astype(np.float64)
        n_lab = lt.shape[0]
    total = p.shape[0] + n_lab
    if total == 0:
        return q, (as_dense(p) if adjusted else None)
    z0 = np.empty(p.shape, dtype=np.float64)
    for block in row_blocks(p.shape[0], chunk_rows):
        z0[block] = log_odds(dense_rows(p, block, np.float64))
    for it in range(max_iter):
        q_new = (_sigmoid_sum(z0, log_prior_ratio(s, q), chunk_rows) + lab_sum) / total
        delta = float(np.max(np.abs(q_new - q))) if q.size else 0.0
        q = q_new
        if delta < tol:
            logger.debug("EM priors converged after %d iterations", it + 1)
            break
    if not adjusted:
        return q, None
    out = np.empty(p.shape, dtype=np.float64)
    _sigmoid_sum(z0, log_prior_ratio(s, q), chunk_rows, out=out)
    return q, out


@SCORE_STEPS.register("prior-shift", priority=10)
@dataclass
class PriorShift(ScoreStep):
    """Score step adding a per-label logit offset ``[L]`` (:func:`shift_probs`).

    Stored as ``has_logit_offset`` in ``decision.json`` and ``logit_offset`` in ``decision.npz``.
    """

    offset: np.ndarray

    def apply(
        self,
        scores: np.ndarray,
        features: np.ndarray | None = None,
        pixels: np.ndarray | None = None,
    ) -> np.ndarray:
        return shift_probs(scores, self.offset)

    @classmethod
    def save_into(
        cls, step: ScoreStep | None, meta: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> None:
        if isinstance(step, PriorShift):
            arrays["logit_offset"] = np.asarray(step.offset, dtype=np.float64)
        meta["has_logit_offset"] = step is not None

    @classmethod
    def load_from(
        cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], codes: Sequence[str]
    ) -> PriorShift | None:
        offset = arrays.get("logit_offset") if meta.get("has_logit_offset") else None
        return None if offset is None else cls(offset)
