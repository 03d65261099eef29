"""A differentiable per-image F2 (the competition metric with probabilities as soft counts)."""

from __future__ import annotations

import torch

from vision.losses.multi_label_loss import LOSSES, MultiLabelLoss

__all__ = ["SoftF2Loss", "soft_fbeta"]


def soft_fbeta(
    probs: torch.Tensor,
    targets: torch.Tensor,
    mask: torch.Tensor | None = None,
    beta: float = 2.0,
    eps: float = 1e-7,
) -> torch.Tensor:
    """Per-image soft F-beta ``[B]``: ``(1+b^2) tp / ((1+b^2) tp + b^2 fn + fp)`` with
    ``tp = sum p y``, ``fp = sum p (1-y)``, ``fn = sum (1-p) y``. ``eps`` in numerator and
    denominator makes an image with no positives and no predictions score 1. On hard 0/1
    probabilities this is the exact F-beta."""
    p = probs.float()
    y = targets.float()
    if mask is not None:
        p = p * mask
        y = y * mask
    b2 = beta * beta
    tp = (p * y).sum(1)
    fp = (p * (1 - y)).sum(1)
    fn = ((1 - p) * y).sum(1)
    return ((1 + b2) * tp + eps) / ((1 + b2) * tp + b2 * fn + fp + eps)


@LOSSES.register("softf2", help="1 - soft per-image F2 (the metric with probabilities as counts)")
class SoftF2Loss(MultiLabelLoss):
    """``1 - mean_b softF2(sigmoid(logits_b), y_b)``.

    Args:
        beta: the F-beta parameter (default 2).
    """

    def __init__(self, beta: float = 2.0) -> None:
        super().__init__()
        self.beta = float(beta)

    def forward(
        self, logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``[B, L]`` logits and targets -> scalar in [0, 1]."""
        return 1.0 - soft_fbeta(torch.sigmoid(logits.float()), targets, mask, self.beta).mean()
