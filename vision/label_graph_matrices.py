"""Sparse matrices a label graph gives over a model's labels: edges and the conditional ``P(b|a)``.

Every part of ``vision`` that reads a :class:`~labelgraph.LabelGraph` (the adaptation modes
``plausibility``, ``neighbour-thresholds``, ``neighbour-bias``, ``knn-propagation``; the
implied training targets of ``vision train --implied-targets graph``) needs its edges in the
*model's* label order ``[L, L]``; codes absent from the graph get no edges
(:func:`graph_to_model_index`). All matrices are sparse (at most the graph's edges), never
dense ``[L, L]``:

* :func:`edge_matrix`: the association of a source, in PMI units (nats, positive PMI only),
  zero diagonal;
* :func:`pmi_conditional_matrix`: ``P(b | a) = min(1, p(b) exp(A_ab))``, the definition of
  PMI (``PMI(a, b) = log P(b | a) / p(b)``) solved for the conditional, with ``p`` the
  marginal the source's PMI was computed with (image frequency for ``annotation`` edges,
  corpus mentions for ``text``; the graph's prior otherwise). A calibrated probability that
  can reach 1 ("most shopkeepers are people"); rows need not sum to 1. Used where a
  probability is thresholded (implied targets);
* :func:`conditional_matrix`: the row-normalised ``P(b | a) = p(b) exp(A_ab) / Z_a`` with
  ``Z_a = 1 + sum_b p(b) (exp(A_ab) - 1)`` (the text conditional of
  :mod:`labelgraph.conditional_completion`, here over any source ``A``), ``p`` the graph's
  label prior (:meth:`~labelgraph.LabelGraph.log_prior`, a distribution over labels). Each row
  ``a`` is a distribution over labels; only its edge entries are kept (the rest is the prior's
  backoff mass, which says nothing about ``a``), at most ``max_edges`` per row. Used where a
  score is spread along edges (``knn-propagation``), which needs rows summing to at most 1.

The plausibility step's lift ``exp(PMI) - 1`` is :func:`edge_matrix` transformed: the same
``P(b | a) / p(b)`` as :func:`pmi_conditional_matrix` before the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "conditional_matrix",
    "edge_matrix",
    "graph_to_model_index",
    "pmi_conditional_matrix",
    "source_marginal",
]

#: edge source -> the graph frequency kind its PMI was computed with (others: the graph's prior)
_MARGINAL_KIND = {"annotation": "annotation", "text": "corpus"}


def graph_to_model_index(graph: Any, codes: Sequence[str]) -> np.ndarray:
    """``[L_graph]`` int64: each graph label's index among the model's ``codes`` (-1 when
    absent)."""
    where = {c: j for j, c in enumerate(codes)}
    return np.array([where.get(c, -1) for c in graph.labels], dtype=np.int64)


def edge_matrix(graph: Any, codes: Sequence[str], source: str = "combined") -> sp.csr_matrix:
    """PMI of ``source`` ``[L, L]`` float32 CSR over the model's ``codes`` (in their order).

    Args:
        graph: a :class:`~labelgraph.LabelGraph`; its ``source`` adjacency holds PMI (nats).
        codes: ``[L]`` the model's label codes; codes absent from the graph get no edges.
        source: the graph's edge source (``combined``, ``text``, ``annotation``, ...).
    Returns:
        the positive edges, zero diagonal (a label is no neighbour of itself), symmetric when
        the source is.
    """
    adj = graph.adjacency(source).tocoo()
    to_model = graph_to_model_index(graph, codes)
    rows, cols = to_model[adj.row], to_model[adj.col]
    keep = (rows >= 0) & (cols >= 0) & (rows != cols) & (adj.data > 0)
    n = len(codes)
    return sp.csr_matrix(
        (adj.data[keep].astype(np.float32), (rows[keep], cols[keep])), shape=(n, n)
    )


def conditional_matrix(
    graph: Any, codes: Sequence[str], source: str = "combined", max_edges: int = 50
) -> sp.csr_matrix:
    """``P(b | a)`` ``[L, L]`` float32 CSR over the model's ``codes`` (see module doc).

    Args:
        graph / codes / source: as :func:`edge_matrix`.
        max_edges: each row ``a`` keeps its ``max_edges`` largest ``P(b | a)`` (ties by
            column; 0: all) [50].
    Returns:
        row ``a`` holds ``P(b | a)`` on ``a``'s edges (zero diagonal); rows sum to at most 1.
    """
    from labelgraph.sparse_matrices import top_k_per_row  # the graph's package, loaded already

    adj = graph.adjacency(source).tocoo()
    keep = (adj.row != adj.col) & (adj.data > 0)
    r, c = adj.row[keep], adj.col[keep]
    a = adj.data[keep].astype(np.float64)
    prior = np.exp(graph.log_prior())  # [L_graph], sums to 1
    z = 1.0 + np.bincount(r, weights=prior[c] * np.expm1(a), minlength=len(prior))
    value = prior[c] * np.exp(a) / z[r]
    to_model = graph_to_model_index(graph, codes)
    rows, cols = to_model[r], to_model[c]
    ok = (rows >= 0) & (cols >= 0)
    n = len(codes)
    out = sp.csr_matrix(
        (value[ok].astype(np.float32), (rows[ok], cols[ok])), shape=(n, n), dtype=np.float32
    )
    return top_k_per_row(out, max_edges)


def source_marginal(graph: Any, source: str) -> np.ndarray:
    """``p`` ``[L_graph]`` float64: the label marginal ``source``'s PMI was computed with:
    the relative image frequency for ``annotation``, corpus mentions for ``text`` (over the
    graph's totals), else (or without counts of that kind) the graph's prior."""
    kind = _MARGINAL_KIND.get(source)
    if kind is not None and graph.frequency(kind).sum() > 0:
        freq = graph.frequency(kind)
        return freq / max(float(graph.totals.get(kind, 0.0)) or freq.sum(), 1e-12)
    return np.exp(graph.log_prior())


def pmi_conditional_matrix(
    graph: Any, codes: Sequence[str], source: str = "annotation"
) -> sp.csr_matrix:
    """``P(b | a) = min(1, p(b) exp(A_ab))`` ``[L, L]`` float32 CSR over the model's ``codes``
    (see module doc; ``p`` from :func:`source_marginal`).

    Args:
        graph / codes / source: as :func:`edge_matrix` (default ``annotation``).
    Returns:
        row ``a`` holds ``P(b | a)`` on ``a``'s edges of ``source`` (every stored edge, zero
        diagonal); no row normalisation.
    """
    adj = graph.adjacency(source).tocoo()
    prior = source_marginal(graph, source)
    p = np.minimum(1.0, prior[adj.col] * np.exp(adj.data.astype(np.float64)))
    to_model = graph_to_model_index(graph, codes)
    rows, cols = to_model[adj.row], to_model[adj.col]
    keep = (rows >= 0) & (cols >= 0) & (rows != cols)
    n = len(codes)
    return sp.csr_matrix(
        (p[keep].astype(np.float32), (rows[keep], cols[keep])), shape=(n, n), dtype=np.float32
    )
