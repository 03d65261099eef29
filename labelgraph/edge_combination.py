"""Combine per-source edge sets into the ``combined`` adjacency of a LabelGraph."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from labelgraph.sparse_matrices import canonical_csr, symmetrize, top_k_per_row

__all__ = ["combine_sources", "sparsify"]

logger = logging.getLogger(__name__)


def sparsify(m: sp.spmatrix, top_k: int | None) -> sp.csr_matrix:
    """Keep each node's ``top_k`` strongest edges; an edge survives when either endpoint keeps
    it (so the result stays symmetric). ``top_k=None``/``0`` keeps all. Self-loops are
    dropped."""
    m = canonical_csr(m, np.float32)
    m.setdiag(0)
    m = canonical_csr(m, np.float32)
    return symmetrize(top_k_per_row(m, top_k), "max")


def combine_sources(
    adjacencies: Mapping[str, sp.spmatrix],
    weights: Mapping[str, float],
    top_k: int | None = None,
) -> sp.csr_matrix:
    """``sum_s weights[s] * A_s`` over the sources named in ``weights`` that are present
    (missing ones are skipped with a debug message), then :func:`sparsify` to ``top_k``.

    All sources are expected in PMI-like units (nats) or scaled to them by their weight.
    Returns a symmetric ``[L, L]`` float32 CSR.
    """
    total: sp.csr_matrix | None = None
    for source, w in weights.items():
        if source not in adjacencies or not w:
            logger.debug("combination: source %r absent or weight 0; skipped", source)
            continue
        term = canonical_csr(adjacencies[source], np.float32) * np.float32(w)
        total = term if total is None else total + term
    if total is None:
        n = next(iter(adjacencies.values())).shape[0] if adjacencies else 0
        return sp.csr_matrix((n, n), dtype=np.float32)
    return sparsify(total, top_k)
