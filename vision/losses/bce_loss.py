"""Binary cross-entropy with logits, optionally weighting positives per label."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vision.losses.multi_label_loss import LOSSES, MultiLabelLoss

__all__ = ["BCELoss"]


@LOSSES.register("bce", help="binary cross-entropy with logits, optional positive weight")
class BCELoss(MultiLabelLoss):
    """``-(w_l y log p + (1 - y) log(1 - p))`` averaged over (unmasked) entries.

    Args:
        pos_weight: ``None``, a float or a ``[L]`` tensor: the weight ``w_l`` of positive terms.
    """

    def __init__(self, pos_weight: float | torch.Tensor | None = None) -> None:
        super().__init__()
        pw = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float32)
        self.register_buffer("pos_weight", pw)

    def forward(
        self, logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``[B, L]`` logits and targets -> scalar."""
        logits = logits.float()
        pw = None if self.pos_weight is None else self.pos_weight.to(logits.device)
        loss = F.binary_cross_entropy_with_logits(
            logits, targets.float(), pos_weight=pw, reduction="none"
        )
        return self._masked_mean(loss, mask)
