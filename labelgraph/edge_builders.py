"""Registry of edge builders: co-occurrence counts -> symmetric non-negative ``[L, L]`` CSR.

``create_edge_builder(name, **options)`` returns a callable ``builder(counts, context)``;
``list_edge_builders()`` names them:

* ``"ppmi"``: shrunk, alpha-smoothed positive PMI (options ``alpha``, ``min_count``,
  ``shrinkage``), nats;
* ``"npmi"``: positive part of NPMI (``min_count``), in ``[0, 1]``;
* ``"conditional"``: ``(P(b|a) + P(a|b)) / 2`` (``min_count``);
* ``"mlgcn"``: the ML-GCN re-weighted, thresholded conditional-probability adjacency
  (``tau``, ``p``), symmetrised by the mean, diagonal dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.errors import InputError
from labelgraph._sparse import canonical_csr, symmetrize
from labelgraph.association import DEFAULT_ALPHA, conditional_matrix, npmi_matrix, ppmi_matrix
from labelgraph.cooccurrence import CooccurrenceCounts

__all__ = ["create_edge_builder", "list_edge_builders", "register_edge_builder"]

EdgeBuilder = Callable[[CooccurrenceCounts, str], sp.csr_matrix]
_REGISTRY: dict[str, Callable[..., EdgeBuilder]] = {}


def register_edge_builder(name: str):
    """Decorator registering a factory ``(**options) -> builder(counts, context)``."""

    def deco(factory: Callable[..., EdgeBuilder]) -> Callable[..., EdgeBuilder]:
        _REGISTRY[name] = factory
        return factory

    return deco


def list_edge_builders() -> list[str]:
    return sorted(_REGISTRY)


def create_edge_builder(name: str, **options: Any) -> EdgeBuilder:
    """The builder ``name`` configured with ``options`` (unknown options are an error)."""
    if name not in _REGISTRY:
        raise InputError(
            f"unknown edge builder {name!r}; available: {', '.join(list_edge_builders())}"
        )
    try:
        return _REGISTRY[name](**options)
    except TypeError as exc:
        raise InputError(f"edge builder {name!r}: {exc}") from exc


def _no_diag(m: sp.spmatrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m, dtype=np.float32, copy=True)
    m.setdiag(0)
    return canonical_csr(m, np.float32)


@register_edge_builder("ppmi")
def _ppmi(
    alpha: float = DEFAULT_ALPHA,
    min_count: int = 1,
    shrinkage: float = 1.0,
    confidence: float = 0.0,
) -> EdgeBuilder:
    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return ppmi_matrix(
            counts,
            context,
            alpha=alpha,
            min_count=min_count,
            shrinkage=shrinkage,
            confidence=confidence,
        )

    return build


@register_edge_builder("npmi")
def _npmi(min_count: int = 1) -> EdgeBuilder:
    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        m = npmi_matrix(counts, context, min_count=min_count)
        m.data = np.maximum(m.data, 0)
        return canonical_csr(m, np.float32)

    return build


@register_edge_builder("conditional")
def _conditional(min_count: int = 1) -> EdgeBuilder:
    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return symmetrize(conditional_matrix(counts, context, min_count=min_count), "mean")

    return build


@register_edge_builder("mlgcn")
def _mlgcn(tau: float = 0.4, p: float = 0.2) -> EdgeBuilder:
    from labelgraph.annotations import mlgcn_adjacency

    def build(counts: CooccurrenceCounts, context: str) -> sp.csr_matrix:
        return _no_diag(symmetrize(mlgcn_adjacency(counts, tau=tau, p=p, context=context), "mean"))

    return build
