"""``plausibility``: plausibility-aware decoding with the label graph.

Each image's scores are raised where its most confident labels imply a label, by
``lambda * log(P(b | context) / P(b))`` in logit space, ``P(b | a)`` taken from the graph's
PMI with a backoff to the frequency (see :mod:`vision.adapt.plausibility_rescoring`). lambda
is chosen among ``weights`` (0 included: the mode can then leave the scores exactly as they
are) by the out-of-fold F2 of the tuning images, like the ``knn`` weight; the thresholds are
then fitted on the rescored out-of-fold scores. Stored as the ``plausibility`` score step,
which holds the sparse ``[L, L]`` lift matrix, so ``vision predict`` needs no graph.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from corpora.errors import InputError
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import ScoreMode, candidate_grid, register_mode
from vision.adapt.plausibility_rescoring import PlausibilityRescoring, lift_matrix

__all__ = ["PlausibilityMode"]


@register_mode("plausibility", priority=30, shorthand="source", tags={"uses_graph"})
class PlausibilityMode(ScoreMode):
    """raise labels the image's confident labels imply (label graph P(b|a), lambda fitted)

    Args:
        weights: candidate lambdas (multiplier of the log-lift in logit space), chosen on
            out-of-fold F2; 0 reproduces the pipeline without this mode [0, .25, .5, 1, 2].
        context: how many of an image's highest-scoring labels imply the others [3].
        source: the graph's edge source (combined, text, annotation, ...)
            [combined] (``plausibility@annotation``).
        min_score: context labels must also score at least this (0: the top ``context``
            labels whatever their scores) [0].
        max_edges: each context label implies at most its ``max_edges`` strongest graph
            neighbours (bounds the cost at large vocabularies; 0: all) [50].
    """

    needs_out_of_fold: ClassVar[bool] = True
    needs_graph: ClassVar[bool] = True

    def __init__(
        self,
        *,
        weights: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0),
        context: int = 3,
        source: str = "combined",
        min_score: float = 0.0,
        max_edges: int = 50,
    ) -> None:
        self.weights = candidate_grid("plausibility", "weight", weights)
        if context < 1:
            raise InputError(f"plausibility context must be at least 1, got {context}")
        self.context = int(context)
        self.source = str(source)
        self.min_score = float(min_score)
        self.max_edges = int(max_edges)
        self._lift: sp.csr_matrix | None = None

    def check(self, inputs: AdaptationInputs) -> None:
        self.check_graph(inputs, self.source)

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
    ) -> sp.csr_matrix:
        """The lift matrix ``[L, L]`` (the same for every fold: built once)."""
        if self._lift is None:
            self._lift = lift_matrix(inputs.graph, inputs.codes or [], self.source, self.max_edges)
        return self._lift

    def settings(self) -> list[dict[str, Any]]:
        return [{"weight": w} for w in self.weights]

    def in_sample_setting(self) -> dict[str, Any]:
        return {"weight": 0.0}  # nothing to choose lambda on: leave the scores alone

    def _step(self, lift: sp.csr_matrix, weight: float) -> PlausibilityRescoring:
        return PlausibilityRescoring(lift, weight, self.context, self.source, self.min_score)

    def apply(self, scores: np.ndarray, evidence: Any, setting: dict[str, Any]) -> np.ndarray:
        return self._step(evidence, setting["weight"]).apply(scores)

    def step(self, fit: sp.csr_matrix, setting: dict[str, Any]) -> PlausibilityRescoring:
        return self._step(fit, setting["weight"])

    def record(self, setting: dict[str, Any], stats: dict[str, Any]) -> None:
        stats["plausibility_weight"] = setting["weight"]
