"""``neighbour-bias``: prior shift whose labels with few tuning positives borrow the shift of
their label-graph neighbours.

The ``bias`` mode's logit offset ``logit(target prior) - logit(training prior)`` (the tuning
prior shrunk toward the training prior with ``strength`` pseudo-counts, refined by EM on
unlabeled target images when given), then labels with fewer than ``few_positives`` tuning
positives shrink their offset toward the edge-weighted mean offset of their graph neighbours
that have positives, with pseudo-count ``kappa`` (:mod:`vision.adapt.neighbour_borrowing`).
``kappa`` is chosen among ``kappas`` (0 included: the ``bias`` mode exactly) by the
out-of-fold F2 of the tuning images, like the kNN weight. Stored as the ``prior-shift`` score
step (the offsets themselves), so ``vision predict`` needs no graph. A variant of ``bias``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from corpora.errors import InputError
from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.adaptation_mode import candidate_grid, register_mode
from vision.adapt.modes.bias_mode import BiasMode
from vision.adapt.neighbour_borrowing import borrow_from_neighbours, neighbour_mean
from vision.adapt.prior_shift import PriorShift, shift_probs
from vision.label_graph_matrices import edge_matrix
from vision.metrics._arrays import positives_csr

__all__ = ["NeighbourBiasMode"]


@register_mode(
    "neighbour-bias", priority=11, config_prefix="bias_", shorthand="source", tags={"uses_graph"}
)
class NeighbourBiasMode(BiasMode):
    """prior shift; labels with few tuning positives borrow their graph neighbours' shift

    Args:
        strength: pseudo-count of the training prior in the tuning prior, as the ``bias``
            mode (``bias_strength``) [10].
        kappas: candidate pseudo-counts of the neighbours' offset, chosen on out-of-fold F2;
            0 reproduces the ``bias`` mode [0, 1, 3, 10, 30, 100].
        source: the graph's edge source whose PMI weighs the neighbours [combined]
            (``neighbour-bias@annotation``).
        few_positives: labels with fewer tuning positives borrow [2].
        max_edges: at most this many strongest neighbours with positives per label (0: all)
            [50].
    """

    needs_out_of_fold: ClassVar[bool] = True
    needs_graph: ClassVar[bool] = True
    variant_of: ClassVar[str] = "bias"

    def __init__(
        self,
        *,
        strength: float = AdaptationConfig.bias_strength,
        kappas: tuple[float, ...] = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0),
        source: str = "combined",
        few_positives: int = 2,
        max_edges: int = 50,
    ) -> None:
        super().__init__(strength=strength)
        self.kappas = candidate_grid("neighbour-bias", "kappa", kappas)
        if few_positives < 1:
            raise InputError(
                f"neighbour-bias few_positives must be at least 1, got {few_positives}"
            )
        self.source = str(source)
        self.few_positives = int(few_positives)
        self.max_edges = int(max_edges)
        self._edges: sp.csr_matrix | None = None

    def check(self, inputs: AdaptationInputs) -> None:
        self.check_graph(inputs, self.source)
        super().check(inputs)

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(offset [L], tuning positives [L], neighbours' mean offset [L], NaN: none)``."""
        if self._edges is None:
            self._edges = edge_matrix(inputs.graph, inputs.codes or [], self.source)
        offset = super().fit(model, images, targets, inputs)
        t = positives_csr(targets)
        positives = np.bincount(t.indices, minlength=t.shape[1]).astype(np.int64)
        return offset, positives, neighbour_mean(offset, positives, self._edges, self.max_edges)

    def settings(self) -> list[dict[str, Any]]:
        return [{"kappa": k} for k in self.kappas]

    def in_sample_setting(self) -> dict[str, Any]:
        return {"kappa": 0.0 if 0.0 in self.kappas else self.kappas[0]}

    def _offset(self, fit: tuple[np.ndarray, np.ndarray, np.ndarray], kappa: float) -> np.ndarray:
        offset, positives, nbr = fit
        return borrow_from_neighbours(
            offset, positives, nbr, kappa, self.strength, self.few_positives
        )

    def apply(self, scores: np.ndarray, evidence: Any, setting: dict[str, Any]) -> np.ndarray:
        return shift_probs(scores, self._offset(evidence, setting["kappa"]))

    def step(
        self, fit: tuple[np.ndarray, np.ndarray, np.ndarray], setting: dict[str, Any]
    ) -> PriorShift:
        return PriorShift(self._offset(fit, setting["kappa"]))

    def record(self, setting: dict[str, Any], stats: dict[str, Any]) -> None:
        stats["bias_neighbour_kappa"] = setting["kappa"]
        stats["bias_neighbour_source"] = self.source
