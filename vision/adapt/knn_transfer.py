"""Label transfer from nearest neighbours in the learned feature space.

A bank of labelled images (training images and, most useful under a style shift, the tuning
images of the target domain) is stored as L2-normalised features ``[M, F]`` with their labels
``[M, L]``. A query's score for label ``j`` is the similarity-weighted vote of its ``k`` nearest
bank images::

    w_m = exp(cos(q, b_m) / temperature)  over the k nearest m,   score_j = sum_m w_m y_mj / sum_m w_m

Optionally (the ``knn-propagation`` mode) the scores take one step of label propagation along
the label graph's ``P(b | a)`` (``propagation`` ``[L, L]``, weight ``propagation_weight``; see
:mod:`vision.adapt.label_propagation`). Scores lie in [0, 1] and are mixed with the
classifier's probabilities by ``(1 - weight) * p + weight * score``: :class:`KNNTransfer` is the decision rule's ``knn`` score
step (see :class:`vision.adapt.decision_rule.DecisionRule`).

Spaces (``space``, :data:`KNN_SPACES`): ``features`` (the backbone's pooled features),
``pixels`` (the input image average-pooled to 16x16, mean-centred: the classic 1-NN floor,
made a soft k-NN), ``both`` (the two L2-normalised and concatenated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F

from vision.adapt.label_propagation import propagate_labels
from vision.adapt.score_step import SCORE_STEPS, ScoreStep, csr_arrays, csr_from_arrays

__all__ = ["KNN_SPACES", "KNNTransfer", "knn_vectors", "normalize_features", "pixel_vectors"]

KNN_SPACES = ("features", "pixels", "both")
PIXEL_SIDE = 16


def normalize_features(x: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation of ``[N, F]`` (zero rows stay zero), float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def pixel_vectors(images: torch.Tensor, side: int = PIXEL_SIDE) -> np.ndarray:
    """Images ``[B, 3, H, W]`` average-pooled to ``side x side``, flattened and mean-centred
    per image: ``[B, 3 * side * side]`` float32."""
    x = F.adaptive_avg_pool2d(images.float(), side).flatten(1)
    return (x - x.mean(1, keepdim=True)).numpy().astype(np.float32)


def knn_vectors(features: np.ndarray | None, pixels: np.ndarray | None, space: str) -> np.ndarray:
    """The query/bank vectors of ``space`` from backbone ``features [N, F]`` and ``pixels``."""
    if space == "features":
        out = features
    elif space == "pixels":
        out = pixels
    elif space == "both":
        out = (
            None
            if features is None or pixels is None
            else np.concatenate([normalize_features(features), normalize_features(pixels)], 1)
        )
    else:
        raise ValueError(f"unknown kNN space {space!r}; choose one of {', '.join(KNN_SPACES)}")
    if out is None:
        raise ValueError(
            f"kNN space {space!r} needs the {'pixels' if space != 'features' else 'features'}"
        )
    return np.asarray(out, dtype=np.float32)


@SCORE_STEPS.register("knn", priority=20)
@dataclass
class KNNTransfer(ScoreStep):
    """Feature bank + labels; ``scores(query_features)`` gives ``[N, L]`` in [0, 1].

    Attributes:
        features: ``[M, F]`` float32, L2-normalised.
        targets: ``[M, L]`` csr float32 0/1 labels.
        k: neighbours per query (default 10).
        temperature: softmax temperature on cosine similarities (default 0.05).
        weight: mixing weight with the classifier's probabilities (0 = off).
        space: the vector space of ``features`` (see :data:`KNN_SPACES`).
        propagation: ``[L, L]`` float32 CSR ``P(b | a)`` of the label graph, or None.
        propagation_weight: ``mu`` of one propagation step of the scores along
            ``propagation`` (0 = off; :func:`~vision.adapt.label_propagation.propagate_labels`).
    """

    features: np.ndarray
    targets: sp.csr_matrix
    k: int = 10
    temperature: float = 0.05
    weight: float = 0.5
    space: str = "features"
    propagation: sp.csr_matrix | None = None
    propagation_weight: float = 0.0

    def __post_init__(self) -> None:
        self.features = normalize_features(self.features)
        self.targets = sp.csr_matrix(self.targets, dtype=np.float32)
        if self.propagation is not None:
            self.propagation = sp.csr_matrix(self.propagation, dtype=np.float32)
            n = self.targets.shape[1]
            if self.propagation.shape != (n, n):
                raise ValueError(
                    f"propagation matrix {self.propagation.shape} does not match {n} labels"
                )
        if self.features.shape[0] != self.targets.shape[0]:
            raise ValueError(
                f"{self.features.shape[0]} bank features but {self.targets.shape[0]} label rows"
            )

    @property
    def num_labels(self) -> int:
        return int(self.targets.shape[1])

    def scores(
        self, query: np.ndarray, exclude_self: bool = False, chunk: int = 1024
    ) -> np.ndarray:
        """kNN label scores ``[N, L]`` float32 for query features ``[N, F]``.

        Args:
            exclude_self: skip a bank item identical to the query's row index (queries are
                the bank itself, for leave-one-out fitting).
        """
        q = normalize_features(query)
        n, m = q.shape[0], self.features.shape[0]
        out = np.zeros((n, self.num_labels), dtype=np.float32)
        if m == 0 or n == 0:
            return out
        k = min(self.k, m - (1 if exclude_self else 0))
        if k <= 0:
            return out
        for start in range(0, n, chunk):
            sims = q[start : start + chunk] @ self.features.T  # [n_c, M]
            if exclude_self:
                rows = np.arange(sims.shape[0])
                sims[rows, start + rows] = -np.inf
            idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            top = np.take_along_axis(sims, idx, axis=1)
            w = np.exp((top - top.max(1, keepdims=True)) / self.temperature)
            w /= w.sum(1, keepdims=True)
            weights = sp.csr_matrix(
                (w.ravel(), (np.repeat(np.arange(len(idx)), k), idx.ravel())), shape=(len(idx), m)
            )
            out[start : start + chunk] = (weights @ self.targets).toarray()
        if self.propagation is not None and self.propagation_weight > 0:
            return propagate_labels(out, self.propagation, self.propagation_weight)
        return out

    def mix(self, probs: np.ndarray, query: np.ndarray) -> np.ndarray:
        """``(1 - weight) * probs + weight * scores(query)`` ``[N, L]`` (``query`` in ``space``)."""
        if self.weight <= 0:
            return np.asarray(probs)
        return (1.0 - self.weight) * np.asarray(probs) + self.weight * self.scores(query)

    def apply(
        self,
        scores: np.ndarray,
        features: np.ndarray | None = None,
        pixels: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`mix` with the query vectors of :attr:`space` (no-op when ``weight`` is 0)."""
        if self.weight <= 0:
            return scores
        if features is None and pixels is None:
            raise ValueError("this decision rule mixes kNN scores: pass the image features")
        return self.mix(scores, knn_vectors(features, pixels, self.space))

    @classmethod
    def save_into(
        cls, step: ScoreStep | None, meta: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> None:
        """``decision.npz``: ``knn_features [M, F]`` and the labels as csr parts
        (``knn_indptr``, ``knn_indices``, ``knn_data``), with propagation its ``P(b | a)`` as
        ``knn_propagation_indptr/indices/data``; ``decision.json``: ``knn`` (k, temperature,
        weight, space, bank size, with propagation ``propagation: {weight, edges}``) or
        null."""
        if not isinstance(step, KNNTransfer):
            meta["knn"] = None
            return
        arrays.update(knn_features=step.features.astype(np.float32))
        arrays.update(csr_arrays("knn", step.targets))
        meta["knn"] = {
            "k": step.k,
            "temperature": step.temperature,
            "weight": step.weight,
            "space": step.space,
            "bank_size": int(step.features.shape[0]),
        }
        if step.propagation is not None:
            c = step.propagation.tocsr()
            arrays.update(csr_arrays("knn_propagation", c))
            meta["knn"]["propagation"] = {"weight": step.propagation_weight, "edges": int(c.nnz)}

    @classmethod
    def load_from(
        cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], codes: Sequence[str]
    ) -> KNNTransfer | None:
        m = meta.get("knn")
        if not m:
            return None
        feats = arrays["knn_features"]
        targets = csr_from_arrays(arrays, "knn", (feats.shape[0], len(codes)))
        prop, mu = None, 0.0
        if m.get("propagation"):
            prop = csr_from_arrays(arrays, "knn_propagation", (len(codes), len(codes)))
            mu = float(m["propagation"]["weight"])
        return cls(
            feats,
            targets,
            int(m["k"]),
            float(m["temperature"]),
            float(m["weight"]),
            str(m.get("space", "features")),
            prop,
            mu,
        )
