"""Directional label completion: ``score(c | S) = sum_{s in S} P(c | s)`` with backoff.

``LabelGraph.complete`` uses it when ``scoring["completion"]`` is ``"conditional"`` (the
default; ``"association"`` keeps the symmetric naive-Bayes PMI sum for ablations). For one
given label ``s`` and a candidate ``c`` (Jelinek-Mercer mixture, weights ``w`` =
``completion_text_weight``, ``v`` = ``completion_prior_weight``)::

    P(c | s) = (1 - w - v) n_sc / n_s  +  w T(c | s)  +  v p(c)
    p(c)     = (f_c + a q_c) / (N_img + a)           # image frequency, backed off to the corpus
    T(c | s) = p(c) exp(A_sc) / Z_s,   Z_s = 1 + sum_c p(c) (exp(A_sc) - 1)

with ``n_sc`` / ``n_s`` the image pair and label counts (the graph's annotation pairs), ``q`` the
smoothed corpus-mention distribution ``(m + 0.5) / (sum m + 0.5 L)``, ``a`` = ``prior_backoff``
and ``A`` the graph's ``text`` edges (nats; a text conditional that multiplies the prior by the
association, normalised over labels). When ``s`` has no image (or the graph no annotations),
the image term drops out and the other two are renormalised: ``(w T + v p) / (w + v)``.

Is-a edges from the label names (:mod:`labelgraph.name_heads`: a "Sports car" is a Car) enter
as a fourth part with weight ``u`` = ``completion_hypernym_weight``, for a given label that has
parents::

    P_u(c | s) = (1 - u) P(c | s) + u H(c | s),   H(c | s) = 1 / |parents(s)| if c is one

A label without parents keeps ``P(c | s)``; ``u = 0`` is the mixture above, bit for bit.

It is directional: ``P(Person | Shopkeeper)`` is large because most shopkeepers are people,
``P(Shopkeeper | Person)`` small because few people are shopkeepers, whereas a PMI edge is the
same both ways. The weights are fitted per fold by inner cross-validation in ``labelgraph
evaluate`` (:mod:`labelgraph.evaluation.completion_fit`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "ConditionalCompletion",
    "DEFAULT_TEXT_WEIGHT",
    "DEFAULT_PRIOR_WEIGHT",
    "DEFAULT_HYPERNYM_WEIGHT",
]

#: ``w`` of the text conditional (R12 inner-CV choice on the tuning labels: 0.1 in 5/5 folds)
DEFAULT_TEXT_WEIGHT = 0.1
#: ``v`` of the frequency prior (R12: 0.001 in 5/5 folds with text)
DEFAULT_PRIOR_WEIGHT = 0.001
#: ``u`` of the name-head hypernyms (issue 12 inner CV on the tuning labels: 0.1 in 3/5 folds, 0.3 in 2)
DEFAULT_HYPERNYM_WEIGHT = 0.1


class ConditionalCompletion:
    """``P(c | s)`` mixtures over ``L`` labels (see the module docstring).

    Args:
        pair_counts: ``[L, L]`` image pair counts ``n_sc`` (symmetric, zero diagonal) or None.
        image_freq: ``[L]`` images holding each label ``n_s`` (zeros without annotations).
        n_images: ``N_img``.
        corpus_freq: ``[L]`` corpus mentions ``m`` (zeros without text).
        text: ``[L, L]`` text association ``A`` (nats, >= 0) or None.
        text_weight: ``w`` [0.1]; prior_weight: ``v`` [0.001]; prior_backoff: ``a`` [10].
        hypernyms: ``[L, L]`` is-a edges, row child, column parent (non-zero = edge; e.g.
            :func:`labelgraph.name_heads.hypernym_matrix`) or None (no hypernym part).
        hypernym_weight: ``u`` in [0, 1] [0: off].
    """

    def __init__(
        self,
        pair_counts: sp.spmatrix | None,
        image_freq: np.ndarray,
        n_images: float,
        corpus_freq: np.ndarray,
        text: sp.spmatrix | None,
        text_weight: float = DEFAULT_TEXT_WEIGHT,
        prior_weight: float = DEFAULT_PRIOR_WEIGHT,
        prior_backoff: float = 10.0,
        hypernyms: sp.spmatrix | None = None,
        hypernym_weight: float = 0.0,
    ) -> None:
        self.n = int(len(image_freq))
        self.freq = np.asarray(image_freq, dtype=np.float64)
        self.pairs = None if pair_counts is None else sp.csr_matrix(pair_counts, dtype=np.float64)
        self.text = None if text is None else sp.csr_matrix(text, dtype=np.float64)
        self.text_weight = float(text_weight)
        self.prior_weight = float(prior_weight)
        if (
            self.text_weight < 0
            or self.prior_weight < 0
            or self.text_weight + self.prior_weight > 1
        ):
            raise ValueError(
                "completion weights must be >= 0 and sum to at most 1, got text "
                f"{self.text_weight} and prior {self.prior_weight}"
            )
        self.hypernym_weight = float(hypernym_weight)
        if not 0.0 <= self.hypernym_weight <= 1.0:
            raise ValueError(f"the hypernym weight must be in [0, 1], got {self.hypernym_weight}")
        self.hypernyms = None if hypernyms is None else sp.csr_matrix(hypernyms, dtype=np.float64)
        m = np.asarray(corpus_freq, dtype=np.float64)
        q = (m + 0.5) / (m.sum() + 0.5 * self.n) if self.n else m
        a = float(prior_backoff)
        total = float(n_images) + a
        self.prior = (self.freq + a * q) / total if total > 0 else q

    def components(self, s: int) -> tuple[np.ndarray | None, np.ndarray]:
        """``(image [L] = n_sc / n_s or None when s has no image, text [L] = T(. | s))``."""
        t = self.prior.copy()
        if self.text is not None:
            lo, hi = self.text.indptr[s], self.text.indptr[s + 1]
            cols = self.text.indices[lo:hi]
            boost = np.exp(self.text.data[lo:hi])
            z = 1.0 + float((self.prior[cols] * (boost - 1.0)).sum())
            t[cols] *= boost
            t /= z
        img = None
        if self.pairs is not None and self.freq[s] > 0:
            img = np.zeros(self.n)
            lo, hi = self.pairs.indptr[s], self.pairs.indptr[s + 1]
            img[self.pairs.indices[lo:hi]] = self.pairs.data[lo:hi] / self.freq[s]
        return img, t

    def mix(
        self,
        img: np.ndarray | None,
        text: np.ndarray,
        text_weight: float | None = None,
        prior_weight: float | None = None,
    ) -> np.ndarray:
        """``[L]`` ``P(. | s)`` from :meth:`components` under weights (default: the model's)."""
        w = self.text_weight if text_weight is None else float(text_weight)
        v = self.prior_weight if prior_weight is None else float(prior_weight)
        if img is None:
            return (w * text + v * self.prior) / max(w + v, 1e-12)
        return (1.0 - w - v) * img + w * text + v * self.prior

    def parents(self, s: int) -> np.ndarray:
        """Indices of the is-a parents of ``s`` (empty without hypernym edges)."""
        if self.hypernyms is None:
            return np.zeros(0, dtype=np.int64)
        lo, hi = self.hypernyms.indptr[s], self.hypernyms.indptr[s + 1]
        return self.hypernyms.indices[lo:hi][self.hypernyms.data[lo:hi] != 0].astype(np.int64)

    def with_hypernyms(
        self, p: np.ndarray, parents: np.ndarray, hypernym_weight: float | None = None
    ) -> np.ndarray:
        """``[L]`` ``(1 - u) p + u H(. | s)`` for ``s`` with ``parents`` (``p`` itself when
        there are none or ``u = 0``; default ``u``: the model's)."""
        u = self.hypernym_weight if hypernym_weight is None else float(hypernym_weight)
        if u == 0.0 or len(parents) == 0:
            return p
        out = (1.0 - u) * p
        out[parents] += u / len(parents)
        return out

    def conditional(self, s: int) -> np.ndarray:
        """``[L]`` ``P(. | s)`` (with the hypernym part when ``u > 0``)."""
        p = self.mix(*self.components(s))
        if self.hypernym_weight == 0.0:
            return p
        return self.with_hypernyms(p, self.parents(s))

    def scores(self, given: Sequence[int]) -> np.ndarray:
        """``[L]`` ``sum_{s in given} P(c | s)`` (the given labels are not excluded here)."""
        out = np.zeros(self.n)
        for s in given:
            out += self.conditional(int(s))
        return out
