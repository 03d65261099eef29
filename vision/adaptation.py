"""Tuning-label adaptation: fine-tuning modes and decision modes that compose.

Modes (``vision adapt --mode a,b,...``; registry :data:`MODES`, :func:`list_modes`):

* weight modes (at most one): ``last-layer`` (only ``head.last_layer()`` trains), ``head`` (the
  whole head, GNN included; backbone frozen), ``full`` (everything, small learning rate).
  ``last-layer``/``head`` train on cached backbone features of ``augment_views`` augmented copies
  of each tuning image (the backbone is frozen and kept in eval mode, so this is exact);
  ``full`` augments on the fly.
* decision modes: ``bias`` (label-prior shift from the tuning labels, shrunk toward the
  training priors), ``knn`` (label transfer from nearest training *and tuning* images in the
  learned feature space, mixed with the classifier; weight chosen on out-of-fold predictions),
  ``thresholds`` (per-class F2 thresholds with shrinkage, a high default for unseen labels, and
  min/max labels per image).

Honesty: thresholds and the kNN weight are fitted on **out-of-fold** scores: the tuning images
are split into ``inner_folds`` folds, each fold is scored by a pipeline adapted on the others.
:func:`cross_validate` adds an outer K-fold loop to report the tuning-set F2 before and after.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import nn

from corpora.errors import InputError
from vision.decision_rule import DecisionRule
from vision.knn_transfer import KNNTransfer, knn_vectors, pixel_vectors
from vision.metrics import best_global_threshold, mean_f2_arrays
from vision.prior_shift import em_priors, log_prior_ratio, tuning_priors
from vision.thresholds import ClassThresholds, fit_class_thresholds, fit_label_count_rules

__all__ = [
    "MODES",
    "WEIGHT_MODES",
    "AdaptationConfig",
    "AdaptationResult",
    "adapt",
    "cross_validate",
    "embed",
    "fold_indices",
    "list_modes",
    "parse_modes",
    "set_trainable",
]

logger = logging.getLogger(__name__)


def _params_last_layer(model: nn.Module) -> list[nn.Parameter]:
    return list(model.head.last_layer().parameters())


def _params_head(model: nn.Module) -> list[nn.Parameter]:
    return list(model.head.parameters())


def _params_full(model: nn.Module) -> list[nn.Parameter]:
    return list(model.parameters())


#: weight mode -> the parameters it trains
WEIGHT_MODES: dict[str, Callable[[nn.Module], list[nn.Parameter]]] = {
    "last-layer": _params_last_layer,
    "head": _params_head,
    "full": _params_full,
}
#: every mode and a one-line description
MODES: dict[str, str] = {
    "last-layer": "fine-tune only the head's last layer",
    "head": "fine-tune the whole head (classifier and GNN), backbone frozen",
    "full": "fine-tune everything with a small learning rate",
    "bias": "shift logits by the log prior-odds ratio estimated from the tuning labels",
    "knn": "mix in label transfer from nearest training and tuning images in feature space",
    "thresholds": "per-class F2 thresholds (shrunk toward global) and min/max labels per image",
}


def list_modes() -> list[str]:
    return list(MODES)


def parse_modes(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"last-layer,thresholds"`` -> ``("last-layer", "thresholds")``, validated."""
    words = text.split(",") if isinstance(text, str) else list(text)
    modes = tuple(w.strip() for w in words if w.strip())
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise InputError(
            f"unknown adaptation mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)} "
            "(comma-separated, e.g. last-layer,thresholds)"
        )
    if sum(m in WEIGHT_MODES for m in modes) > 1:
        raise InputError(f"at most one of {', '.join(WEIGHT_MODES)} per adaptation, got {text!r}")
    if not modes:
        raise InputError("no adaptation mode given; e.g. --mode thresholds")
    return modes


