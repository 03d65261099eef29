"""``full``: fine-tune everything with a small learning rate (``lr / 10``)."""

from __future__ import annotations

from typing import ClassVar

from torch import nn

from vision.adapt.adaptation_mode import register_mode
from vision.adapt.fine_tune_mode import FineTuneMode

__all__ = ["FullMode"]


@register_mode("full", priority=3)
class FullMode(FineTuneMode):
    """fine-tune everything with a small learning rate"""

    freezes_backbone: ClassVar[bool] = False
    lr_divisor: ClassVar[float] = 10.0

    def parameters(self, model: nn.Module) -> list[nn.Parameter]:
        return list(model.parameters())
