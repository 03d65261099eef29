"""Backbones: shapes, gradients, adapted stems, and never a download."""

from __future__ import annotations

import pytest
import torch
import torch.hub

from corpora.errors import InputError
from vision.models import create_backbone, list_backbones

REQUIRED = {
    "resnet18",
    "resnet34",
    "resnet50",
    "densenet121",
    "mobilenet_v3_small",
    "efficientnet_b0",
    "compact_cnn",
    "test_cnn",
    "test_resnet",
}


def test_registry_lists_required_backbones():
    assert REQUIRED <= set(list_backbones())


def test_unknown_backbone_names_choices():
    with pytest.raises(InputError, match="unknown backbone 'resnet9'.*resnet18"):
        create_backbone("resnet9")


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_backbone_shape_and_every_parameter_gets_a_gradient(name):
    torch.manual_seed(0)
    bb = create_backbone(name)
    x = torch.randn(2, 3, 16, 16)  # small: the big torchvision nets are slow on 2 cores
    f = bb.forward_features(x)
    assert f.shape == (2, bb.num_features)
    f.pow(2).sum().backward()
    missing = [n for n, p in bb.named_parameters() if p.grad is None]
    assert not missing, f"{name}: no gradient for {missing[:5]}"


@pytest.mark.parametrize(
    "name", ["resnet18", "densenet121", "mobilenet_v3_small", "efficientnet_b0"]
)
def test_small_input_stem_keeps_resolution(name):
    """No early max-pool and a stride-1/2 3x3 first conv: a 32 px image is not reduced to 1x1."""
    bb = create_backbone(name, stem_stride=1).eval()
    with torch.no_grad():
        fmap = bb.trunk(torch.randn(1, 3, 32, 32))
    assert fmap.shape[-1] >= 2  # standard ImageNet stems would give 1x1 here
    first = next(m for m in bb.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.kernel_size == (3, 3) and first.stride == (1, 1)
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in bb.trunk.modules())


def test_bad_stem_stride():
    with pytest.raises(ValueError, match="stem_stride must be 1 or 2"):
        create_backbone("resnet18", stem_stride=4)


def test_no_weights_are_ever_downloaded(monkeypatch, tmp_path):
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))

    def forbidden(*a, **k):
        raise AssertionError(f"download attempted: {a}")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", forbidden)
    monkeypatch.setattr(torch.hub, "download_url_to_file", forbidden)
    import torchvision.models._api as tv_api

    if hasattr(tv_api, "load_state_dict_from_url"):
        monkeypatch.setattr(tv_api, "load_state_dict_from_url", forbidden)
    for name in list_backbones():
        create_backbone(name)
    assert not home.exists() or not any(home.rglob("*"))
