"""Multi-label softmax cross-entropy: each positive label competes against all negatives."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vision.losses.multi_label_loss import LOSSES, MultiLabelLoss

__all__ = ["SoftmaxLoss"]


@LOSSES.register(
    "softmax", help="multi-label softmax cross-entropy (each positive against all negatives)"
)
class SoftmaxLoss(MultiLabelLoss):
    """For image ``b`` and positive ``j``:
    ``-log(exp(s_j) / (exp(s_j) + sum_k w_k exp(s_k)))`` with negative weights ``w_k = 1 - y_k``
    (times the mask), i.e. ``softplus(logsumexp_k(s_k + log w_k) - s_j)``. Per image the terms
    are averaged with weights ``y_j`` (soft targets allowed); images without positives are
    skipped; the result is the mean over images that have one (0 when none do).
    """

    def forward(
        self, logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``[B, L]`` logits and targets -> scalar."""
        s = logits.float()
        y = targets.float()
        m = torch.ones_like(y) if mask is None else mask.float()
        neg_w = (1.0 - y) * m
        log_w = torch.where(neg_w > 0, neg_w.clamp_min(1e-30).log(), torch.full_like(s, -torch.inf))
        log_neg = torch.logsumexp(s + log_w, dim=1, keepdim=True)  # [B, 1], -inf if no negatives
        term = F.softplus(log_neg - s)  # [B, L]
        pos_w = y * m
        n_pos = pos_w.sum(1)
        has = n_pos > 0
        if not bool(has.any()):
            return s.sum() * 0.0
        per_image = (pos_w * term).sum(1)[has] / n_pos[has]
        return per_image.mean()
