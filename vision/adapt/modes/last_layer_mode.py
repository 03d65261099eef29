"""``last-layer``: fine-tune only the head's last layer (``head.last_layer()``)."""

from __future__ import annotations

from torch import nn

from vision.adapt.adaptation_mode import register_mode
from vision.adapt.fine_tune_mode import FineTuneMode

__all__ = ["LastLayerMode"]


@register_mode("last-layer", priority=1)
class LastLayerMode(FineTuneMode):
    """fine-tune only the head's last layer"""

    def parameters(self, model: nn.Module) -> list[nn.Parameter]:
        return list(model.head.last_layer().parameters())
