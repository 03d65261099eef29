"""Asymmetric loss (Ridnik et al., ICCV 2021) for many-label, few-positive problems."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vision.losses.multi_label_loss import LOSSES, MultiLabelLoss

__all__ = ["AsymmetricLoss"]


@LOSSES.register(
    "asl", help="asymmetric loss (Ridnik et al. 2021) for few positives among many labels"
)
class AsymmetricLoss(MultiLabelLoss):
    """``-[y (1-p)^g+ log p + (1-y) p_m^g- log(1-p_m)]``, ``p_m = max(p - clip, 0)``,
    mean-reduced over (unmasked) entries. Soft targets mix the two terms linearly.

    Args:
        gamma_pos: focusing exponent of positives (default 0).
        gamma_neg: focusing exponent of negatives (default 4).
        clip: probability margin shifted off negatives (default 0.05; 0 disables).
    """

    def __init__(self, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05) -> None:
        super().__init__()
        self.gamma_pos = float(gamma_pos)
        self.gamma_neg = float(gamma_neg)
        self.clip = float(clip)

    def forward(
        self, logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``[B, L]`` logits and targets -> scalar."""
        logits = logits.float()
        y = targets.float()
        p = torch.sigmoid(logits)
        log_p = F.logsigmoid(logits)
        if self.clip > 0:
            p_m = (p - self.clip).clamp_min(0.0)
            log_1m = torch.log((1.0 - p_m).clamp_min(1e-8))
        else:
            p_m = p
            log_1m = F.logsigmoid(-logits)
        pos = (1.0 - p).pow(self.gamma_pos) * log_p
        neg = p_m.pow(self.gamma_neg) * log_1m
        loss = -(y * pos + (1.0 - y) * neg)
        return self._masked_mean(loss, mask)
