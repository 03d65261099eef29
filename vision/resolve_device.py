"""``resolve_device``: the one reading of ``--device`` (every command that runs a model)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from corpora.errors import InputError

if TYPE_CHECKING:
    import torch

__all__ = ["resolve_device", "check_device_spelling", "DEVICE_PATTERN", "DEVICE_CHOICES"]

#: the accepted spellings (checked by the CLIs before anything heavy is imported)
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
DEVICE_CHOICES = "cpu, cuda, cuda:N, mps or auto"


def check_device_spelling(device: str) -> str:
    """``device`` normalised (lower case), or :class:`InputError` when it is not one of
    :data:`DEVICE_CHOICES`; imports nothing."""
    text = str(device).strip().lower()
    if not DEVICE_PATTERN.match(text):
        raise InputError(f"unknown --device {device!r}; use {DEVICE_CHOICES}")
    return text


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """The torch device of ``device``: ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``auto``
    (``cuda`` when a CUDA GPU is visible, else ``cpu``).

    Raises:
        InputError: an unknown spelling, or a device this machine does not have (one wording
            for every command: what was asked, what is visible, what to pass instead).
    """
    import torch  # here, so that the CLIs can check the spelling without importing torch

    device = str(device)
    text = str(device).strip().lower()
    check_device_spelling(text)
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
