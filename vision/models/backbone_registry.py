"""Registry of backbones: ``create_backbone(name, **kw)``, ``list_backbones()``.

Every backbone is built from scratch (``weights=None``): nothing is ever downloaded.
The torchvision architectures get a stem adapted to 32-64 px inputs: the first convolution
becomes 3x3 with stride ``stem_stride`` (default 2; 1 keeps full resolution) and the early
max-pool is removed, so a 64 px image reaches the last stage at 4x4 (stride 2) instead of 2x2.
"""

from __future__ import annotations

from typing import Any

import torchvision
from torch import nn

from vision.models._registry import Registry
from vision.models.backbone import Backbone
from vision.models.compact_cnn import compact_cnn_trunk
from vision.models.pooled_trunk import PooledTrunk

__all__ = ["create_backbone", "list_backbones", "register_backbone", "BACKBONES"]

BACKBONES: Registry[Backbone] = Registry("backbone")
register_backbone = BACKBONES.register


def create_backbone(name: str, **kw: Any) -> Backbone:
    """Build backbone ``name`` (see :func:`list_backbones`) with builder keyword arguments.

    Common keyword: ``stem_stride`` (1 or 2, default 2 for torchvision models, 1 for the
    compact CNN). The result has ``num_features`` and ``forward_features(x) -> [B, F]``.
    """
    return BACKBONES.create(name, **kw)


def list_backbones() -> list[str]:
    """Names accepted by :func:`create_backbone`."""
    return BACKBONES.names()


def _check_stride(stem_stride: int) -> int:
    if stem_stride not in (1, 2):
        raise ValueError(f"stem_stride must be 1 or 2, got {stem_stride}")
    return stem_stride


def _resnet_trunk(model: torchvision.models.ResNet, stem_stride: int) -> PooledTrunk:
    model.conv1 = nn.Conv2d(3, 64, 3, stride=_check_stride(stem_stride), padding=1, bias=False)
    model.maxpool = nn.Identity()
    trunk = nn.Sequential(
        model.conv1, model.bn1, model.relu, model.layer1, model.layer2, model.layer3, model.layer4
    )
    return PooledTrunk(trunk, model.fc.in_features)


@register_backbone("resnet18")
def _resnet18(stem_stride: int = 2) -> Backbone:
    return _resnet_trunk(torchvision.models.resnet18(weights=None), stem_stride)


@register_backbone("resnet34")
def _resnet34(stem_stride: int = 2) -> Backbone:
    return _resnet_trunk(torchvision.models.resnet34(weights=None), stem_stride)


@register_backbone("resnet50")
def _resnet50(stem_stride: int = 2) -> Backbone:
    return _resnet_trunk(torchvision.models.resnet50(weights=None), stem_stride)


@register_backbone("test_resnet")
def _test_resnet(stem_stride: int = 2) -> Backbone:
    """ResNet with one BasicBlock per stage (tests only)."""
    model = torchvision.models.ResNet(torchvision.models.resnet.BasicBlock, [1, 1, 1, 1])
    return _resnet_trunk(model, stem_stride)


@register_backbone("densenet121")
def _densenet121(stem_stride: int = 2) -> Backbone:
    model = torchvision.models.densenet121(weights=None)
    model.features.conv0 = nn.Conv2d(
        3, 64, 3, stride=_check_stride(stem_stride), padding=1, bias=False
    )
    model.features.pool0 = nn.Identity()
    trunk = nn.Sequential(model.features, nn.ReLU(inplace=False))
    return PooledTrunk(trunk, model.classifier.in_features)


@register_backbone("mobilenet_v3_small")
def _mobilenet_v3_small(stem_stride: int = 2) -> Backbone:
    model = torchvision.models.mobilenet_v3_small(weights=None)
    s = _check_stride(stem_stride)
    model.features[0][0].stride = (s, s)
    return PooledTrunk(model.features, model.classifier[0].in_features)


@register_backbone("efficientnet_b0")
def _efficientnet_b0(stem_stride: int = 2) -> Backbone:
    model = torchvision.models.efficientnet_b0(weights=None)
    s = _check_stride(stem_stride)
    model.features[0][0].stride = (s, s)
    return PooledTrunk(model.features, model.classifier[1].in_features)


@register_backbone("compact_cnn")
def _compact_cnn(
    stem_stride: int = 1, widths: tuple[int, ...] = (32, 64, 128, 256), convs_per_stage: int = 2
) -> Backbone:
    trunk, f = compact_cnn_trunk(widths, convs_per_stage, _check_stride(stem_stride))
    return PooledTrunk(trunk, f)


@register_backbone("test_cnn")
def _test_cnn(stem_stride: int = 2) -> Backbone:
    """Two tiny stages (8 and 16 channels), tests only."""
    trunk, f = compact_cnn_trunk((8, 16), 1, _check_stride(stem_stride))
    return PooledTrunk(trunk, f)
