"""The catalogue of transform presets and :func:`build_transform`.

Presets register themselves in :data:`TRANSFORMS` where they are defined: ``train``
(:mod:`vision.data.train_transform`), ``eval`` (:mod:`vision.data.eval_transform`) and
``style`` (:mod:`vision.data.style_transform`); the package's ``__init__`` imports them. A
preset is a class (or function) ``preset(image_size, normalize=True, **options) -> transform``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from corpora.catalogue import Catalogue
from corpora.errors import InputError
from vision.data._tensor_image import IMAGENET_MEAN, IMAGENET_STD

__all__ = [
    "TRANSFORMS",
    "build_transform",
    "list_transforms",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
]

Transform = Callable[[Any], torch.Tensor]

#: every transform preset, by name; an entry's options are its keyword parameters
TRANSFORMS: Catalogue[Transform] = Catalogue("transform preset")


def list_transforms() -> list[str]:
    """Names accepted by :func:`build_transform`."""
    return TRANSFORMS.names()


def build_transform(
    kind: str | Mapping[str, Any] = "eval",
    image_size: int = 64,
    *,
    normalize: bool = True,
    **options: Any,
) -> Transform:
    """A transform preset for PIL images, uint8 ``[H, W, 3]`` arrays or ``[3, H, W]`` tensors.

    * ``"train"``: :class:`~vision.data.train_transform.TrainTransform`: random resized crop
      (area ``scale=(0.35, 1)``), horizontal flip (p=0.5), colour jitter (brightness,
      contrast, saturation ``jitter=0.3``, hue ``0.05``).
    * ``"eval"``: :class:`~vision.data.eval_transform.EvalTransform`: resize the shorter side
      to ``image_size * resize_ratio`` (default 1.0), centre crop ``image_size``.
    * ``"style"``: :class:`~vision.data.style_transform.StyleTransform`: a stronger
      augmentation against an art-style shift (crop, flip, strong colour jitter, greyscale,
      posterize, equalize, blur).

    ``kind`` may carry options: ``"train:jitter=0.4"`` or
    ``{"name": "train", "options": {"jitter": 0.4}}``; keyword ``options`` add to (and win
    over) them. Every preset returns float32 ``[3, image_size, image_size]``: values in
    ``[0, 1]``, then (default ``normalize=True``) standardised with the ImageNet mean/std
    (:data:`IMAGENET_MEAN`, :data:`IMAGENET_STD`), i.e. roughly in ``[-2.1, 2.6]``.
    """
    name, spec_options = TRANSFORMS.parse(kind)
    if int(image_size) < 8:
        raise InputError(f"image size {image_size} is too small; use at least 8 pixels")
    return TRANSFORMS.create(
        name, int(image_size), **{**spec_options, "normalize": normalize, **options}
    )
