"""The torchvision architectures as backbones, built from scratch with a small-input stem.

Every backbone is built with ``weights=None``: nothing is ever downloaded. The first
convolution becomes 3x3 with stride ``stem_stride`` (default 2; 1 keeps full resolution) and
the early max-pool is removed, so a 64 px image reaches the last stage at 4x4 (stride 2)
instead of 2x2. Each builder registers itself in :data:`~vision.models.backbone.BACKBONES`.
"""

from __future__ import annotations

import torchvision
from torch import nn

from vision.models.backbone import BACKBONES, Backbone, check_stem_stride
from vision.models.pooled_trunk import PooledTrunk

__all__: list[str] = []


def _resnet_trunk(model: torchvision.models.ResNet, stem_stride: int) -> PooledTrunk:
    model.conv1 = nn.Conv2d(3, 64, 3, stride=check_stem_stride(stem_stride), padding=1, bias=False)
    model.maxpool = nn.Identity()
    trunk = nn.Sequential(
        model.conv1, model.bn1, model.relu, model.layer1, model.layer2, model.layer3, model.layer4
    )
    return PooledTrunk(trunk, model.fc.in_features)


@BACKBONES.register("resnet18")
def _resnet18(stem_stride: int = 2) -> Backbone:
    """ResNet-18."""
    return _resnet_trunk(torchvision.models.resnet18(weights=None), stem_stride)


@BACKBONES.register("resnet34")
def _resnet34(stem_stride: int = 2) -> Backbone:
    """ResNet-34."""
    return _resnet_trunk(torchvision.models.resnet34(weights=None), stem_stride)


@BACKBONES.register("resnet50")
def _resnet50(stem_stride: int = 2) -> Backbone:
    """ResNet-50."""
    return _resnet_trunk(torchvision.models.resnet50(weights=None), stem_stride)


@BACKBONES.register("test_resnet")
def _test_resnet(stem_stride: int = 2) -> Backbone:
    """ResNet with one BasicBlock per stage (tests only)."""
    model = torchvision.models.ResNet(torchvision.models.resnet.BasicBlock, [1, 1, 1, 1])
    return _resnet_trunk(model, stem_stride)


@BACKBONES.register("densenet121")
def _densenet121(stem_stride: int = 2) -> Backbone:
    """DenseNet-121."""
    model = torchvision.models.densenet121(weights=None)
    model.features.conv0 = nn.Conv2d(
        3, 64, 3, stride=check_stem_stride(stem_stride), padding=1, bias=False
    )
    model.features.pool0 = nn.Identity()
    trunk = nn.Sequential(model.features, nn.ReLU(inplace=False))
    return PooledTrunk(trunk, model.classifier.in_features)


@BACKBONES.register("mobilenet_v3_small")
def _mobilenet_v3_small(stem_stride: int = 2) -> Backbone:
    """MobileNetV3-Small."""
    model = torchvision.models.mobilenet_v3_small(weights=None)
    s = check_stem_stride(stem_stride)
    model.features[0][0].stride = (s, s)
    return PooledTrunk(model.features, model.classifier[0].in_features)


@BACKBONES.register("efficientnet_b0")
def _efficientnet_b0(stem_stride: int = 2) -> Backbone:
    """EfficientNet-B0."""
    model = torchvision.models.efficientnet_b0(weights=None)
    s = check_stem_stride(stem_stride)
    model.features[0][0].stride = (s, s)
    return PooledTrunk(model.features, model.classifier[1].in_features)
