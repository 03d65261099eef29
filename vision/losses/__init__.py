"""Multi-label losses: ``loss(logits [B, L], targets [B, L], mask=None) -> scalar``."""

from vision.losses.asymmetric_loss import AsymmetricLoss
from vision.losses.bce_loss import BCELoss
from vision.losses.loss_registry import create_loss, list_losses, register_loss
from vision.losses.multi_label_loss import MultiLabelLoss
from vision.losses.soft_f2_loss import SoftF2Loss, soft_fbeta
from vision.losses.softmax_loss import SoftmaxLoss

__all__ = [
    "AsymmetricLoss",
    "BCELoss",
    "MultiLabelLoss",
    "SoftF2Loss",
    "SoftmaxLoss",
    "create_loss",
    "list_losses",
    "register_loss",
    "soft_fbeta",
]
