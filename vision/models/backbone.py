"""The backbone contract and catalogue: an image trunk that ends in one pooled feature vector.

Backbones register themselves in :data:`BACKBONES` where they are defined
(``vision/models/torchvision_backbones.py``, ``vision/models/compact_cnn.py``); the package's
``__init__`` imports them. Build one with :func:`create_backbone`, list them with
:func:`list_backbones`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from corpora.catalogue import Catalogue

__all__ = ["Backbone", "BACKBONES", "create_backbone", "list_backbones", "check_stem_stride"]


class Backbone(nn.Module):
    """Base class of every backbone.

    Subclasses set ``num_features`` (F) and implement :meth:`forward_features`.
    ``forward(x)`` is ``forward_features(x)``.
    """

    num_features: int

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``[B, 3, H, W]`` (float, normalised) -> pooled features ``[B, F]``."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)


#: every backbone, by name; an entry's options are its builder's keyword parameters
BACKBONES: Catalogue[Backbone] = Catalogue("backbone")


def create_backbone(name: str, **options: Any) -> Backbone:
    """Build backbone ``name`` (see :func:`list_backbones`) from scratch (nothing is downloaded).

    Common option: ``stem_stride`` (1 or 2; default 2 for torchvision models, 1 for the
    compact CNN). Options are checked against the entry (``BACKBONES.options(name)``). The
    result has ``num_features`` and ``forward_features(x) -> [B, F]``.
    """
    return BACKBONES.create(name, **options)


def list_backbones() -> list[str]:
    """Names accepted by :func:`create_backbone`."""
    return BACKBONES.names()


def check_stem_stride(stem_stride: int) -> int:
    """``stem_stride`` if it is 1 or 2; ``ValueError`` otherwise."""
    if stem_stride not in (1, 2):
        raise ValueError(f"stem_stride must be 1 or 2, got {stem_stride}")
    return stem_stride
