"""Tuning-label adaptation: run the modes of an :class:`AdaptationConfig`, honestly.

``adapt`` composes at most one weight mode, any score modes and at most one decision mode
(see :mod:`vision.adapt.adaptation_mode`; ``vision adapt --mode a,b,...``)::

    model'    = weight_mode.fit(model, tuning)                  (else a copy of the model)
    scores    = score modes applied in turn to sigmoid(head(features))
    decisions = decision_mode.fit(out-of-fold scores)           (else one global threshold)

Honesty: a mode that needs out-of-fold scores (``knn`` chooses its weight and temperature on
them, ``thresholds`` is fitted on them) gets them from ``inner_folds`` folds of the tuning
images, each fold scored by a pipeline adapted on the others; the final pipeline is then
adapted on every tuning image. :func:`cross_validate` adds an outer K-fold loop to report the
tuning-set F2 before and after.
"""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from tqdm import tqdm

from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs, Query
from vision.adapt.adaptation_mode import AdaptationMode, DecisionMode, ScoreMode, WeightMode
from vision.adapt.decision_rule import DecisionRule
from vision.adapt.folds import fold_indices
from vision.adapt.knn_transfer import pixel_vectors
from vision.adapt.model_outputs import embed, head_probs
from vision.adapt.thresholds import ClassThresholds
from vision.metrics import best_global_threshold, mean_f2_arrays

__all__ = ["AdaptationResult", "adapt", "cross_validate"]

logger = logging.getLogger(__name__)


@dataclass
class AdaptationResult:
    """The adapted model (a copy; the input model is untouched) and its decision rule."""

    model: nn.Module
    rule: DecisionRule
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Pipeline:
    """The modes of one adaptation, by stage."""

    weights: WeightMode | None
    scores: list[ScoreMode]
    decision: DecisionMode | None

    @classmethod
    def of(cls, cfg: AdaptationConfig) -> _Pipeline:
        modes = cfg.create_modes()
        return cls(
            next((m for m in modes if isinstance(m, WeightMode)), None),
            [m for m in modes if isinstance(m, ScoreMode)],
            next((m for m in modes if isinstance(m, DecisionMode)), None),
        )

    @property
    def modes(self) -> list[AdaptationMode]:
        head = [self.weights] if self.weights else []
        return [*head, *self.scores, *([self.decision] if self.decision else [])]


@dataclass
class _Fitted:
    """The pipeline adapted on one subset of the tuning images (all but the thresholds)."""

    model: nn.Module
    fits: list[Any]


def _fit(
    pipe: _Pipeline,
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    inputs: AdaptationInputs,
    seed: int,
) -> _Fitted:
    if pipe.weights is None or len(images) == 0:
        adapted = copy.deepcopy(model)
    else:
        adapted = pipe.weights.fit(model, images, targets, inputs, seed)
    fits = [mode.fit(adapted, images, targets, inputs) for mode in pipe.scores]
    return _Fitted(adapted, fits)


def _score(
    pipe: _Pipeline, fitted: _Fitted, images: torch.Tensor, settings: list[list[dict[str, Any]]]
) -> tuple[np.ndarray, list[Any]]:
    """Head probabilities ``[n, L]`` of ``images`` under the fitted model, and each score
    mode's evidence about them for its candidate ``settings``."""
    query = Query(images, embed(fitted.model, images))
    probs = head_probs(fitted.model, query.features)
    evidence = [
        mode.evidence(fit, query, s) for mode, fit, s in zip(pipe.scores, fitted.fits, settings)
    ]
    return probs, evidence


