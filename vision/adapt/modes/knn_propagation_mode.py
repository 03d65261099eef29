"""``knn-propagation``: kNN label transfer propagated one step along the label graph.

The ``knn`` mode, with the kNN scores taking one step of label propagation along the graph's
directional ``P(b | a)`` before they are mixed in (:mod:`vision.adapt.label_propagation`;
``P(b | a)`` from the edges of ``source``, :func:`~vision.label_graph_matrices.
conditional_matrix`). The propagation weight ``mu`` is chosen among ``graph_weights`` together
with the kNN weight and temperature on the out-of-fold scores of the tuning images (candidates
with ``mu = 0`` first, so a tie keeps the graph-free transfer; ``graph_weights = (0,)`` is the
``knn`` mode exactly). Stored as the ``knn`` score step with its sparse ``P(b | a)``, so
``vision predict`` needs no graph. A variant of ``knn``: give one of the two.
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
from vision.adapt.adaptation_mode import candidate_grid, register_mode
from vision.adapt.knn_transfer import KNN_SPACES, KNNTransfer, knn_vectors
from vision.adapt.label_propagation import propagate_labels
from vision.adapt.modes.knn_mode import IN_SAMPLE_WEIGHT, KNNMode
from vision.label_graph_matrices import conditional_matrix

__all__ = ["KNNPropagationMode"]


@register_mode(
    "knn-propagation", priority=21, config_prefix="knn_", shorthand="space", tags={"uses_graph"}
)
class KNNPropagationMode(KNNMode):
    """kNN label transfer propagated one step along the label graph's P(b|a) (mu fitted)

    Args:
        k / temperature / space / temperatures / weights: as the ``knn`` mode (the same
            ``AdaptationConfig`` fields and flags; ``knn-propagation@both``).
        graph_weights: candidate propagation weights ``mu``, chosen with the kNN weight and
            temperature on out-of-fold F2; 0 reproduces the ``knn`` mode [0, .05, .1, .25, .5].
        source: the graph's edge source of ``P(b | a)`` (combined, text, annotation, ...)
            [combined].
        max_edges: each label implies at most its ``max_edges`` likeliest labels (0: all)
            [50].
    """

    needs_graph: ClassVar[bool] = True
    variant_of: ClassVar[str] = "knn"

    def __init__(
        self,
        *,
        k: int = AdaptationConfig.knn_k,
        temperature: float = AdaptationConfig.knn_temperature,
        space: str = AdaptationConfig.knn_space,
        temperatures: tuple[float, ...] = AdaptationConfig.knn_temperatures,
        weights: tuple[float, ...] = AdaptationConfig.knn_weights,
        graph_weights: tuple[float, ...] = (0.0, 0.05, 0.1, 0.25, 0.5),
        source: str = "combined",
        max_edges: int = 50,
    ) -> None:
        if space not in KNN_SPACES:  # knn-propagation@annotation: a source where a space goes
            raise InputError(
                f"unknown kNN space {space!r} (knn-propagation@SPACE sets the kNN space: "
                f"{', '.join(KNN_SPACES)}); the graph's edge source is "
                "--knn-propagation-source SOURCE"
            )
        super().__init__(
            k=k, temperature=temperature, space=space, temperatures=temperatures, weights=weights
        )
        self.graph_weights = candidate_grid("knn-propagation", "graph weight", graph_weights)
        self.source = str(source)
        self.max_edges = int(max_edges)
        self._conditional: sp.csr_matrix | None = None

    def check(self, inputs: AdaptationInputs) -> None:
        self.check_graph(inputs, self.source)

    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
    ) -> tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix]:
        """The ``knn`` bank (vectors ``[M + N, D]``, labels ``[M + N, L]``) and ``P(b | a)``
        ``[L, L]`` (the same for every fold: built once)."""
        if self._conditional is None:
            self._conditional = conditional_matrix(
                inputs.graph, inputs.codes or [], self.source, self.max_edges
            )
        vectors, labels = super().fit(model, images, targets, inputs)
        return vectors, labels, self._conditional

    def settings(self) -> list[dict[str, Any]]:
        knn = super().settings()
        return [{**s, "graph_weight": mu} for mu in self.graph_weights for s in knn]

    def in_sample_setting(self) -> dict[str, Any]:
        return {"weight": IN_SAMPLE_WEIGHT, "temperature": self.temperature, "graph_weight": 0.0}

    def evidence(
        self,
        fit: tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix],
        query: Query,
        settings: Sequence[dict],
    ) -> dict[tuple[float, float], np.ndarray]:
        """Propagated kNN scores ``[n, L]`` float64 of the query images, per (temperature,
        graph weight) of ``settings``."""
        pixels = query.pixels if self.space != "features" else None
        vectors = knn_vectors(query.features.numpy(), pixels, self.space)
        out: dict[tuple[float, float], np.ndarray] = {}
        for t in dict.fromkeys(s["temperature"] for s in settings):
            knn = KNNTransfer(fit[0], fit[1], self.k, t).scores(vectors)
            for mu in dict.fromkeys(s["graph_weight"] for s in settings):
                out[(t, mu)] = propagate_labels(knn, fit[2], mu).astype(np.float64)
        return out

    def apply(
        self,
        scores: np.ndarray,
        evidence: dict[tuple[float, float], np.ndarray],
        setting: dict[str, Any],
    ) -> np.ndarray:
        w = setting["weight"]
        return (1 - w) * scores + w * evidence[(setting["temperature"], setting["graph_weight"])]

    def step(
        self, fit: tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix], setting: dict[str, Any]
    ) -> KNNTransfer:
        mu = setting["graph_weight"]
        return KNNTransfer(
            fit[0],
            fit[1],
            self.k,
            setting["temperature"],
            setting["weight"],
            self.space,
            fit[2] if mu > 0 else None,
            mu,
        )

    def describe(self, setting: dict[str, Any]) -> str:
        return f"{super().describe(setting)}_graph_{setting['graph_weight']:g}"

    def record(self, setting: dict[str, Any], stats: dict[str, Any]) -> None:
        super().record(setting, stats)
        stats["knn_graph_weight"] = setting["graph_weight"]
        stats["knn_graph_source"] = self.source