@dataclass
class AdaptationConfig:
    """Hyper-parameters of :func:`adapt` (defaults in brackets).

    Attributes:
        modes: the modes to compose.
        epochs: fine-tuning epochs [15]. lr: learning rate [1e-3; ``full`` uses ``lr / 10``].
        weight_decay: [1e-4]. batch_size: [32]. augment_views: cached augmented copies per
            tuning image for ``last-layer``/``head`` [8].
        replay: training-bank images mixed into each fine-tuning epoch, as a multiple of the
            tuning samples [1.0; 0 = off; needs ``bank_images``].
        inner_folds: folds for out-of-fold threshold/kNN fitting [5] (<= 1: in-sample).
        shrinkage: threshold shrinkage pseudo-count [5]. unseen_threshold: [0.5].
        count_rules: also fit min/max labels per image [True].
        min_labels: at least this many labels per image when count rules are not fitted [1].
        bias_strength: pseudo-count of the training prior in the tuning prior [10].
        knn_k / knn_temperature [10 / 0.05]; knn_weights: candidate mixing weights;
        knn_space: ``features``, ``pixels`` or ``both`` [features] (see ``vision.knn_transfer``).
        knn_temperatures: candidate temperatures chosen on out-of-fold F2 with the weight
            [(): use ``knn_temperature``].
        unseen_candidates: candidate thresholds for labels absent from the tuning labels,
            chosen by cross-validation (None = the global threshold) [(): use
            ``unseen_threshold``].
        seed: [0].
    """

    modes: tuple[str, ...] = ("thresholds",)
    epochs: int = 15
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 32
    augment_views: int = 8
    replay: float = 1.0
    inner_folds: int = 5
    shrinkage: float = 5.0
    unseen_threshold: float | None = 0.5
    count_rules: bool = True
    min_labels: int = 1
    bias_strength: float = 10.0
    knn_k: int = 10
    knn_temperature: float = 0.05
    knn_space: str = "features"
    knn_temperatures: tuple[float, ...] = ()
    unseen_candidates: tuple[float | None, ...] = ()
    knn_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    seed: int = 0

    @property
    def weight_mode(self) -> str | None:
        return next((m for m in self.modes if m in WEIGHT_MODES), None)


@dataclass
class AdaptationResult:
    """The adapted model (a copy; the input model is untouched) and its decision rule."""

    model: nn.Module
    rule: DecisionRule
    stats: dict[str, Any] = field(default_factory=dict)


def set_trainable(model: nn.Module, mode: str) -> list[nn.Parameter]:
    """Freeze every parameter except those ``mode`` trains; return the trainable ones."""
    for p in model.parameters():
        p.requires_grad_(False)
    params = WEIGHT_MODES[mode](model)
    for p in params:
        p.requires_grad_(True)
    return params


def fold_indices(n: int, folds: int, seed: int = 0) -> list[np.ndarray]:
    """``folds`` disjoint index arrays covering ``range(n)`` (shuffled with ``seed``)."""
    if folds < 2 or folds > n:
        raise InputError(f"cannot split {n} tuning images into {folds} folds (need 2 <= K <= {n})")
    perm = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(perm, folds)]


@torch.no_grad()
def embed(model: nn.Module, images: torch.Tensor, batch_size: int = 128) -> torch.Tensor:
    """Backbone features ``[N, F]`` of images ``[N, 3, H, W]`` (eval mode, no grad)."""
    was_training = model.training
    model.eval()
    out = [
        model.forward_features(images[i : i + batch_size])
        for i in range(0, len(images), batch_size)
    ]
    model.train(was_training)
    if not out:
        return torch.zeros(0, getattr(model, "num_features", 0))
    return torch.cat(out).float()


