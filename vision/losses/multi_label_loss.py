"""The loss contract: ``loss(logits [B, L], targets [B, L], mask [B, L] | None) -> scalar``."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MultiLabelLoss"]


class MultiLabelLoss(nn.Module):
    """Base class. ``targets`` are in [0, 1] (soft targets allowed); ``mask`` (1 = counts,
    0 = unknown label for this image) excludes entries; ``None`` means every entry counts."""

    def forward(
        self, logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def _masked_mean(values: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Mean of ``values [B, L]`` over entries with ``mask == 1`` (all when ``None``)."""
        if mask is None:
            return values.mean()
        mask = mask.to(values.dtype)
        return (values * mask).sum() / mask.sum().clamp_min(1.0)
