"""Where a model and its batches live: the device, in the ``channels_last`` layout or not.

The device itself comes from ``--device`` through :func:`vision.resolve_device.resolve_device`
(the one reading of ``cpu``, ``cuda``, ``cuda:N``, ``mps``, ``auto``).

``channels_last`` (``vision train --channels-last``, ``vision predict --channels-last``): 4-D
weights and image batches in NHWC order, the layout cuDNN's tensor-core convolutions and
oneDNN prefer. The numbers are the same tensors in another memory order; :func:`place_model`
and :func:`place_batch` apply it.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["place_batch", "place_model"]


def place_model(model: nn.Module, device: torch.device, channels_last: bool = False) -> nn.Module:
    """``model`` moved to ``device`` (in place), its 4-D weights in ``channels_last`` order
    when asked; returns the model."""
    model = model.to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def place_batch(
    images: torch.Tensor,
    device: torch.device,
    channels_last: bool = False,
    non_blocking: bool = False,
) -> torch.Tensor:
    """Images ``[B, 3, H, W]`` on ``device``, in ``channels_last`` order when asked (the same
    shape and values; only the strides differ)."""
    if channels_last and images.dim() == 4:
        return images.to(device, non_blocking=non_blocking, memory_format=torch.channels_last)
    return images.to(device, non_blocking=non_blocking)