@torch.no_grad()
def _head_probs(model: nn.Module, feats: torch.Tensor) -> np.ndarray:
    was_training = model.training
    model.eval()
    p = torch.sigmoid(model.forward_head(feats)).numpy().astype(np.float64)
    model.train(was_training)
    return p


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Flip, random resized crop (70-100 % side), brightness/contrast jitter; ``[B, 3, H, W]``."""
    b, _, h, w = x.shape
    flip = torch.rand(b, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], torch.flip(x, dims=[-1]), x)
    scale = 0.7 + 0.3 * torch.rand(b, generator=gen)
    shift = (1 - scale)[:, None] * (2 * torch.rand(b, 2, generator=gen) - 1)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 1, 1] = scale, scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    bright = 0.8 + 0.4 * torch.rand(b, 1, 1, 1, generator=gen)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    contrast = 0.8 + 0.4 * torch.rand(b, 1, 1, 1, generator=gen)
    return (x - mean) * contrast + mean * bright


def _fine_tune(
    model: nn.Module,
    images: torch.Tensor,
    targets: torch.Tensor,
    cfg: AdaptationConfig,
    replay: tuple[torch.Tensor | None, torch.Tensor | None, sp.csr_matrix | None] | None = None,
) -> nn.Module:
    """A fine-tuned copy of ``model`` (``cfg.weight_mode``) on ``images [N, 3, H, W]``.

    ``replay = (bank images [M, 3, H, W] or None, bank features [M, F] or None, bank targets
    [M, L])``: each epoch also trains on ``cfg.replay`` x (tuning samples) random training
    images, so labels absent from the few tuning images are not simply unlearnt.
    """
    mode = cfg.weight_mode
    model = copy.deepcopy(model)
    if mode is None or len(images) == 0:
        return model
    gen = torch.Generator().manual_seed(cfg.seed)
    params = set_trainable(model, mode)
    lr = cfg.lr / 10 if mode == "full" else cfg.lr
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=cfg.weight_decay)
    r_images, r_feats, r_targets = replay if replay is not None else (None, None, None)
    if mode == "full":
        model.train()
        source = images
    else:
        model.eval()  # frozen backbone, BN statistics unchanged
        views = [images] + [_augment(images, gen) for _ in range(max(cfg.augment_views - 1, 0))]
        source = torch.cat([embed(model, v) for v in views])
        targets = targets.repeat(len(views), 1)
        model.head.train()
        if r_feats is None and r_images is not None:
            r_feats = embed(model, r_images)
    n = len(source)
    bank = r_images if mode == "full" else r_feats
    n_replay = 0
    if bank is not None and r_targets is not None and cfg.replay > 0:
        n_replay = min(int(round(cfg.replay * n)), len(bank))
        r_dense = torch.as_tensor(sp.csr_matrix(r_targets).toarray(), dtype=torch.float32)
    for _ in range(cfg.epochs):
        xs, ys = source, targets
        if n_replay:
            pick = torch.randperm(len(bank), generator=gen)[:n_replay]
            xs = torch.cat([source, torch.as_tensor(bank[pick])])
            ys = torch.cat([targets, r_dense[pick]])
        perm = torch.randperm(len(xs), generator=gen)
        for start in range(0, len(xs), cfg.batch_size):
            idx = perm[start : start + cfg.batch_size]
            if mode == "full":
                logits = model(_augment(xs[idx], gen))
            else:
                logits = model.forward_head(xs[idx])
            loss = F.binary_cross_entropy_with_logits(logits, ys[idx], reduction="sum")
            loss = loss / len(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
    for p in model.parameters():
        p.requires_grad_(True)
    model.eval()
    return model


@dataclass
class _Pieces:
    """Everything but the thresholds, adapted on one subset of the tuning images."""

    model: nn.Module
    offset: np.ndarray | None
    bank: tuple[np.ndarray, sp.csr_matrix] | None


@dataclass
class _Context:
    """Inputs shared by every fold: training priors, the labelled bank, unlabeled images."""

    source_prior: np.ndarray | None = None
    bank_images: torch.Tensor | None = None
    bank_targets: sp.csr_matrix | None = None
    bank_features: np.ndarray | None = None  # set when the backbone stays frozen
    unlabeled_images: torch.Tensor | None = None
    unlabeled_features: torch.Tensor | None = None  # set when the backbone stays frozen


def _fit_pieces(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    cfg: AdaptationConfig,
    ctx: _Context,
) -> _Pieces:
    source_prior, bank_images = ctx.source_prior, ctx.bank_images
    bank_targets, bank_features = ctx.bank_targets, ctx.bank_features
    replay = None
    if bank_targets is not None and (bank_images is not None or bank_features is not None):
        feats_t = None if bank_features is None else torch.as_tensor(bank_features)
        replay = (bank_images, feats_t, bank_targets)
    adapted = _fine_tune(model, images, torch.as_tensor(targets, dtype=torch.float32), cfg, replay)
    offset = None
    if "bias" in cfg.modes:
        q = tuning_priors(targets, source_prior, strength=cfg.bias_strength)
        if ctx.unlabeled_images is not None:
            feats_u = ctx.unlabeled_features
            if feats_u is None or cfg.weight_mode == "full":
                feats_u = embed(adapted, ctx.unlabeled_images)
            q, _ = em_priors(
                _head_probs(adapted, feats_u), source_prior, labeled_targets=targets, init_prior=q
            )
        offset = log_prior_ratio(source_prior, q)
    bank = None
    if "knn" in cfg.modes:
        space = cfg.knn_space
        feats = pix = None
        if bank_images is not None or bank_features is not None:
            if space != "pixels":
                if cfg.weight_mode == "full" or bank_features is None:
                    feats = embed(adapted, bank_images).numpy()
                else:
                    feats = bank_features
            if space != "features" and bank_images is not None:
                pix = pixel_vectors(bank_images)
        has_bank = (space == "pixels" or feats is not None) and (
            space == "features" or pix is not None
        )
        tune_feats = embed(adapted, images).numpy() if space != "pixels" else None
        tune_pix = pixel_vectors(images) if space != "features" else None
        parts_f = [knn_vectors(tune_feats, tune_pix, space)]
        parts_t = [sp.csr_matrix(targets, dtype=np.float32)]
        if has_bank:
            parts_f.insert(0, knn_vectors(feats, pix, space))
            parts_t.insert(0, sp.csr_matrix(bank_targets, dtype=np.float32))
        bank = (np.concatenate(parts_f), sp.vstack(parts_t).tocsr())
    return _Pieces(adapted, offset, bank)


def _score(
    pieces: _Pieces, images: torch.Tensor, cfg: AdaptationConfig, temperature: float | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """(classifier probs after bias, kNN scores or None) for held-out images."""
    feats = embed(pieces.model, images)
    rule = DecisionRule.default([str(i) for i in range(pieces.model.num_labels)])
    rule.logit_offset = pieces.offset
    probs = rule.scores(_head_probs(pieces.model, feats))
    knn_scores = None
    if pieces.bank is not None:
        t = cfg.knn_temperature if temperature is None else temperature
        knn = KNNTransfer(pieces.bank[0], pieces.bank[1], cfg.knn_k, t)
        pix = pixel_vectors(images) if cfg.knn_space != "features" else None
        knn_scores = knn.scores(knn_vectors(feats.numpy(), pix, cfg.knn_space))
    return probs, knn_scores


def _out_of_fold(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    cfg: AdaptationConfig,
    ctx: _Context,
) -> tuple[np.ndarray, np.ndarray | None]:
    n = len(images)
    probs = np.zeros(targets.shape)
    temps = _temperatures(cfg)
    knn_scores = {t: np.zeros(targets.shape) for t in temps} if "knn" in cfg.modes else None
    for k, held in enumerate(fold_indices(n, cfg.inner_folds, cfg.seed + 1)):
        keep = np.setdiff1d(np.arange(n), held)
        sub_cfg = copy.copy(cfg)
        sub_cfg.seed = cfg.seed + 100 + k
        pieces = _fit_pieces(model, images[keep], targets[keep], sub_cfg, ctx)
        for t in temps:
            p, s = _score(pieces, images[held], cfg, t)
            probs[held] = p
            if knn_scores is not None:
                knn_scores[t][held] = s
    return probs, knn_scores


def _temperatures(cfg: AdaptationConfig) -> tuple[float, ...]:
    return tuple(cfg.knn_temperatures) if cfg.knn_temperatures else (cfg.knn_temperature,)


def _fit_unseen_threshold(
    oof: np.ndarray, targets: np.ndarray, codes: Sequence[str], cfg: AdaptationConfig
) -> float | None:
    """Choose the threshold of labels absent from the tuning labels by cross-validation.

    Labels seen only in one fold are "unseen" by the other folds, so fitting thresholds on
    K-1 folds of the out-of-fold scores and scoring the held-out fold measures each candidate
    (``None`` = the global threshold) where it matters.
    """
    n = len(oof)
    folds = fold_indices(n, min(cfg.inner_folds, n), cfg.seed + 7)
    best: tuple[float, float | None] = (-1.0, None)
    for cand in cfg.unseen_candidates:
        total = 0.0
        for held in folds:
            keep = np.setdiff1d(np.arange(n), held)
            thr = fit_class_thresholds(
                oof[keep], targets[keep], codes, shrinkage=cfg.shrinkage, unseen_threshold=cand
            )
            total += mean_f2_arrays(thr.decide(oof[held]), targets[held]) * len(held)
        if total / n > best[0] + 1e-9:
            best = (total / n, cand)
    logger.info("unseen-label threshold chosen by CV: %s (F2 %.4f)", best[1], best[0])
    return best[1]


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
    Returns:
        :class:`AdaptationResult` with the adapted copy and its :class:`DecisionRule`.
    """
    targets = np.asarray(targets, dtype=np.float32)
    if "bias" in cfg.modes and source_prior is None:
        raise InputError("--mode bias needs the training label priors (give --train-data)")
    uses_bank = "knn" in cfg.modes or (cfg.weight_mode is not None and cfg.replay > 0)
    if cfg.weight_mode == "full" or not uses_bank:
        bank_features = None
    elif bank_features is None and bank_images is not None:
        bank_features = embed(model, bank_images).numpy()  # backbone frozen: computed once
    unlabeled_features = None
    if "bias" in cfg.modes and unlabeled_images is not None and cfg.weight_mode != "full":
        unlabeled_features = embed(model, unlabeled_images)
    ctx = _Context(
        source_prior, bank_images, bank_targets, bank_features, unlabeled_images, unlabeled_features
    )
    needs_oof = "thresholds" in cfg.modes or "knn" in cfg.modes
    stats: dict[str, Any] = {"modes": list(cfg.modes), "tuning_images": int(len(images))}
    knn_weight, knn_temperature = 0.0, cfg.knn_temperature
    oof = None
    if needs_oof and cfg.inner_folds >= 2 and len(images) >= cfg.inner_folds:
        probs, knn_scores = _out_of_fold(model, images, targets, cfg, ctx)
        oof = probs
        if knn_scores is not None:
            best = (-1.0, 0.0, cfg.knn_temperature)
            for t, scores in knn_scores.items():
                for w in cfg.knn_weights:
                    f2 = best_global_threshold((1 - w) * probs + w * scores, targets)[1]
                    stats[f"oof_f2_knn_weight_{w:g}_temperature_{t:g}"] = f2
                    if f2 > best[0] + 1e-9:
                        best = (f2, w, t)
            knn_weight, knn_temperature = best[1], best[2]
            oof = (1 - knn_weight) * probs + knn_weight * knn_scores[knn_temperature]
        stats["oof_f2_global_threshold"] = best_global_threshold(oof, targets)[1]
    elif needs_oof:
        logger.warning(
            "fitting thresholds/kNN in-sample on %d tuning images (inner folds %d): "
            "the tuning F2 will be optimistic",
            len(images),
            cfg.inner_folds,
        )
    pieces = _fit_pieces(model, images, targets, cfg, ctx)
    if oof is None and needs_oof:
        probs, knn_scores = _score(pieces, images, cfg)
        if knn_scores is not None:
            knn_weight = 0.5
            oof = 0.5 * probs + 0.5 * knn_scores
        else:
            oof = probs
    knn = None
    if pieces.bank is not None:
        knn = KNNTransfer(
            pieces.bank[0],
            pieces.bank[1],
            cfg.knn_k,
            knn_temperature,
            knn_weight,
            cfg.knn_space,
        )
    if "thresholds" in cfg.modes:
        unseen = cfg.unseen_threshold
        if cfg.unseen_candidates and len(oof) >= 2:
            unseen = _fit_unseen_threshold(oof, targets, codes, cfg)
            stats["unseen_threshold"] = unseen
        thr = fit_class_thresholds(
            oof, targets, codes, shrinkage=cfg.shrinkage, unseen_threshold=unseen
        )
        if cfg.count_rules:
            thr = fit_label_count_rules(oof, targets, thr)
        else:
            thr.min_labels = cfg.min_labels
    else:
        thr = ClassThresholds.constant(codes, 0.5, cfg.min_labels)
        if oof is not None:
            t, _ = best_global_threshold(oof, targets)
            thr = ClassThresholds.constant(codes, t, cfg.min_labels)
    stats["knn_weight"] = knn_weight
    stats["knn_temperature"] = knn_temperature
    rule = DecisionRule(list(codes), thr, pieces.offset, knn, stats)
    return AdaptationResult(pieces.model, rule, stats)


