"""The head contract: pooled image features ``[B, F]`` -> label logits ``[B, L]``."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Head"]


class Head(nn.Module):
    """Base class of every head.

    Attributes:
        num_features: F, the input width.
        num_labels: L, the number of outputs.
    """

    num_features: int
    num_labels: int

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, F]`` -> logits ``[B, L]``."""
        raise NotImplementedError

    def last_layer(self) -> nn.Module:
        """The module(s) that produce the final logits: what ``last-layer`` adaptation trains."""
        raise NotImplementedError

    def reset_classifier(self, num_classes: int | None = None) -> None:
        """Re-initialise :meth:`last_layer` (optionally for a new number of labels)."""
        raise NotImplementedError
