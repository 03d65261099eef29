"""A tiny model with the separable backbone/head contract of ``MultiLabelClassifier``
(``forward_features``, ``forward_head``, ``head.last_layer()``): a 1x1 convolution and global
average pooling (F = 3, the mean colour) under a linear head. Shared by the adaptation tests."""

from __future__ import annotations

import torch
from torch import nn


class ColourHead(nn.Module):
    def __init__(self, num_labels: int) -> None:
        super().__init__()
        self.fc = nn.Linear(3, num_labels)
        self.num_labels = num_labels

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        return self.fc(f)

    def last_layer(self) -> nn.Module:
        return self.fc


class ColourModel(nn.Module):
    """``[B, 3, H, W]`` images -> ``[B, num_labels]`` logits."""

    def __init__(self, num_labels: int) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 3, 1), nn.AdaptiveAvgPool2d(1))
        self.head = ColourHead(num_labels)
        self.num_features = 3

    @property
    def num_labels(self) -> int:
        return self.head.num_labels

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.backbone(x).flatten(1)

    def forward_head(self, f: torch.Tensor) -> torch.Tensor:
        return self.head(f)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))