def _choose(
    pipe: _Pipeline,
    probs: np.ndarray,
    evidence: list[list[tuple[np.ndarray, Any]]],
    targets: np.ndarray,
    candidates: list[list[dict[str, Any]]],
    stats: dict[str, Any],
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Apply the score modes in turn to ``probs [N, L]``, each with the candidate setting of
    best F2 (at the best global threshold); ``evidence[i]`` holds ``(rows, evidence)`` per
    fold. Returns the final scores and the chosen settings."""
    scores = probs
    chosen = []
    for mode, parts, options in zip(pipe.scores, evidence, candidates):
        if not options:
            raise ValueError(f"adaptation mode {mode.name!r} offers no setting to choose from")
        best: tuple[float, np.ndarray | None, dict[str, Any]] = (-1.0, None, {})
        for setting in options:
            out = np.zeros_like(scores)
            for rows, ev in parts:
                out[rows] = mode.apply(scores[rows], ev, setting)
            if len(options) == 1 and not setting:  # nothing to choose
                best = (0.0, out, setting)
                break
            f2 = best_global_threshold(out, targets)[1]
            stats[f"oof_f2_{mode.describe(setting)}"] = f2
            if f2 > best[0] + 1e-9:
                best = (f2, out, setting)
        scores = best[1]
        chosen.append(best[2])
    return scores, chosen


def _out_of_fold(
    pipe: _Pipeline,
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    inputs: AdaptationInputs,
    cfg: AdaptationConfig,
    stats: dict[str, Any],
    bar: tqdm | None = None,
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Out-of-fold scores ``[N, L]`` of the tuning images and the chosen settings."""
    n = len(images)
    probs = np.zeros(targets.shape)
    candidates = [mode.settings() for mode in pipe.scores]
    evidence: list[list[tuple[np.ndarray, Any]]] = [[] for _ in pipe.scores]
    for k, held in enumerate(fold_indices(n, cfg.inner_folds, cfg.seed + 1)):
        keep = np.setdiff1d(np.arange(n), held)
        fitted = _fit(pipe, model, images[keep], targets[keep], inputs, cfg.seed + 100 + k)
        probs[held], fold_evidence = _score(pipe, fitted, images[held], candidates)
        for parts, ev in zip(evidence, fold_evidence):
            parts.append((held, ev))
        if bar is not None:
            bar.update(1)
    return _choose(pipe, probs, evidence, targets, candidates, stats)


def _global_threshold(
    scores: np.ndarray | None, targets: np.ndarray, codes: Sequence[str], min_labels: int
) -> ClassThresholds:
    """The decision without a decision mode: the best global threshold on ``scores`` (0.5
    without scores), at least ``min_labels`` labels per image."""
    if scores is None:
        return ClassThresholds.constant(codes, 0.5, min_labels)
    t, _ = best_global_threshold(scores, targets)
    return ClassThresholds.constant(codes, t, min_labels)


def adapt(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    codes: Sequence[str],
    cfg: AdaptationConfig,
    *,
    source_prior: np.ndarray | None = None,
    bank_images: torch.Tensor | None = None,
    bank_targets: sp.csr_matrix | None = None,
    unlabeled_images: torch.Tensor | None = None,
    bank_features: np.ndarray | None = None,
    graph: Any = None,
    progress: bool = False,
    desc: str = "adapt",
) -> AdaptationResult:
    """Adapt ``model`` to the tuning images; the input model is not modified.

    Args:
        model: a ``MultiLabelClassifier`` (``forward_features``, ``forward_head``, ``head``).
        images: tuning images ``[N, 3, H, W]`` (already transformed for the model).
        targets: tuning labels ``[N, L]`` 0/1.
        codes: ``[L]`` label codes.
        cfg: modes and hyper-parameters.
        source_prior: ``[L]`` training label frequencies (required by ``bias``).
        bank_images / bank_targets: labelled training images ``[M, 3, H, W]`` / ``[M, L]`` for the
            ``knn`` bank and for replay (without them the kNN bank holds the tuning images only).
        unlabeled_images: target-domain images without labels ``[U, 3, H, W]``: with ``bias``,
            the target priors are refined by Saerens EM on their predictions (tuning images
            count with their labels), starting from the tuning estimate.
        bank_features: ``[M, F]`` backbone features of ``bank_images`` under ``model`` when the
            caller already has them (saves one pass; ignored by ``full``).
        graph: the :class:`~labelgraph.LabelGraph` of the modes that need one
            (``plausibility``, ``neighbour-thresholds``, ``knn-propagation``, ``neighbour-bias``).
        progress / desc: a progress bar (stderr) over the fits: one per inner fold, then the
            final one on every tuning image; ``desc`` labels it.
    Returns:
        :class:`AdaptationResult` with the adapted copy and its :class:`DecisionRule`.
    """
    targets = np.asarray(targets, dtype=np.float32)
    pipe = _Pipeline.of(cfg)
    inputs = AdaptationInputs(
        model,
        frozen_backbone=pipe.weights is None or pipe.weights.freezes_backbone,
        source_prior=source_prior,
        bank_images=bank_images,
        bank_targets=bank_targets,
        unlabeled_images=unlabeled_images,
        bank_features=bank_features,
        codes=list(codes),
        graph=graph,
    )
    for mode in pipe.modes:
        mode.check(inputs)
    needs_oof = any(mode.needs_out_of_fold for mode in pipe.modes)
    stats: dict[str, Any] = {"modes": list(cfg.modes), "tuning_images": int(len(images))}
    oof, settings = None, [mode.in_sample_setting() for mode in pipe.scores]
    inner = needs_oof and cfg.inner_folds >= 2 and len(images) >= cfg.inner_folds
    bar = tqdm(
        total=(cfg.inner_folds if inner else 0) + 1,
        desc=desc,
        unit="fit",
        disable=not progress,
        file=sys.stderr,
        leave=False,
    )
    if inner:
        bar.set_postfix_str(f"{cfg.inner_folds} out-of-fold fits, then the final fit")
        oof, settings = _out_of_fold(pipe, model, images, targets, inputs, cfg, stats, bar)
        stats["oof_f2_global_threshold"] = best_global_threshold(oof, targets)[1]
    elif needs_oof:
        logger.warning(
            "fitting thresholds/kNN in-sample on %d tuning images (inner folds %d): "
            "the tuning F2 will be optimistic",
            len(images),
            cfg.inner_folds,
        )
    bar.set_postfix_str("final fit on every tuning image")
    fitted = _fit(pipe, model, images, targets, inputs, cfg.seed)
    bar.update(1)
    bar.close()
    if oof is None and needs_oof:  # in-sample scores, in-sample settings
        oof, evidence = _score(pipe, fitted, images, [[s] for s in settings])
        for mode, ev, setting in zip(pipe.scores, evidence, settings):
            oof = mode.apply(oof, ev, setting)
    if pipe.decision is not None:
        thr = pipe.decision.fit(
            oof,
            targets,
            codes,
            inner_folds=cfg.inner_folds,
            seed=cfg.seed,
            stats=stats,
            inputs=inputs,
        )
    else:
        thr = _global_threshold(oof, targets, codes, cfg.min_labels)
    for mode, setting in zip(pipe.scores, settings):
        mode.record(setting, stats)
    steps = [mode.step(fit, s) for mode, fit, s in zip(pipe.scores, fitted.fits, settings)]
    rule = DecisionRule(list(codes), thr, stats=stats, steps=steps)
    return AdaptationResult(fitted.model, rule, stats)


def _baseline_rule(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    codes: Sequence[str],
    min_labels: int,
) -> DecisionRule:
    """No adaptation, but the best global threshold on these images (the fair "before")."""
    probs = head_probs(model, embed(model, images))
    t, _ = best_global_threshold(probs, targets)
    return DecisionRule(list(codes), ClassThresholds.constant(codes, t, min_labels))


def _evaluate(
    model: nn.Module, rule: DecisionRule, images: torch.Tensor, targets: np.ndarray
) -> float:
    feats = embed(model, images)
    scores = rule.scores(head_probs(model, feats), feats.numpy(), pixel_vectors(images))
    return mean_f2_arrays(rule.decide(scores), targets)


def cross_validate(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    codes: Sequence[str],
    cfg: AdaptationConfig,
    folds: int,
    progress: bool = False,
    **kw: Any,
) -> dict[str, Any]:
    """K-fold CV of the tuning-set F2 before and after adaptation.

    For each fold: "before" = the unadapted model with the best global threshold fitted on the
    other folds (min ``cfg.min_labels`` labels); "after" = :func:`adapt` run on the other folds.
    Both are scored on the held-out fold. ``kw`` goes to :func:`adapt`. ``progress``: a bar
    over the folds (stderr), each fold's adaptation with its own bar below it.

    Returns:
        ``{"folds": K, "before": [..], "after": [..], "before_mean", "after_mean",
        "before_std", "after_std"}``.
    """
    targets = np.asarray(targets, dtype=np.float32)
    before, after = [], []
    n = len(images)
    bar = tqdm(
        total=folds, desc="cross-validation", unit="fold", disable=not progress, file=sys.stderr
    )
    for k, held in enumerate(fold_indices(n, folds, cfg.seed)):
        keep = np.setdiff1d(np.arange(n), held)
        base = _baseline_rule(model, images[keep], targets[keep], codes, cfg.min_labels)
        before.append(_evaluate(model, base, images[held], targets[held]))
        sub_cfg = copy.copy(cfg)
        sub_cfg.seed = cfg.seed + 1000 * (k + 1)
        res = adapt(
            model,
            images[keep],
            targets[keep],
            codes,
            sub_cfg,
            progress=progress,
            desc=f"CV fold {k + 1}/{folds}: adapt",
            **kw,
        )
        after.append(_evaluate(res.model, res.rule, images[held], targets[held]))
        bar.update(1)
        bar.set_postfix(before=f"{np.mean(before):.4f}", after=f"{np.mean(after):.4f}")
        logger.info("fold %d/%d: F2 before %.4f after %.4f", k + 1, folds, before[-1], after[-1])
    bar.close()
    return {
        "folds": folds,
        "before": before,
        "after": after,
        "before_mean": float(np.mean(before)),
        "after_mean": float(np.mean(after)),
        "before_std": float(np.std(before)),
        "after_std": float(np.std(after)),
    }
