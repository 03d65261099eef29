"""The no-graph baseline: a linear classifier on the pooled features."""

from __future__ import annotations

import torch
from torch import nn

from vision.models.head import HEADS, Head

__all__ = ["LinearHead"]


@HEADS.register("linear", help="a linear classifier on the pooled features (no graph)")
class LinearHead(Head):
    """``logits = dropout(features) @ W^T + b``.

    Args:
        num_features: F.
        num_labels: L.
        dropout: dropout probability on the features during training (default 0).
    """

    def __init__(self, num_features: int, num_labels: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.num_features = int(num_features)
        self.num_labels = int(num_labels)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(self.num_features, self.num_labels)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, F]`` -> ``[B, L]``."""
        return self.fc(self.drop(features))

    def last_layer(self) -> nn.Module:
        """The ``nn.Linear`` classifier."""
        return self.fc

    def reset_classifier(self, num_classes: int | None = None) -> None:
        """New ``nn.Linear(F, num_classes or L)`` with default initialisation."""
        if num_classes is not None:
            self.num_labels = int(num_classes)
        device = self.fc.weight.device
        self.fc = nn.Linear(self.num_features, self.num_labels).to(device)
