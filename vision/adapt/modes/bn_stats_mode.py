"""``bn-stats``: test-time adaptation of the batch-norm statistics (AdaBN).

Every batch-norm layer's running mean and variance are recomputed from target-domain images:
the unlabeled target images when given (``vision adapt --target-images``, e.g. the test
images, which this setting allows) together with the tuning images of the fit. Nothing else
changes: weights, biases and every other buffer stay bit-identical. The training bank keeps
its features under the input model (each domain normalised with its own statistics, as AdaBN
does), so ``knn`` compares target images under target statistics with training images under
training statistics.
"""

from __future__ import annotations

import copy
import logging
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from corpora.errors import InputError
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import WeightMode, register_mode
from vision.adapt.model_outputs import _device_of

__all__ = ["BNStatsMode", "recompute_bn_statistics"]

logger = logging.getLogger(__name__)

_BN = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


@torch.no_grad()
def recompute_bn_statistics(
    model: nn.Module, images: torch.Tensor, *, strength: float = 1.0, batch_size: int = 256
) -> int:
    """Replace the running statistics of every batch-norm layer of ``model`` (in place) by
    ``(1 - strength) * old + strength * new``, ``new`` being the mean over batches of the
    per-batch mean and (unbiased) variance of ``images [N, 3, H, W]`` (``momentum=None``, the
    cumulative average). Only ``running_mean``, ``running_var`` and ``num_batches_tracked``
    change; the model is left in eval mode. Returns the number of batch-norm layers."""
    layers = [m for m in model.modules() if isinstance(m, _BN) and m.track_running_stats]
    if not layers or len(images) == 0:
        return len(layers)
    old = [(m.running_mean.clone(), m.running_var.clone(), m.momentum) for m in layers]
    model.eval()
    for m in layers:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    device = _device_of(model)
    for i in range(0, len(images), batch_size):
        batch = images[i : i + batch_size]
        if len(batch) < 2 and i > 0:  # a single image has no variance; fold it into none
            break
        model.forward_features(batch.to(device))
    for m, (mean, var, momentum) in zip(layers, old):
        m.momentum = momentum
        m.eval()
        if strength != 1.0:
            m.running_mean.mul_(strength).add_(mean, alpha=1 - strength)
            m.running_var.mul_(strength).add_(var, alpha=1 - strength)
    return len(layers)


@register_mode("bn-stats", priority=0, shorthand="strength")
class BNStatsMode(WeightMode):
    """recompute batch-norm statistics on target images (AdaBN); no label is used

    Args:
        strength: share of the target statistics in the new running statistics (1 = AdaBN,
            0 = unchanged) [1.0]; ``bn-stats@0.5`` sets it.
        batch_size: images per forward pass while collecting the statistics [256].
    """

    uses_unlabeled_images: ClassVar[bool] = True
    #: the bank keeps its features under the input model (its own, training statistics)
    freezes_backbone: ClassVar[bool] = True

    def __init__(self, *, strength: float = 1.0, batch_size: int = 256) -> None:
        self.strength = float(strength)
        if not 0.0 <= self.strength <= 1.0:
            raise InputError(f"bn-stats strength must be in [0, 1], not {strength!r}")
        self.batch_size = int(batch_size)

    def check(self, inputs: AdaptationInputs) -> None:
        if not any(isinstance(m, _BN) for m in inputs.model.modules()):
            raise InputError(
                "--mode bn-stats: the model has no batch-norm layer; choose another mode"
            )

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
        seed: int,
    ) -> nn.Module:
        """A copy of ``model`` whose batch-norm statistics come from the unlabeled images
        (when given) and the tuning ``images [N, 3, H, W]`` (``targets`` unused)."""
        target = (
            images
            if inputs.unlabeled_images is None
            else torch.cat([inputs.unlabeled_images, images])
        )
        if inputs.unlabeled_images is None:
            logger.info("bn-stats: statistics of the %d tuning images only", len(images))
        adapted = copy.deepcopy(model)
        # a fixed order: the statistics do not depend on the seed
        recompute_bn_statistics(adapted, target, strength=self.strength, batch_size=self.batch_size)
        return adapted
