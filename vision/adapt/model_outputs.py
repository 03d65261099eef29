"""Backbone features and head probabilities of a model, in eval mode, without gradients.

Inputs may live on the CPU while the model is on a GPU: batches go to the model's device,
results come back to the CPU.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["embed", "head_probs"]


def _device_of(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


@torch.no_grad()
def embed(model: nn.Module, images: torch.Tensor, batch_size: int = 128) -> torch.Tensor:
    """Backbone features ``[N, F]`` of images ``[N, 3, H, W]`` (eval mode, no grad)."""
    was_training = model.training
    model.eval()
    device = _device_of(model)
    out = [
        model.forward_features(images[i : i + batch_size].to(device)).cpu()
        for i in range(0, len(images), batch_size)
    ]
    model.train(was_training)
    if not out:
        return torch.zeros(0, getattr(model, "num_features", 0))
    return torch.cat(out).float()


@torch.no_grad()
def head_probs(model: nn.Module, features: torch.Tensor, dtype: type = np.float64) -> np.ndarray:
    """Sigmoid probabilities ``[N, L]`` of the head on features ``[N, F]`` (eval mode), as
    ``dtype`` (default float64; float32 holds the same numbers in half the memory)."""
    was_training = model.training
    model.eval()
    # in place: the float32 logits become the probabilities (no second [N, L] float32)
    logits = model.forward_head(features.to(_device_of(model))).float()
    p = torch.sigmoid_(logits).cpu().numpy().astype(dtype, copy=False)
    model.train(was_training)
    return p
