"""``head``: fine-tune the whole head (classifier and GNN), backbone frozen."""

from __future__ import annotations

from torch import nn

from vision.adapt.adaptation_mode import register_mode
from vision.adapt.fine_tune_mode import FineTuneMode

__all__ = ["HeadMode"]


@register_mode("head", priority=2)
class HeadMode(FineTuneMode):
    """fine-tune the whole head (classifier and GNN), backbone frozen"""

    def parameters(self, model: nn.Module) -> list[nn.Parameter]:
        return list(model.head.parameters())
