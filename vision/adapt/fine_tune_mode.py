"""Fine-tuning on the tuning images: the shared loop of the weight modes.

``last-layer`` and ``head`` train on cached backbone features of ``augment_views`` augmented
copies of each tuning image (the backbone is frozen and kept in eval mode, so this is exact);
``full`` trains everything on images augmented on the fly, at ``lr / 10``. Each epoch can
replay training-bank images (``replay`` x the tuning samples) so that labels absent from the
few tuning images are not simply unlearnt.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import nn

from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import WeightMode
from vision.adapt.model_outputs import embed

__all__ = ["FineTuneMode", "augment"]


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Flip, random resized crop (70-100 % side), brightness/contrast jitter; ``[B, 3, H, W]``."""
    b, _, h, w = x.shape
    flip = torch.rand(b, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], torch.flip(x, dims=[-1]), x)
    scale = 0.7 + 0.3 * torch.rand(b, generator=gen)
    shift = (1 - scale)[:, None] * (2 * torch.rand(b, 2, generator=gen) - 1)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 1, 1] = scale, scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    bright = 0.8 + 0.4 * torch.rand(b, 1, 1, 1, generator=gen)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    contrast = 0.8 + 0.4 * torch.rand(b, 1, 1, 1, generator=gen)
    return (x - mean) * contrast + mean * bright


class FineTuneMode(WeightMode):
    """Supervised fine-tuning of :meth:`parameters` with AdamW and binary cross-entropy.

    Args (defaults: :class:`AdaptationConfig`'s fields of the same names):
        epochs: passes over the tuning samples [15].
        lr: learning rate [1e-3] (divided by ``lr_divisor``: 10 for ``full``).
        weight_decay: AdamW weight decay [1e-4].
        batch_size: [32].
        augment_views: cached augmented copies per tuning image when the backbone is frozen
            (the first is the image itself) [8].
        replay: training-bank samples per epoch as a multiple of the tuning samples [1.0;
            0 = off; needs the bank].
    """

    lr_divisor: ClassVar[float] = 1.0

    def __init__(
        self,
        *,
        epochs: int = AdaptationConfig.epochs,
        lr: float = AdaptationConfig.lr,
        weight_decay: float = AdaptationConfig.weight_decay,
        batch_size: int = AdaptationConfig.batch_size,
        augment_views: int = AdaptationConfig.augment_views,
        replay: float = AdaptationConfig.replay,
    ) -> None:
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.augment_views = augment_views
        self.replay = replay

    @abstractmethod
    def parameters(self, model: nn.Module) -> list[nn.Parameter]:
        """The parameters this mode trains."""

    def set_trainable(self, model: nn.Module) -> list[nn.Parameter]:
        """Freeze every parameter of ``model`` except :meth:`parameters`; return those."""
        for p in model.parameters():
            p.requires_grad_(False)
        params = self.parameters(model)
        for p in params:
            p.requires_grad_(True)
        return params

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
        seed: int,
    ) -> nn.Module:
        """A fine-tuned copy of ``model`` on ``images [N, 3, H, W]`` / ``targets [N, L]``."""
        model = copy.deepcopy(model)
        if len(images) == 0:
            return model
        device = next(model.parameters()).device  # samples stay on the CPU, batches move
        y = torch.as_tensor(targets, dtype=torch.float32)
        gen = torch.Generator().manual_seed(seed)
        params = self.set_trainable(model)
        opt = torch.optim.AdamW(
            params, lr=self.lr / self.lr_divisor, weight_decay=self.weight_decay
        )
        if self.freezes_backbone:
            model.eval()  # frozen backbone, BN statistics unchanged
            views = [images] + [augment(images, gen) for _ in range(max(self.augment_views - 1, 0))]
            source = torch.cat([embed(model, v) for v in views])
            y = y.repeat(len(views), 1)
        else:
            model.train()
            source = images
        bank, bank_targets = self._replay_bank(model, inputs)
        if self.freezes_backbone:
            model.head.train()
        n_replay = 0
        if bank is not None:
            n_replay = min(int(round(self.replay * len(source))), len(bank))
            r_sparse = sp.csr_matrix(bank_targets, dtype=np.float32)  # densified per pick
        for _ in range(self.epochs):
            xs, ys = source, y
            if n_replay:
                pick = torch.randperm(len(bank), generator=gen)[:n_replay]
                xs = torch.cat([source, torch.as_tensor(bank[pick])])
                r_dense = torch.as_tensor(r_sparse[pick.numpy()].toarray(), dtype=torch.float32)
                ys = torch.cat([y, r_dense])
            perm = torch.randperm(len(xs), generator=gen)
            for start in range(0, len(xs), self.batch_size):
                idx = perm[start : start + self.batch_size]
                if self.freezes_backbone:
                    logits = model.forward_head(xs[idx].to(device))
                else:
                    logits = model(augment(xs[idx], gen).to(device))
                loss = F.binary_cross_entropy_with_logits(
                    logits, ys[idx].to(device), reduction="sum"
                )
                loss = loss / len(idx)
                opt.zero_grad()
                loss.backward()
                opt.step()
        for p in model.parameters():
            p.requires_grad_(True)
        model.eval()
        return model

    def _replay_bank(
        self, model: nn.Module, inputs: AdaptationInputs
    ) -> tuple[torch.Tensor | None, sp.csr_matrix | None]:
        """(bank samples: features ``[M, F]`` when the backbone is frozen, else images; labels
        ``[M, L]``), or ``(None, None)`` when nothing is replayed."""
        if self.replay <= 0 or inputs.bank_targets is None:
            return None, None
        if self.freezes_backbone:
            feats = inputs.bank_features_for(model)
            bank = None if feats is None else torch.as_tensor(feats)
        else:
            bank = inputs.bank_images
        return (None, None) if bank is None else (bank, inputs.bank_targets)
