"""What the folds of an adaptation share, and what a score mode sees of held-out images."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from vision.adapt.knn_transfer import pixel_vectors
from vision.adapt.model_outputs import embed

__all__ = ["AdaptationInputs", "Query"]


@dataclass
class AdaptationInputs:
    """Inputs shared by every fold: training priors, the labelled bank, unlabeled images.

    Features of the input ``model`` are computed once and reused while the backbone stays
    frozen (``frozen_backbone``); otherwise every (fine-tuned) model embeds the images anew.

    Attributes:
        model: the input model (never modified).
        frozen_backbone: whether the weight mode (if any) keeps the backbone's weights.
        source_prior: ``[L]`` training label frequencies, or None.
        bank_images / bank_targets: labelled training images ``[M, 3, H, W]`` / ``[M, L]``.
        unlabeled_images: target-domain images without labels ``[U, 3, H, W]``, or None.
        bank_features: ``[M, F]`` features of ``bank_images`` under ``model`` when the caller
            already has them (used only while the backbone is frozen).
        codes: ``[L]`` the model's label codes (None when the caller gives none).
        graph: a :class:`~labelgraph.LabelGraph` for the modes that need one, or None.
    """

    model: nn.Module
    frozen_backbone: bool = True
    source_prior: np.ndarray | None = None
    bank_images: torch.Tensor | None = None
    bank_targets: sp.csr_matrix | None = None
    unlabeled_images: torch.Tensor | None = None
    bank_features: np.ndarray | None = None
    codes: list[str] | None = None
    graph: Any = None
    _unlabeled_features: torch.Tensor | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.frozen_backbone:
            self.bank_features = None

    @property
    def has_bank(self) -> bool:
        """Whether labelled training images (or their features) are given."""
        return self.bank_images is not None or self.bank_features is not None

    def bank_features_for(self, model: nn.Module) -> np.ndarray | None:
        """Bank features ``[M, F]`` under ``model`` (an adapted copy of :attr:`model`)."""
        if not self.frozen_backbone:
            return None if self.bank_images is None else embed(model, self.bank_images).numpy()
        if self.bank_features is None and self.bank_images is not None:
            self.bank_features = embed(self.model, self.bank_images).numpy()
        return self.bank_features

    @cached_property
    def bank_pixels(self) -> np.ndarray | None:
        """Pixel vectors ``[M, P]`` of the bank images (None without them)."""
        return None if self.bank_images is None else pixel_vectors(self.bank_images)

    def unlabeled_features_for(self, model: nn.Module) -> torch.Tensor | None:
        """Features ``[U, F]`` of the unlabeled images under ``model`` (None without them)."""
        if self.unlabeled_images is None:
            return None
        if not self.frozen_backbone:
            return embed(model, self.unlabeled_images)
        if self._unlabeled_features is None:
            self._unlabeled_features = embed(self.model, self.unlabeled_images)
        return self._unlabeled_features


@dataclass
class Query:
    """Held-out images as a score mode sees them.

    Attributes:
        images: ``[n, 3, H, W]``.
        features: ``[n, F]`` backbone features under the adapted model.
    """

    images: torch.Tensor
    features: torch.Tensor

    @cached_property
    def pixels(self) -> np.ndarray:
        """Pixel vectors ``[n, P]`` (``knn_transfer.pixel_vectors``)."""
        return pixel_vectors(self.images)
