"""Score steps: the fitted transformations a decision rule applies to probabilities, in order.

A :class:`~vision.adapt.decision_rule.DecisionRule` turns probabilities ``[N, L]`` into labels:
its score steps run in the order of :data:`SCORE_STEPS` (``priority``), then its thresholds
decide. The steps of the package:

* ``prior-shift`` (priority 10, :class:`~vision.adapt.prior_shift.PriorShift`): add the log
  prior-odds ratio to the logits (fitted by the ``bias`` adaptation mode);
* ``knn`` (priority 20, :class:`~vision.adapt.knn_transfer.KNNTransfer`): mix in kNN label
  transfer (fitted by the ``knn`` mode);
* ``plausibility`` (priority 30,
  :class:`~vision.adapt.plausibility_rescoring.PlausibilityRescoring`): raise labels the
  image's confident labels imply in the label graph (fitted by the ``plausibility`` mode).

Each step also writes and reads its own part of the rule's files (``decision.json`` keys,
``decision.npz`` arrays), so a new decoding step is one new file: a :class:`ScoreStep`
subclass registered here, plus the adaptation mode that fits it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.catalogue import Catalogue

__all__ = ["SCORE_STEPS", "ScoreStep", "csr_arrays", "csr_from_arrays"]


def csr_arrays(prefix: str, matrix: sp.spmatrix) -> dict[str, np.ndarray]:
    """``matrix`` as the ``decision.npz`` arrays ``PREFIX_indptr``, ``PREFIX_indices`` and
    ``PREFIX_data`` (its CSR parts, dtypes kept)."""
    m = sp.csr_matrix(matrix)
    return {f"{prefix}_indptr": m.indptr, f"{prefix}_indices": m.indices, f"{prefix}_data": m.data}


def csr_from_arrays(
    arrays: dict[str, np.ndarray], prefix: str, shape: tuple[int, int]
) -> sp.csr_matrix:
    """The CSR matrix of shape ``shape`` that :func:`csr_arrays` wrote under ``prefix``."""
    return sp.csr_matrix(
        (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
        shape=shape,
    )


class ScoreStep(ABC):
    """A fitted transformation of scores ``[N, L] -> [N, L]`` (see module doc)."""

    @abstractmethod
    def apply(
        self,
        scores: np.ndarray,
        features: np.ndarray | None = None,
        pixels: np.ndarray | None = None,
    ) -> np.ndarray:
        """Scores ``[N, L]`` float64 after this step.

        Args:
            scores: ``[N, L]`` float64 scores of the previous step (probabilities at first).
            features: ``[N, F]`` backbone features of the images, for steps that need them.
            pixels: ``[N, P]`` pixel vectors of the images (``knn_transfer.pixel_vectors``).
        """

    @classmethod
    @abstractmethod
    def save_into(
        cls, step: ScoreStep | None, meta: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> None:
        """Write ``step`` (None: the rule has no step of this kind) into ``decision.json``'s
        ``meta`` and ``decision.npz``'s ``arrays``."""

    @classmethod
    @abstractmethod
    def load_from(
        cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], codes: Sequence[str]
    ) -> ScoreStep | None:
        """The step stored by :meth:`save_into`, or None when the rule has none."""


#: every kind of score step, in the order a decision rule applies them (``priority``)
SCORE_STEPS: Catalogue[ScoreStep] = Catalogue("score step", order="priority")
