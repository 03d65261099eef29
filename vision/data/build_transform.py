"""Transform presets: ``train`` (augmenting) and ``eval`` (deterministic); a small registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from corpora.errors import InputError
from vision.data._tensor_image import IMAGENET_MEAN, IMAGENET_STD
from vision.data.eval_transform import EvalTransform
from vision.data.train_transform import TrainTransform

__all__ = [
    "build_transform",
    "list_transforms",
    "register_transform",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
]

Transform = Callable[[Any], torch.Tensor]
_PRESETS: dict[str, Callable[..., Transform]] = {"train": TrainTransform, "eval": EvalTransform}


def register_transform(name: str) -> Callable[[Callable[..., Transform]], Callable[..., Transform]]:
    """Decorator: register a preset ``cls_or_fn(image_size, normalize=..., **kw) -> transform``."""

    def deco(fn: Callable[..., Transform]) -> Callable[..., Transform]:
        if name in _PRESETS:
            raise ValueError(f"transform preset {name!r} is already registered")
        _PRESETS[name] = fn
        return fn

    return deco


def list_transforms() -> list[str]:
    """Names accepted by :func:`build_transform`."""
    return sorted(_PRESETS)


def build_transform(
    kind: str = "eval", image_size: int = 64, *, normalize: bool = True, **kw: Any
) -> Transform:
    """A transform preset for PIL images, uint8 ``[H, W, 3]`` arrays or ``[3, H, W]`` tensors.

    * ``"train"``: :class:`~vision.data.train_transform.TrainTransform`: random resized crop
      (area ``scale=(0.35, 1)``), horizontal flip (p=0.5), colour jitter (brightness,
      contrast, saturation ``jitter=0.3``, hue ``0.05``).
    * ``"eval"``: :class:`~vision.data.eval_transform.EvalTransform`: resize the shorter side
      to ``image_size * resize_ratio`` (default 1.0), centre crop ``image_size``.

    Both return float32 ``[3, image_size, image_size]``: values in ``[0, 1]``, then (default
    ``normalize=True``) standardised with the ImageNet mean/std (:data:`IMAGENET_MEAN`,
    :data:`IMAGENET_STD`), i.e. roughly in ``[-2.1, 2.6]``. Extra keyword arguments go to
    the preset's class.
    """
    if kind not in _PRESETS:
        raise InputError(
            f"unknown transform preset {kind!r}; choose one of {', '.join(list_transforms())}"
        )
    if int(image_size) < 8:
        raise InputError(f"image size {image_size} is too small; use at least 8 pixels")
    return _PRESETS[kind](int(image_size), normalize=normalize, **kw)
