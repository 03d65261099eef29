"""Plausibility-aware decoding: raise a label's score when the image's confident labels imply it.

From a :class:`~labelgraph.LabelGraph` adjacency in PMI units (nats, non-negative: positive
PMI) the directional association is ``P(b | a) = P(b) exp(PMI(a, b))``, backing off to the
frequency ``P(b)`` where the graph has no edge. An image's context is its ``context``
highest-scoring labels ``C`` with weights ``w_a`` = their scores; the plausibility of label
``b`` given the *other* context labels is the mixture ``P(b | C) = sum_{a in C, a != b} w_a
P(b | a) / W`` with ``W = max(1, sum_{a in C, a != b} w_a)``, the rest ``(1 - sum w_a / W)``
of the mass on ``P(b)`` (Jeffrey's rule: a context label of probability ``w_a`` is uncertain
evidence, and a weak context moves nothing). The score moves by the naive-Bayes update of
that evidence, scaled by ``weight`` (lambda)::

    lift_b  = P(b | C) / P(b) = 1 + sum_{a in C \\ b} w_a (exp(PMI(a, b)) - 1) / W
    s'_b    = sigmoid(logit(s_b) + lambda * log(lift_b))

``P(b)`` cancels, so only the sparse matrix ``E = exp(PMI) - 1`` ``[L, L]`` (zero diagonal,
zero where there is no edge) is needed: a label no context label is associated with has
``lift = 1`` and keeps its score exactly, and ``lambda = 0`` returns the scores unchanged
(bit for bit). Only the non-zeros of ``W @ E`` (``W`` ``[n, L]`` with ``context`` entries a
row) are touched, so the cost is one ``argpartition`` over the scores plus a sparse product.

:class:`PlausibilityRescoring` is the decision rule's ``plausibility`` score step (priority
30: after ``prior-shift`` and ``knn``); the ``plausibility`` adaptation mode fits ``lambda``
(:mod:`vision.adapt.modes.plausibility_mode`). Stored as ``plausibility`` in
``decision.json`` and ``plausibility_indptr/indices/data`` in ``decision.npz``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from vision.adapt.score_step import SCORE_STEPS, ScoreStep, csr_arrays, csr_from_arrays
from vision.label_graph_matrices import edge_matrix

__all__ = ["PlausibilityRescoring", "lift_matrix"]

#: probabilities are clipped to [EPS, 1 - EPS] before the logit
EPS = 1e-7


def lift_matrix(
    graph: Any, codes: Sequence[str], source: str = "combined", max_edges: int = 50
) -> sp.csr_matrix:
    """``E = exp(PMI) - 1`` ``[L, L]`` float32 CSR over the model's ``codes`` (in their order).

    Args:
        graph: a :class:`~labelgraph.LabelGraph`; its ``source`` adjacency holds PMI (nats).
        codes: ``[L]`` the model's label codes; codes absent from the graph get no edges.
        source: the graph's edge source (``combined``, ``text``, ``annotation``, ...).
        max_edges: each row ``a`` keeps its ``max_edges`` strongest edges (the labels ``a``
            implies most; ties by column), so a frequent hub label in an image's context
            costs no more than any other (0: keep all) [50].
    Returns:
        the matrix with a zero diagonal (a label is no evidence for itself).
    """
    from labelgraph.sparse_matrices import top_k_per_row  # the graph's package, loaded already

    pmi = edge_matrix(graph, codes, source)
    out = pmi.copy()
    out.data = np.expm1(pmi.data.astype(np.float64)).astype(np.float32)
    return top_k_per_row(out, max_edges)


@SCORE_STEPS.register("plausibility", priority=30)
@dataclass
class PlausibilityRescoring(ScoreStep):
    """Score step of plausibility-aware decoding (see module doc).

    Attributes:
        lift: ``[L, L]`` float32 CSR ``exp(PMI) - 1`` (:func:`lift_matrix`).
        weight: lambda, the multiplier of ``log(lift)`` in logit space (0 = off).
        context: how many of an image's highest-scoring labels form its context [3].
        source: the graph source ``lift`` came from (recorded only).
        min_score: context labels must also score at least this (a confident context;
            0 = the top ``context`` labels whatever their scores) [0].
    """

    lift: sp.csr_matrix
    weight: float = 0.0
    context: int = 3
    source: str = "combined"
    min_score: float = 0.0

    def __post_init__(self) -> None:
        self.lift = sp.csr_matrix(self.lift, dtype=np.float32)
        if self.lift.shape[0] != self.lift.shape[1]:
            raise ValueError(f"lift matrix must be square, got {self.lift.shape}")
        if self.context < 1:
            raise ValueError(f"context must be at least 1, got {self.context}")

    def log_lift(self, scores: np.ndarray) -> sp.coo_matrix:
        """``log(lift)`` ``[n, L]`` as a sparse matrix (zero where no context label is
        associated) for scores ``[n, L]`` float64 (read only)."""
        return self._log_lift(np.array(scores, dtype=np.float64, copy=True))

    def _log_lift(self, scores: np.ndarray) -> sp.coo_matrix:
        """:meth:`log_lift` of ``scores``, which are changed during the call and restored
        (the top ``context`` labels are found by ``context`` row-wise ``argmax`` passes, ten
        times faster than an ``argpartition`` of the block)."""
        n, n_labels = scores.shape
        k = min(self.context, n_labels)
        if n == 0 or k == 0:
            return sp.coo_matrix((n, n_labels))
        rows = np.arange(n)
        top = np.empty((n, k), dtype=np.int64)
        w = np.empty((n, k), dtype=np.float64)
        for t in range(k):
            top[:, t] = scores.argmax(axis=1)
            w[:, t] = scores[rows, top[:, t]]
            scores[rows, top[:, t]] = -np.inf
        for t in range(k):
            scores[rows, top[:, t]] = w[:, t]
        kth = w[:, -1].copy()
        if self.min_score > 0:
            w = np.where(w >= self.min_score, w, 0.0)
        ctx = sp.csr_matrix(
            (w.ravel(), top.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n_labels)
        )
        num = (ctx @ self.lift).tocoo()  # sum_a w_a (exp(PMI(a, b)) - 1), sparse
        r, c = num.row, num.col
        s_rc = scores[r, c]
        in_ctx = (s_rc >= kth[r]) & (s_rc >= self.min_score)
        # without b's own weight; a context of total weight < 1 counts as uncertain evidence
        den = np.maximum(w.sum(axis=1)[r] - np.where(in_ctx, s_rc, 0.0), 1.0)
        ok = num.data > 0
        val = np.log1p(num.data[ok] / den[ok])
        return sp.coo_matrix((val, (r[ok], c[ok])), shape=(n, n_labels))

    def apply(
        self,
        scores: np.ndarray,
        features: np.ndarray | None = None,
        pixels: np.ndarray | None = None,
    ) -> np.ndarray:
        """Scores ``[n, L]`` float64 after the update (the input itself when ``weight`` is 0)."""
        if self.weight == 0:
            return scores
        out = np.array(scores, dtype=np.float64, copy=True)
        ll = self._log_lift(out)
        s = np.clip(out[ll.row, ll.col], EPS, 1 - EPS)
        z = np.log(s) - np.log1p(-s) + self.weight * ll.data
        out[ll.row, ll.col] = 1.0 / (1.0 + np.exp(-z))
        return out

    @classmethod
    def save_into(
        cls, step: ScoreStep | None, meta: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> None:
        if not isinstance(step, PlausibilityRescoring):
            meta["plausibility"] = None
            return
        m = step.lift.tocsr()
        arrays.update(csr_arrays("plausibility", m))
        meta["plausibility"] = {
            "weight": step.weight,
            "context": step.context,
            "source": step.source,
            "min_score": step.min_score,
            "edges": int(m.nnz),
        }

    @classmethod
    def load_from(
        cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], codes: Sequence[str]
    ) -> PlausibilityRescoring | None:
        m = meta.get("plausibility")
        if not m:
            return None
        lift = csr_from_arrays(arrays, "plausibility", (len(codes), len(codes)))
        return cls(
            lift,
            float(m["weight"]),
            int(m["context"]),
            str(m.get("source", "")),
            float(m.get("min_score", 0.0)),
        )
