"""``bn-stats`` (AdaBN): only the batch-norm running statistics change."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from corpora.errors import InputError
from vision.adapt import AdaptationConfig, adapt
from vision.adapt.modes.bn_stats_mode import recompute_bn_statistics
from vision.models import MultiLabelClassifier

CODES = [f"/m/{i}" for i in range(5)]
_STATS = ("running_mean", "running_var", "num_batches_tracked")


def _model() -> MultiLabelClassifier:
    torch.manual_seed(0)
    args = {"backbone": "compact_cnn", "backbone_kwargs": {}, "head": "linear",
            "head_kwargs": {}, "num_labels": len(CODES)}  # fmt: skip
    model = MultiLabelClassifier.from_args(args)
    model.train()
    with torch.no_grad():  # source statistics: a few batches of one "style"
        for _ in range(3):
            model(torch.randn(8, 3, 16, 16) * 0.5 - 1.0)
    return model.eval()


def test_bn_stats_changes_only_the_normalisation_statistics():
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    gen = torch.Generator().manual_seed(1)
    tuning = torch.rand(6, 3, 16, 16, generator=gen) * 2 + 1.0  # another "style"
    targets = (torch.rand(6, len(CODES), generator=gen) < 0.4).float().numpy()
    test = torch.rand(20, 3, 16, 16, generator=gen) * 2 + 1.0
    cfg = AdaptationConfig(modes="bn-stats,thresholds", inner_folds=0)
    res = adapt(model, tuning, targets, CODES, cfg, unlabeled_images=test)
    after = res.model.state_dict()
    assert set(after) == set(before)
    changed = []
    for name, value in before.items():
        if name.rsplit(".", 1)[-1] in _STATS:
            changed.append(not torch.equal(value, after[name]))
        else:
            assert torch.equal(value, after[name]), f"{name} changed"
    assert changed and all(changed)  # every batch-norm layer took the target statistics
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())  # input kept
    assert not res.model.training
    # the new means are the target images' (first layer: a plain convolution of them)
    bn = next(m for m in res.model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    old = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert not torch.allclose(bn.running_mean, old.running_mean)


def test_recompute_strength_and_errors():
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    images = torch.rand(10, 3, 16, 16)
    assert recompute_bn_statistics(model, images, strength=0.0) > 0
    for name, value in model.state_dict().items():
        if not name.endswith("num_batches_tracked"):
            assert torch.equal(value, before[name]), name  # strength 0: unchanged
    full = _model()
    recompute_bn_statistics(full, images, strength=1.0)
    half = _model()
    recompute_bn_statistics(half, images, strength=0.5)
    for name in before:
        if name.endswith("running_mean"):
            expected = 0.5 * before[name] + 0.5 * full.state_dict()[name]
            assert torch.allclose(half.state_dict()[name], expected, atol=1e-6)
    assert AdaptationConfig(modes="bn-stats@0.5").create_modes()[0].strength == 0.5
    with pytest.raises(InputError, match="strength must be in"):
        AdaptationConfig(modes="bn-stats@2").create_modes()
    no_bn = torch.nn.Sequential(torch.nn.Conv2d(3, 3, 1))
    cfg = AdaptationConfig(modes="bn-stats", inner_folds=0)
    with pytest.raises(InputError, match="no batch-norm layer"):
        adapt(no_bn, images, np.zeros((10, len(CODES)), np.float32), CODES, cfg)
