"""``knn``: mix in label transfer from the nearest training and tuning images.

The bank holds the training images (when given) and the tuning images, as vectors of
``space`` (backbone features of the adapted model, 16x16 pixels, or both; see
:mod:`vision.adapt.knn_transfer`). The mixing weight and the temperature are chosen together
on out-of-fold scores (``weights`` x ``temperatures``). Stored as the ``knn`` score step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from corpora.errors import InputError
from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs, Query
from vision.adapt.adaptation_mode import ScoreMode, register_mode
from vision.adapt.knn_transfer import KNN_SPACES, KNNTransfer, knn_vectors, pixel_vectors
from vision.adapt.model_outputs import embed

__all__ = ["KNNMode"]

#: the mixing weight when it cannot be chosen on out-of-fold scores (in-sample fits)
IN_SAMPLE_WEIGHT = 0.5


@register_mode("knn", priority=20, config_prefix="knn_", shorthand="space")
class KNNMode(ScoreMode):
    """mix in label transfer from nearest training and tuning images in feature space

    Args:
        k: neighbours per query [10].
        temperature: softmax temperature on cosine similarities [0.05].
        space: ``features``, ``pixels`` or ``both`` [both] (``knn@both``).
        temperatures: candidate temperatures chosen on out-of-fold F2 [(0.02, 0.05, 0.1);
            (): ``temperature``].
        weights: candidate mixing weights chosen on out-of-fold F2 [0, .25, .5, .75, 1].
    """

    needs_out_of_fold: ClassVar[bool] = True
    needs_training_images: ClassVar[bool] = True

    def __init__(
        self,
        *,
        k: int = AdaptationConfig.knn_k,
        temperature: float = AdaptationConfig.knn_temperature,
        space: str = AdaptationConfig.knn_space,
        temperatures: tuple[float, ...] = AdaptationConfig.knn_temperatures,
        weights: tuple[float, ...] = AdaptationConfig.knn_weights,
    ) -> None:
        if space not in KNN_SPACES:
            raise InputError(f"unknown kNN space {space!r}; choose one of: {', '.join(KNN_SPACES)}")
        if not weights:
            raise InputError("the knn mode needs at least one candidate weight")
        self.k = k
        self.temperature = temperature
        self.space = space
        self.temperatures = tuple(temperatures) if temperatures else (self.temperature,)
        self.weights = tuple(weights)

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
    ) -> tuple[np.ndarray, sp.csr_matrix]:
        """The bank: vectors ``[M + N, D]`` (training bank first) and labels ``[M + N, L]``."""
        space = self.space
        feats = pix = None
        if inputs.has_bank:
            if space != "pixels":
                feats = inputs.bank_features_for(model)
            if space != "features":
                pix = inputs.bank_pixels
        has_bank = (space == "pixels" or feats is not None) and (
            space == "features" or pix is not None
        )
        tune_feats = embed(model, images).numpy() if space != "pixels" else None
        tune_pix = pixel_vectors(images) if space != "features" else None
        parts_f = [knn_vectors(tune_feats, tune_pix, space)]
        parts_t = [sp.csr_matrix(targets, dtype=np.float32)]
        if has_bank:
            parts_f.insert(0, knn_vectors(feats, pix, space))
            parts_t.insert(0, sp.csr_matrix(inputs.bank_targets, dtype=np.float32))
        return np.concatenate(parts_f), sp.vstack(parts_t).tocsr()

    def settings(self) -> list[dict[str, Any]]:
        return [{"weight": w, "temperature": t} for t in self.temperatures for w in self.weights]

    def in_sample_setting(self) -> dict[str, Any]:
        return {"weight": IN_SAMPLE_WEIGHT, "temperature": self.temperature}

    def evidence(
        self, fit: tuple[np.ndarray, sp.csr_matrix], query: Query, settings: Sequence[dict]
    ) -> dict[float, np.ndarray]:
        """kNN scores ``[n, L]`` float64 of the query images, per temperature of ``settings``."""
        pixels = query.pixels if self.space != "features" else None
        vectors = knn_vectors(query.features.numpy(), pixels, self.space)
        temps = dict.fromkeys(s["temperature"] for s in settings)
        return {
            t: KNNTransfer(fit[0], fit[1], self.k, t).scores(vectors).astype(np.float64)
            for t in temps
        }

    def apply(
        self, scores: np.ndarray, evidence: dict[float, np.ndarray], setting: dict[str, Any]
    ) -> np.ndarray:
        w = setting["weight"]
        return (1 - w) * scores + w * evidence[setting["temperature"]]

    def step(self, fit: tuple[np.ndarray, sp.csr_matrix], setting: dict[str, Any]) -> KNNTransfer:
        return KNNTransfer(
            fit[0], fit[1], self.k, setting["temperature"], setting["weight"], self.space
        )

    def describe(self, setting: dict[str, Any]) -> str:
        return f"knn_weight_{setting['weight']:g}_temperature_{setting['temperature']:g}"

    def record(self, setting: dict[str, Any], stats: dict[str, Any]) -> None:
        stats["knn_weight"] = setting["weight"]
        stats["knn_temperature"] = setting["temperature"]
