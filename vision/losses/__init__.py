"""Multi-label losses: ``loss(logits [B, L], targets [B, L], mask=None) -> scalar``.

Every public module of this package is imported (:func:`~corpora.catalogue.import_plugins`),
so the loss modules register themselves in :data:`LOSSES`.
"""

from corpora.catalogue import import_plugins
from vision.losses.asymmetric_loss import AsymmetricLoss
from vision.losses.bce_loss import BCELoss
from vision.losses.multi_label_loss import LOSSES, MultiLabelLoss, create_loss, list_losses
from vision.losses.soft_f2_loss import SoftF2Loss, soft_fbeta
from vision.losses.softmax_loss import SoftmaxLoss

__all__ = [
    "AsymmetricLoss",
    "BCELoss",
    "LOSSES",
    "MultiLabelLoss",
    "SoftF2Loss",
    "SoftmaxLoss",
    "create_loss",
    "list_losses",
    "soft_fbeta",
]

# Every public module of this package is imported, so a new plugin (a head, a backbone, a loss,
# a label policy, a transform) is one new file here that registers itself, and nothing else.
import_plugins(__name__, __path__)  # noqa: E402
