"""A tiny model with the separable backbone/head contract of ``MultiLabelClassifier``
(``forward_features``, ``forward_head``, ``head.last_layer()``): a 1x1 convolution and global
average pooling (F = 3, the mean colour) under a linear head, the colour-coded data it tells
apart, and the outputs of an adapted rule. Shared by the adaptation tests."""

from __future__ import annotations

import numpy as np
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


def colour_data(n: int, seed: int) -> tuple[torch.Tensor, np.ndarray]:
    """``n`` images ``[n, 3, 8, 8]`` and targets ``[n, 3]`` of 3 labels told apart by colour
    channel; label 1 co-occurs with label 0."""
    g = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 3, 8, 8, generator=g) * 0.3
    targets = np.zeros((n, 3), dtype=np.float32)
    for i in range(n):
        j = i % 3
        targets[i, j] = 1
        if j == 1:
            targets[i, 0] = 1
        images[i, j] += 0.6
    return images, targets


def rule_outputs(res, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """``(scores, decisions)`` of an adaptation result's rule on ``images``."""
    from vision.adapt import embed, head_probs, pixel_vectors

    feats = embed(res.model, images)
    scores = res.rule.scores(head_probs(res.model, feats), feats.numpy(), pixel_vectors(images))
    return scores, res.rule.decide(scores)
