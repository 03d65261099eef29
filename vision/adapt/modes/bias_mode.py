"""``bias``: shift logits by the log prior-odds ratio estimated from the tuning labels.

Target priors come from the tuning labels shrunk toward the training priors
(``strength`` pseudo-counts); with unlabeled target-domain images they are refined by Saerens
EM on the model's predictions, the tuning images counting with their labels (see
:mod:`vision.adapt.prior_shift`). Stored as the ``prior-shift`` score step.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from corpora.errors import InputError
from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import ScoreMode, register_mode
from vision.adapt.model_outputs import head_probs
from vision.adapt.prior_shift import (
    PriorShift,
    em_priors,
    log_prior_ratio,
    shift_probs,
    tuning_priors,
)

__all__ = ["BiasMode"]


@register_mode("bias", priority=10, config_prefix="bias_")
class BiasMode(ScoreMode):
    """shift logits by the log prior-odds ratio estimated from the tuning labels

    Args:
        strength: pseudo-count of the training prior in the tuning prior [10].
    """

    needs_training_priors: ClassVar[bool] = True
    uses_unlabeled_images: ClassVar[bool] = True

    def __init__(self, *, strength: float = AdaptationConfig.bias_strength) -> None:
        self.strength = strength

    def check(self, inputs: AdaptationInputs) -> None:
        if inputs.source_prior is None:
            raise InputError(
                f"--mode {self.name} needs the training label priors (give --train-data)"
            )

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
    ) -> np.ndarray:
        """The logit offset ``[L]``: ``logit(target prior) - logit(training prior)``."""
        q = tuning_priors(targets, inputs.source_prior, strength=self.strength)
        feats_u = inputs.unlabeled_features_for(model)
        if feats_u is not None:
            q, _ = em_priors(
                head_probs(model, feats_u, np.float32),  # exact; EM reads it as float64
                inputs.source_prior,
                labeled_targets=targets,
                init_prior=q,
                adjusted=False,
            )
        return log_prior_ratio(inputs.source_prior, q)

    def apply(self, scores: np.ndarray, evidence: Any, setting: dict[str, Any]) -> np.ndarray:
        return shift_probs(scores, evidence)

    def step(self, fit: np.ndarray, setting: dict[str, Any]) -> PriorShift:
        return PriorShift(fit)