def _baseline_rule(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    codes: Sequence[str],
    min_labels: int,
) -> DecisionRule:
    """No adaptation, but the best global threshold on these images (the fair "before")."""
    probs = _head_probs(model, embed(model, images))
    t, _ = best_global_threshold(probs, targets)
    return DecisionRule(list(codes), ClassThresholds.constant(codes, t, min_labels))


def _evaluate(
    model: nn.Module, rule: DecisionRule, images: torch.Tensor, targets: np.ndarray
) -> float:
    feats = embed(model, images)
    scores = rule.scores(_head_probs(model, feats), feats.numpy(), pixel_vectors(images))
    return mean_f2_arrays(rule.decide(scores), targets)


def cross_validate(
    model: nn.Module,
    images: torch.Tensor,
    targets: np.ndarray,
    codes: Sequence[str],
    cfg: AdaptationConfig,
    folds: int,
    **kw: Any,
) -> dict[str, Any]:
    """K-fold CV of the tuning-set F2 before and after adaptation.

    For each fold: "before" = the unadapted model with the best global threshold fitted on the
    other folds (min ``cfg.min_labels`` labels); "after" = :func:`adapt` run on the other folds.
    Both are scored on the held-out fold.

    Returns:
        ``{"folds": K, "before": [..], "after": [..], "before_mean", "after_mean"}``.
    """
    targets = np.asarray(targets, dtype=np.float32)
    before, after = [], []
    n = len(images)
    for k, held in enumerate(fold_indices(n, folds, cfg.seed)):
        keep = np.setdiff1d(np.arange(n), held)
        base = _baseline_rule(model, images[keep], targets[keep], codes, cfg.min_labels)
        before.append(_evaluate(model, base, images[held], targets[held]))
        sub_cfg = copy.copy(cfg)
        sub_cfg.seed = cfg.seed + 1000 * (k + 1)
        res = adapt(model, images[keep], targets[keep], codes, sub_cfg, **kw)
        after.append(_evaluate(res.model, res.rule, images[held], targets[held]))
        logger.info("fold %d/%d: F2 before %.4f after %.4f", k + 1, folds, before[-1], after[-1])
    return {
        "folds": folds,
        "before": before,
        "after": after,
        "before_mean": float(np.mean(before)),
        "after_mean": float(np.mean(after)),
        "before_std": float(np.std(before)),
        "after_std": float(np.std(after)),
    }
