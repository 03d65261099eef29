"""Automatic mixed precision (``--amp``): which autocast dtype, and whether gradients are scaled.

``--amp`` takes ``off`` (default), ``auto`` (what ``--amp`` alone means), ``bf16`` or
``fp16``:

* ``auto``: bfloat16 where the device computes it (every CPU; a CUDA GPU that reports
  ``torch.cuda.is_bf16_supported()``, i.e. Ampere and newer), else float16;
* ``bf16``: bfloat16 autocast. Its exponent range is float32's, so no gradient scaling;
* ``fp16``: float16 autocast with a ``torch.amp.GradScaler`` (dynamic loss scaling keeps small
  gradients from flushing to zero; a step with inf/NaN gradients is skipped).

The forward pass runs under ``torch.autocast``; the loss is computed on float32 logits and the
weights, optimizer state and checkpoints stay float32.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import torch

from corpora.errors import InputError

__all__ = ["AMP_MODES", "MixedPrecision", "parse_amp"]

#: the values of ``--amp``
AMP_MODES = ("off", "auto", "bf16", "fp16")
_ALIASES = {
    "false": "off",
    "no": "off",
    "none": "off",
    "0": "off",
    "true": "auto",
    "on": "auto",
    "yes": "auto",
    "1": "auto",
    "bfloat16": "bf16",
    "float16": "fp16",
    "half": "fp16",
}


def parse_amp(value: bool | str | None) -> str:
    """``--amp`` (or a config's ``amp: true``) as one of :data:`AMP_MODES`."""
    if value is None or value is False:
        return "off"
    if value is True:
        return "auto"
    text = str(value).strip().lower()
    text = _ALIASES.get(text, text)
    if text not in AMP_MODES:
        raise InputError(f"unknown --amp {value!r}; use one of {', '.join(AMP_MODES)}")
    return text


def _bf16_supported(device: torch.device) -> bool:
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return True


@dataclass(frozen=True)
class MixedPrecision:
    """The autocast settings of one run.

    Attributes:
        mode: one of :data:`AMP_MODES` as given (``auto`` resolved into ``dtype``).
        device_type: ``"cpu"``, ``"cuda"``...
        dtype: the autocast dtype, or None when off.
    """

    mode: str
    device_type: str
    dtype: torch.dtype | None

    @classmethod
    def of(cls, amp: bool | str | None, device: torch.device | str) -> MixedPrecision:
        """The settings of ``--amp amp`` on ``device``."""
        device = torch.device(device)
        mode = parse_amp(amp)
        if mode == "off":
            dtype = None
        elif mode == "bf16" or (mode == "auto" and _bf16_supported(device)):
            dtype = torch.bfloat16
        else:
            dtype = torch.float16
        return cls(mode, device.type, dtype)

    @property
    def enabled(self) -> bool:
        return self.dtype is not None

    @property
    def needs_scaler(self) -> bool:
        """float16 autocast: gradients go through a ``GradScaler``."""
        return self.dtype == torch.float16

    def autocast(self) -> Any:
        """The context of a forward pass: ``torch.autocast`` or nothing."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)

    def grad_scaler(self) -> torch.amp.GradScaler:
        """A ``GradScaler`` for this device, enabled only for float16."""
        return torch.amp.GradScaler(self.device_type, enabled=self.needs_scaler)

    def describe(self) -> str:
        names = {torch.bfloat16: "bf16", torch.float16: "fp16"}
        return (
            "off" if self.dtype is None else f"{names[self.dtype]} autocast on {self.device_type}"
        )
