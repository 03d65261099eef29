"""Transform presets: ``train`` (augmenting) and ``eval`` (deterministic); a small registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torchvision.transforms import v2

from corpora.errors import InputError

__all__ = [
    "build_transform",
    "list_transforms",
    "register_transform",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

_PRESETS: dict[str, Callable[..., v2.Transform]] = {}


def register_transform(
    name: str,
) -> Callable[[Callable[..., v2.Transform]], Callable[..., v2.Transform]]:
    """Decorator: register a preset builder ``fn(image_size, normalize, **kw) -> transform``."""

    def deco(fn: Callable[..., v2.Transform]) -> Callable[..., v2.Transform]:
        if name in _PRESETS:
            raise ValueError(f"transform preset {name!r} is already registered")
        _PRESETS[name] = fn
        return fn

    return deco


def _tail(normalize: bool) -> list[v2.Transform]:
    out: list[v2.Transform] = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    if normalize:
        out.append(v2.Normalize(IMAGENET_MEAN, IMAGENET_STD))
    return out


@register_transform("train")
def _train(
    image_size: int,
    normalize: bool = True,
    scale: tuple[float, float] = (0.35, 1.0),
    jitter: float = 0.3,
    hue: float = 0.05,
) -> v2.Transform:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.RandomResizedCrop(image_size, scale=scale, antialias=True),
            v2.RandomHorizontalFlip(),
            v2.ColorJitter(brightness=jitter, contrast=jitter, saturation=jitter, hue=hue),
            *_tail(normalize),
        ]
    )


@register_transform("eval")
def _eval(image_size: int, normalize: bool = True, resize_ratio: float = 1.0) -> v2.Transform:
    return v2.Compose(
        [
            v2.ToImage(),
            v2.Resize(round(image_size * resize_ratio), antialias=True),
            v2.CenterCrop(image_size),
            *_tail(normalize),
        ]
    )


def list_transforms() -> list[str]:
    """Names accepted by :func:`build_transform`."""
    return sorted(_PRESETS)


def build_transform(
    kind: str = "eval", image_size: int = 64, *, normalize: bool = True, **kw: Any
) -> v2.Transform:
    """A transform preset for images given as PIL images, uint8 ``[H, W, 3]`` arrays via
    ``torch.from_numpy(a).permute(2, 0, 1)``, or uint8 tensors ``[3, H, W]``.

    * ``"train"``: ``RandomResizedCrop(image_size, scale=(0.35, 1))``, horizontal flip (p=0.5),
      ``ColorJitter(brightness=contrast=saturation=jitter=0.3, hue=0.05)``.
    * ``"eval"``: resize the shorter side to ``image_size * resize_ratio`` (default 1.0), then
      centre crop ``image_size``.

    Both end with float32 ``[3, image_size, image_size]``: values in ``[0, 1]``, then (default
    ``normalize=True``) standardised with the ImageNet mean/std (:data:`IMAGENET_MEAN`,
    :data:`IMAGENET_STD`), i.e. roughly in ``[-2.1, 2.6]``.
    """
    if kind not in _PRESETS:
        raise InputError(
            f"unknown transform preset {kind!r}; choose one of {', '.join(list_transforms())}"
        )
    if int(image_size) < 8:
        raise InputError(f"image size {image_size} is too small; use at least 8 pixels")
    return _PRESETS[kind](int(image_size), normalize=normalize, **kw)
