"""The loss contract and catalogue: ``loss(logits [B, L], targets [B, L], mask [B, L] | None)``.

Losses register themselves in :data:`LOSSES` where they are defined (``bce_loss.py``,
``asymmetric_loss.py``, ``softmax_loss.py``, ``soft_f2_loss.py``); the package's ``__init__``
imports them. Build one with :func:`create_loss`, list them with :func:`list_losses`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from corpora.catalogue import Catalogue

__all__ = ["MultiLabelLoss", "LOSSES", "create_loss", "list_losses"]


class MultiLabelLoss(nn.Module):
    """Base class. ``targets`` are in [0, 1] (soft targets allowed); ``mask`` (1 = counts,
    0 = unknown label for this image) excludes entries; ``None`` means every entry counts."""

    def forward(
        self, logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def _masked_mean(values: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Mean of ``values [B, L]`` over entries with ``mask == 1`` (all when ``None``)."""
        if mask is None:
            return values.mean()
        mask = mask.to(values.dtype)
        return (values * mask).sum() / mask.sum().clamp_min(1.0)


#: every loss, by name; an entry's options are its class's keyword parameters
LOSSES: Catalogue[MultiLabelLoss] = Catalogue("loss")


def create_loss(name: str, **options: Any) -> MultiLabelLoss:
    """Build loss ``name``: ``bce`` (``pos_weight``), ``asl`` (``gamma_pos``, ``gamma_neg``,
    ``clip``), ``softmax``, ``softf2`` (``beta``); options are checked against the entry."""
    return LOSSES.create(name, **options)


def list_losses() -> list[str]:
    """Names accepted by :func:`create_loss`."""
    return LOSSES.names()
