"""The backbone contract: an image trunk that ends in one pooled feature vector per image."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Backbone"]


class Backbone(nn.Module):
    """Base class of every backbone.

    Subclasses set ``num_features`` (F) and implement :meth:`forward_features`.
    ``forward(x)`` is ``forward_features(x)``.
    """

    num_features: int

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``[B, 3, H, W]`` (float, normalised) -> pooled features ``[B, F]``."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)
