"""A backbone made of any convolutional trunk followed by global average pooling."""

from __future__ import annotations

import torch
from torch import nn

from vision.models.backbone import Backbone

__all__ = ["PooledTrunk"]


class PooledTrunk(Backbone):
    """``trunk`` maps ``[B, 3, H, W]`` to a feature map ``[B, F, h, w]``; this averages it.

    Args:
        trunk: the convolutional part (classifier already removed).
        num_features: F, the channel count of the trunk's output.
    """

    def __init__(self, trunk: nn.Module, num_features: int) -> None:
        super().__init__()
        self.trunk = trunk
        self.num_features = int(num_features)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, 3, H, W]`` -> ``[B, F]`` (global average pool of the trunk's map)."""
        fmap = self.trunk(x)
        return fmap.mean(dim=(2, 3))
