"""A small plain CNN that trains at a useful speed on a couple of CPU cores.

Registers the backbones ``compact_cnn`` and ``test_cnn`` (two tiny stages, for tests) in
:data:`~vision.models.backbone.BACKBONES`.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from vision.models.backbone import BACKBONES, Backbone, check_stem_stride
from vision.models.pooled_trunk import PooledTrunk

__all__ = ["compact_cnn_trunk"]


def _conv_bn_relu(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def compact_cnn_trunk(
    widths: Sequence[int] = (32, 64, 128, 256), convs_per_stage: int = 2, stem_stride: int = 1
) -> tuple[nn.Sequential, int]:
    """Build the trunk: one stage per width, each halving the resolution (except the first,
    which uses ``stem_stride``), ``convs_per_stage`` 3x3 conv-BN-ReLU blocks per stage.

    Returns:
        (trunk mapping ``[B, 3, H, W]`` -> ``[B, widths[-1], H / (stem_stride * 2^(S-1)), ...]``,
        number of output channels).
    """
    layers: list[nn.Module] = []
    cin = 3
    for i, w in enumerate(widths):
        stride = stem_stride if i == 0 else 2
        layers.append(_conv_bn_relu(cin, w, stride))
        for _ in range(convs_per_stage - 1):
            layers.append(_conv_bn_relu(w, w, 1))
        cin = w
    return nn.Sequential(*layers), int(widths[-1])


@BACKBONES.register("compact_cnn")
def _compact_cnn(
    stem_stride: int = 1, widths: tuple[int, ...] = (32, 64, 128, 256), convs_per_stage: int = 2
) -> Backbone:
    """Plain conv-BN-ReLU stages (widths 32-256), fast on CPU."""
    trunk, f = compact_cnn_trunk(widths, convs_per_stage, check_stem_stride(stem_stride))
    return PooledTrunk(trunk, f)


@BACKBONES.register("test_cnn")
def _test_cnn(stem_stride: int = 2) -> Backbone:
    """Two tiny stages (8 and 16 channels), tests only."""
    trunk, f = compact_cnn_trunk((8, 16), 1, check_stem_stride(stem_stride))
    return PooledTrunk(trunk, f)
