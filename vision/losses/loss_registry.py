"""Registry of losses: ``create_loss(name, **kw)``, ``list_losses()``."""

from __future__ import annotations

from typing import Any

from vision.losses.asymmetric_loss import AsymmetricLoss
from vision.losses.bce_loss import BCELoss
from vision.losses.multi_label_loss import MultiLabelLoss
from vision.losses.soft_f2_loss import SoftF2Loss
from vision.losses.softmax_loss import SoftmaxLoss
from vision.models._registry import Registry

__all__ = ["create_loss", "list_losses", "register_loss", "LOSSES"]

LOSSES: Registry[MultiLabelLoss] = Registry("loss")
register_loss = LOSSES.register
register_loss("bce")(BCELoss)
register_loss("asl")(AsymmetricLoss)
register_loss("softmax")(SoftmaxLoss)
register_loss("softf2")(SoftF2Loss)


def create_loss(name: str, **kw: Any) -> MultiLabelLoss:
    """Build loss ``name``: ``bce`` (``pos_weight``), ``asl`` (``gamma_pos``, ``gamma_neg``,
    ``clip``), ``softmax``, ``softf2`` (``beta``)."""
    return LOSSES.create(name, **kw)


def list_losses() -> list[str]:
    """Names accepted by :func:`create_loss`."""
    return LOSSES.names()
