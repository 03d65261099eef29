"""Where a model and its batches live: ``--device`` resolution and the ``channels_last`` layout.

:func:`resolve_device` is the reading of ``--device`` (``cpu``, ``cuda``, ``cuda:N``, ``mps``,
``auto``) used by training and prediction. It follows, name for name, the resolver of issue
#16 (``vision/resolve_device.py`` on that branch): when both are on ``main`` this one is
meant to become a re-export of it.

``channels_last`` (``vision train --channels-last``): 4-D weights and image batches in NHWC
order, the layout cuDNN's tensor-core convolutions and oneDNN prefer. The numbers are the
same tensors in another memory order; :func:`place_model` and :func:`place_batch` apply it.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from corpora.errors import InputError

__all__ = ["DEVICE_CHOICES", "place_batch", "place_model", "resolve_device"]

#: the accepted spellings of ``--device``
DEVICE_CHOICES = "cpu, cuda, cuda:N, mps or auto"
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """The torch device of ``device``: ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``auto``
    (``cuda`` when a CUDA GPU is visible, else ``cpu``).

    Raises:
        InputError: an unknown spelling, or a device this machine does not have (one line:
            what was asked, what is visible, what to pass instead).
    """
    text = str(device).strip().lower()
    if not _DEVICE.match(text):
        raise InputError(f"unknown --device {device!r}; use {DEVICE_CHOICES}")
    if text == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if text.startswith("cuda"):
        if not torch.cuda.is_available():
            build = f"CUDA {torch.version.cuda}" if torch.version.cuda else "no CUDA support"
            raise InputError(
                f"--device {text}: no CUDA GPU is visible to torch {torch.__version__} (built "
                f"with {build}); use --device cpu, or --device auto to take a GPU when there is one"
            )
        dev = torch.device(text)
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise InputError(
                f"--device {text}: only {count} CUDA device(s) are visible "
                f"(cuda:0..cuda:{count - 1}); use one of those or --device auto"
            )
        return dev
    if text == "mps" and not (
        getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    ):
        raise InputError(
            "--device mps: Apple's MPS backend is not available here; use --device cpu"
        )
    return torch.device(text)


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
