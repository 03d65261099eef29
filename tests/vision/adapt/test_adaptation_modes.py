"""Adaptation modes on a tiny model: freezing, composition, thresholds, bias, kNN, CV."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch import nn

from corpora.errors import InputError
from vision.adapt import AdaptationConfig, adapt, cross_validate, parse_modes
from vision.adapt.prior_shift import log_prior_ratio, tuning_priors


class _Head(nn.Module):
    def __init__(self, f: int, n_labels: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(f, f)
        self.fc = nn.Linear(f, n_labels)
        self.num_labels = n_labels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.relu(self.hidden(x)) + x)

    def last_layer(self) -> nn.Module:
        return self.fc


class _Tiny(nn.Module):
    """conv -> BN -> pool backbone (F = 8) and a two-layer head."""

    def __init__(self, n_labels: int = 4) -> None:
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.head = _Head(8, n_labels)
        self.num_features = 8

    @property
    def num_labels(self) -> int:
        return self.head.num_labels

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone(x).flatten(1)

    def forward_head(self, f: torch.Tensor) -> torch.Tensor:
        return self.head(f)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


def _data(n: int = 30, n_labels: int = 4, seed: int = 0):
    """Images whose colour channel tells the label: label j <-> channel j % 3 bright."""
    g = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 3, 8, 8, generator=g) * 0.2
    targets = np.zeros((n, n_labels), dtype=np.float32)
    for i in range(n):
        j = i % n_labels
        targets[i, j] = 1
        images[i, j % 3] += 1.0 if j < 3 else -0.5
    return images, targets


CODES = ["a", "b", "c", "d"]


def _snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize(
    "mode,trainable",
    [("last-layer", ("head.fc.",)), ("head", ("head.",)), ("full", ("",))],
)
def test_weight_modes_freeze_exactly_the_rest(mode, trainable):
    torch.manual_seed(0)
    model = _Tiny()
    before = _snapshot(model)
    images, targets = _data()
    cfg = AdaptationConfig(modes=(mode,), epochs=3, augment_views=2, inner_folds=0)
    res = adapt(model, images, targets, CODES, cfg)
    after = _snapshot(res.model)
    for k, v in before.items():
        assert torch.equal(v, _snapshot(model)[k]), f"input model changed at {k}"
        moved = not torch.equal(v, after[k])
        if "num_batches_tracked" in k or "running" in k:
            if mode != "full":
                assert not moved, f"{mode}: BN statistic {k} changed"
            continue
        if any(k.startswith(prefix) for prefix in trainable):
            assert moved, f"{mode}: {k} should have trained"
        else:
            assert not moved, f"{mode}: {k} should be frozen"


def test_modes_parse_and_compose():
    assert parse_modes("last-layer,thresholds") == ("last-layer", "thresholds")
    with pytest.raises(InputError, match="unknown adaptation mode"):
        parse_modes("last-layer,magic")
    with pytest.raises(InputError, match="at most one"):
        parse_modes("head,full")


def test_bias_mode_offset_is_the_log_prior_ratio():
    model = _Tiny()
    images, targets = _data(20)
    prior = np.array([0.1, 0.2, 0.3, 0.4])
    cfg = AdaptationConfig(modes=("bias",), inner_folds=0, bias_strength=10.0)
    res = adapt(model, images, targets, CODES, cfg, source_prior=prior)
    q = (targets.sum(0) + 10 * prior) / (20 + 10)
    np.testing.assert_allclose(
        res.rule.logit_offset, np.log(q / (1 - q)) - np.log(prior / (1 - prior))
    )
    np.testing.assert_allclose(
        res.rule.logit_offset, log_prior_ratio(prior, tuning_priors(targets, prior, 10.0))
    )
    with pytest.raises(InputError, match="training label priors"):
        adapt(model, images, targets, CODES, cfg)


def test_last_layer_thresholds_knn_compose_and_improve_cv():
    torch.manual_seed(0)
    model = _Tiny()
    images, targets = _data(40)
    bank_images, bank_targets = _data(40, seed=1)
    cfg = AdaptationConfig(
        modes=("last-layer", "knn", "thresholds"), epochs=10, augment_views=2, inner_folds=3
    )
    kw = {"bank_images": bank_images, "bank_targets": sp.csr_matrix(bank_targets)}
    res = adapt(model, images, targets, CODES, cfg, **kw)
    assert res.rule.knn is not None and res.rule.knn.features.shape[0] == 80
    assert res.rule.thresholds.thresholds.shape == (4,)
    report = cross_validate(model, images, targets, CODES, cfg, folds=2, **kw)
    assert len(report["before"]) == 2 and len(report["after"]) == 2
    assert report["after_mean"] > report["before_mean"]


def test_replay_keeps_labels_missing_from_the_tuning_images():
    torch.manual_seed(0)
    model = _Tiny()
    images, targets = _data(40)
    keep = targets[:, 3] == 0  # tuning images never show label "d"
    bank_images, bank_targets = _data(40, seed=1)
    pretrain = AdaptationConfig(modes=("full",), epochs=60, lr=0.3, replay=0, inner_folds=0)
    model = adapt(model, bank_images, bank_targets, CODES, pretrain).model
    kw = {"bank_images": bank_images, "bank_targets": sp.csr_matrix(bank_targets)}
    d_rows = bank_targets[:, 3] > 0

    def mean_d_prob(replay: float) -> float:
        cfg = AdaptationConfig(
            modes=("last-layer",), epochs=60, augment_views=1, lr=3e-2, replay=replay, inner_folds=0
        )
        res = adapt(model, images[keep], targets[keep], CODES, cfg, **kw)
        with torch.no_grad():
            p = torch.sigmoid(res.model(bank_images[d_rows]))[:, 3]
        return float(p.mean())

    with_replay, without = mean_d_prob(1.0), mean_d_prob(0.0)
    assert with_replay > without + 0.05, (with_replay, without)


def test_bias_with_em_moves_priors_toward_the_unlabeled_images():
    torch.manual_seed(0)
    model = _Tiny()
    bank_images, bank_targets = _data(40, seed=1)
    pretrain = AdaptationConfig(modes=("full",), epochs=60, lr=0.3, replay=0, inner_folds=0)
    model = adapt(model, bank_images, bank_targets, CODES, pretrain).model
    images, targets = _data(8)
    prior = bank_targets.mean(0)  # 0.25 each
    unlabeled, u_targets = _data(60, seed=2)
    only_a = u_targets[:, 0] > 0  # the target domain shows mostly label "a"
    cfg = AdaptationConfig(modes=("bias",), inner_folds=0, bias_strength=10.0)
    plain = adapt(model, images, targets, CODES, cfg, source_prior=prior)
    em = adapt(
        model, images, targets, CODES, cfg, source_prior=prior, unlabeled_images=unlabeled[only_a]
    )
    # EM raises the prior of "a" (and the logit offset) well above the tuning-only estimate
    assert em.rule.logit_offset[0] > plain.rule.logit_offset[0] + 1.0
    assert em.rule.logit_offset[1] < plain.rule.logit_offset[1]


@pytest.mark.parametrize("space", ["pixels", "both"])
def test_knn_in_pixel_space_copies_colour_labels(space):
    torch.manual_seed(0)
    model = _Tiny()  # untrained: only the pixels carry the label
    images, targets = _data(24)
    bank_images, bank_targets = _data(40, seed=1)
    cfg = AdaptationConfig(modes=("knn", "thresholds"), inner_folds=3, knn_space=space, knn_k=3)
    kw = {"bank_images": bank_images, "bank_targets": sp.csr_matrix(bank_targets)}
    res = adapt(model, images, targets, CODES, cfg, **kw)
    assert res.rule.knn.space == space and res.rule.knn.weight > 0
    test_images, test_targets = _data(20, seed=2)
    from vision.adapt import embed
    from vision.adapt.knn_transfer import pixel_vectors
    from vision.metrics import mean_f2_arrays

    feats = embed(res.model, test_images).numpy()
    probs = torch.sigmoid(res.model(test_images)).detach().numpy()
    scores = res.rule.scores(probs, feats, pixel_vectors(test_images))
    assert mean_f2_arrays(res.rule.decide(scores), test_targets) > 0.9


def test_unseen_threshold_and_knn_temperature_chosen_by_cv():
    torch.manual_seed(0)
    model = _Tiny()
    images, targets = _data(24)
    bank_images, bank_targets = _data(40, seed=1)
    cfg = AdaptationConfig(
        modes=("knn", "thresholds"),
        inner_folds=3,
        knn_space="pixels",
        knn_temperatures=(0.02, 0.5),
        unseen_candidates=(None, 0.99),
    )
    kw = {"bank_images": bank_images, "bank_targets": sp.csr_matrix(bank_targets)}
    res = adapt(model, images, targets, CODES, cfg, **kw)
    assert res.stats["knn_temperature"] in (0.02, 0.5)
    assert res.rule.knn.temperature == res.stats["knn_temperature"]
    assert "oof_f2_knn_weight_1_temperature_0.02" in res.stats
    assert res.stats["unseen_threshold"] in (None, 0.99)


def test_mode_specs_shorthand_options_and_pipeline_order():
    from vision.adapt import parse_mode_specs

    assert parse_mode_specs("last-layer, knn@pixels ,thresholds") == (
        ("last-layer", {}),
        ("knn", {"space": "pixels"}),
        ("thresholds", {}),
    )
    cfg = AdaptationConfig(modes="knn@both,thresholds", knn_k=3)
    assert cfg.modes == ("knn", "thresholds") and cfg.knn_space == "both"
    assert cfg.options_for("knn")["space"] == "both" and cfg.options_for("knn")["k"] == 3
    assert cfg.options_for("bias") == {"strength": 10.0}
    modes = AdaptationConfig(modes=("thresholds", "knn", "bias", "head")).create_modes()
    assert [m.name for m in modes] == ["head", "bias", "knn", "thresholds"]
    assert AdaptationConfig(modes="thresholds,head").weight_mode == "head"
    with pytest.raises(InputError, match="conflicts with knn-space pixels"):
        AdaptationConfig(modes="knn@both", knn_space="pixels")
    with pytest.raises(InputError, match="given twice"):
        parse_mode_specs("knn@both,knn@pixels")
    with pytest.raises(InputError, match="at most one of bn-stats, last-layer, head, full"):
        parse_modes("thresholds,last-layer,full")
    with pytest.raises(InputError, match="no adaptation mode"):
        parse_modes(" , ")
