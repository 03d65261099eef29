"""Test-time augmentation: average sigmoid probabilities over flipped and cropped views.

View generators (:data:`TTA_VIEWS`, ``create_tta(name)``, ``list_tta()``; one function each,
``views(x [B, 3, H, W]) -> list of [B, 3, H, W]``, registered below):

* ``none``: the image itself (1 view);
* ``flip``: + its horizontal mirror (2 views);
* ``crops``: + four corner crops and a centre crop covering ``crop_scale`` of each side,
  resized back to the input size (6 views);
* ``flip+crops``: every ``crops`` view and its mirror (12 views).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from corpora.catalogue import Catalogue

__all__ = [
    "TTA_VIEWS",
    "TestTimeAugmentation",
    "create_tta",
    "list_tta",
    "tta_outputs",
    "tta_probabilities",
]

ViewFn = Callable[[torch.Tensor], list[torch.Tensor]]

#: view generators by name, in the order ``--tta`` lists them
TTA_VIEWS: Catalogue[list[torch.Tensor]] = Catalogue("TTA", order="registration")


@TTA_VIEWS.register("none")
def _identity(x: torch.Tensor) -> list[torch.Tensor]:
    """the image itself"""
    return [x]


@TTA_VIEWS.register("flip")
def _flip(x: torch.Tensor) -> list[torch.Tensor]:
    """the image and its horizontal mirror"""
    return [x, torch.flip(x, dims=[-1])]


@TTA_VIEWS.register("crops")
def _crops(x: torch.Tensor, crop_scale: float = 0.875) -> list[torch.Tensor]:
    """the image, four corner crops and a centre crop resized back"""
    h, w = x.shape[-2:]
    ch, cw = max(1, round(h * crop_scale)), max(1, round(w * crop_scale))
    tops = [0, 0, h - ch, h - ch, (h - ch) // 2]
    lefts = [0, w - cw, 0, w - cw, (w - cw) // 2]
    views = [x]
    for top, left in zip(tops, lefts):
        crop = x[..., top : top + ch, left : left + cw]
        views.append(F.interpolate(crop, size=(h, w), mode="bilinear", align_corners=False))
    return views


@TTA_VIEWS.register("flip+crops")
def _flip_crops(x: torch.Tensor, crop_scale: float = 0.875) -> list[torch.Tensor]:
    """every crops view and its mirror"""
    views = _crops(x, crop_scale)
    return views + [torch.flip(v, dims=[-1]) for v in views]


@dataclass(frozen=True)
class TestTimeAugmentation:
    """A named view generator: ``views(x [B, 3, H, W]) -> list of [B, 3, H, W]``."""

    name: str
    views: ViewFn

    def __call__(self, x: torch.Tensor) -> list[torch.Tensor]:
        return self.views(x)


def list_tta() -> list[str]:
    """Names accepted by :func:`create_tta` (and ``vision predict --tta``)."""
    return TTA_VIEWS.names()


def create_tta(name: str, **options: Any) -> TestTimeAugmentation:
    """The TTA called ``name`` with its ``options`` (``crop_scale``); an
    :class:`~corpora.errors.InputError` naming the choices for an unknown name."""
    entry = TTA_VIEWS.get(name)
    views = functools.partial(entry.factory, **entry.check_options(options))
    return TestTimeAugmentation(entry.name, views)


@torch.no_grad()
def tta_probabilities(
    model: nn.Module,
    x: torch.Tensor,
    tta: TestTimeAugmentation | str = "none",
    logit_offset: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean sigmoid probability over the TTA views.

    Args:
        model: maps ``[B, 3, H, W]`` to logits ``[B, L]`` (put in eval mode by the caller).
        x: images ``[B, 3, H, W]``.
        tta: a :class:`TestTimeAugmentation` or its name.
        logit_offset: optional ``[L]`` added to every view's logits (prior shift).
    Returns:
        ``[B, L]`` float32 probabilities.
    """
    aug = create_tta(tta) if isinstance(tta, str) else tta
    views = aug(x)
    total = None
    for view in views:
        logits = model(view).float()
        if logit_offset is not None:
            logits = logits + logit_offset.to(logits.device, logits.dtype)
        p = torch.sigmoid(logits)
        total = p if total is None else total.add_(p)
    return total.div_(len(views))


@torch.no_grad()
def tta_outputs(
    model: nn.Module, x: torch.Tensor, tta: TestTimeAugmentation | str = "none"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean probabilities and mean backbone features over the TTA views.

    Args:
        model: has ``forward_features`` (``[B, 3, H, W] -> [B, F]``) and ``forward_head``
            (``[B, F] -> [B, L]`` logits); the caller puts it in eval mode.
        x: images ``[B, 3, H, W]``.
    Returns:
        ``(probs [B, L] float32, features [B, F] float32)``; the views are summed in place
        (one ``[B, L]`` accumulator whatever the number of views).
    """
    aug = create_tta(tta) if isinstance(tta, str) else tta
    views = aug(x)
    probs, feats = None, None
    for view in views:
        f = model.forward_features(view).float()
        p = torch.sigmoid(model.forward_head(f).float())
        probs = p if probs is None else probs.add_(p)
        feats = f if feats is None else feats.add_(f)
    return probs.div_(len(views)), feats.div_(len(views))
