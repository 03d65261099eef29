"""Association measures over :class:`~labelgraph.cooccurrence.CooccurrenceCounts`.

For a context with ``N`` contexts (``total``), label counts ``n_a`` and pair counts ``n_ab``
(for ``"pairs"``-kind contexts such as windows, ``n_a`` and ``N`` are the marginals of the
symmetric pair matrix instead)::

    P(a, b) = n_ab / N         P(a) = n_a / N
    P_alpha(b) = n_b^alpha / sum_c n_c^alpha * (sum_c n_c / N)   # context-distribution smoothing,
                                                                 # same total mass as P
    PMI_alpha(a, b) = log P(a, b) - 1/2 [log P(a) + log P_alpha(a) + log P(b) + log P_alpha(b)]
    PPMI = max(0, PMI_alpha - log(n_ab) + log(max(n_ab - z sqrt(n_ab), 0.5)))
           * n_ab / (n_ab + shrinkage)                          # symmetric, nats
    NPMI = log(P(a, b) / (P(a) P(b))) / -log P(a, b)             # in [-1, 1], alpha = 1
    P(b | a) = n_ab / n_a
    E_ab = (n_a + add) (n_b + add) / N                           # pairs expected if independent
    LIFT_kappa(a, b) = log(1 + n_ab / (kappa E_ab))              # "joint" edges, >= 0, nats
    log P_kappa(a, b) = log((n_ab + kappa E_ab) / ((1 + kappa) N))
                      = log((n_a + add) / N) + log((n_b + add) / N)
                        + log(kappa / (1 + kappa)) + LIFT_kappa(a, b)

``P_kappa`` is the observed joint probability interpolated with the independence joint
(Jelinek-Mercer, weight ``kappa / (1 + kappa)`` on independence): unlike PMI it keeps the
frequency of both labels, which is what predicts image co-occurrence best (README, ``labelgraph
evaluate``); ``LIFT_kappa`` is its pair-specific part, sparse and non-negative, so it can be
stored as edges and added to the labels' log frequencies again at scoring time.

``PMI_alpha`` is the symmetric mean of Levy et al.'s smoothed PMI taken in both directions;
``alpha = 1``, ``z = 0`` and ``shrinkage = 0`` give the plain PMI. ``z`` (``confidence``)
replaces the observed count by a lower confidence bound ``n - z sqrt(n)`` (Poisson), so a
pair seen twice between two rare labels no longer outranks a pair seen a hundred times. Only pairs with ``n_ab >= min_count``
get a value; every result is a sparse ``[L, L]`` matrix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from labelgraph.cooccurrence import CooccurrenceCounts
from labelgraph.sparse_matrices import canonical_csr

__all__ = [
    "context_marginals",
    "ppmi_matrix",
    "npmi_matrix",
    "conditional_matrix",
    "joint_lift_matrix",
    "log_joint_scores",
    "pair_statistics",
    "DEFAULT_ALPHA",
    "DEFAULT_KAPPA",
]

DEFAULT_ALPHA = 0.75
#: weight of the independence joint in ``P_kappa`` (R12 sweep: 0.01-1 within 0.002 AUC on COCO)
DEFAULT_KAPPA = 0.1


def context_marginals(counts: CooccurrenceCounts, context: str) -> tuple[np.ndarray, float]:
    """``(n [L] float64, N)`` used as label counts and context total for ``context``."""
    if counts.kind(context) == "pairs":
        u = counts.upper(context)
        n = np.asarray(u.sum(axis=1), dtype=np.float64).ravel()
        n += np.asarray(u.sum(axis=0), dtype=np.float64).ravel()
        return n, float(n.sum())
    return counts.unigram(context).astype(np.float64), float(counts.total(context))


def _log_probs(n: np.ndarray, total: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """``log P(a)`` and ``log P_alpha(a)`` ([L] float64, -inf where n = 0)."""
    with np.errstate(divide="ignore"):
        log_p = np.log(n) - math.log(total) if total > 0 else np.full_like(n, -np.inf)
        if alpha == 1.0:
            return log_p, log_p
        na = np.power(n, alpha)
        mass = n.sum() / total if total > 0 else 0.0
        log_pa = np.log(na) - math.log(na.sum()) + math.log(mass) if na.sum() > 0 else log_p
    return log_p, log_pa


def _observed(
    counts: CooccurrenceCounts, context: str, min_count: int, upper: bool = False
) -> sp.coo_matrix:
    """Pairs seen at least ``min_count`` times (only ``a < b`` when ``upper``)."""
    pairs = (counts.upper(context) if upper else counts.pairs(context)).tocoo()
    keep = pairs.data >= max(int(min_count), 1)
    return sp.coo_matrix((pairs.data[keep], (pairs.row[keep], pairs.col[keep])), shape=pairs.shape)


def _symmetric(val: np.ndarray, upper: sp.coo_matrix) -> sp.csr_matrix:
    """``U + U.T`` as float32 CSR from values on the strictly upper pairs ``upper``."""
    u = canonical_csr(sp.coo_matrix((val, (upper.row, upper.col)), shape=upper.shape), np.float32)
    return canonical_csr(u + u.T, np.float32)


def ppmi_matrix(
    counts: CooccurrenceCounts,
    context: str,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = 1,
    shrinkage: float = 1.0,
    confidence: float = 0.0,
) -> sp.csr_matrix:
    """Symmetric ``[L, L]`` float32 CSR of positive, shrunk, alpha-smoothed PMI (nats),
    with the pair count lowered to ``n - confidence * sqrt(n)`` (at least 0.5)."""
    n, total = context_marginals(counts, context)
    coo = _observed(counts, context, min_count, upper=True)
    if coo.nnz == 0 or total <= 0:
        return sp.csr_matrix(coo.shape, dtype=np.float32)
    log_p, log_pa = _log_probs(n, total, alpha)
    half = 0.5 * (log_p + log_pa)
    nab = coo.data.astype(np.float64)
    nlow = np.maximum(nab - confidence * np.sqrt(nab), 0.5) if confidence > 0 else nab
    pmi = np.log(nlow) - math.log(total) - half[coo.row] - half[coo.col]
    pmi = np.where(pmi > 1e-9, pmi, 0.0)  # rounding noise of log(1) is not an association
    val = pmi * (nab / (nab + shrinkage) if shrinkage > 0 else 1.0)
    return _symmetric(val, coo)


def npmi_matrix(counts: CooccurrenceCounts, context: str, min_count: int = 1) -> sp.csr_matrix:
    """Symmetric ``[L, L]`` float32 CSR of NPMI in ``[-1, 1]`` for observed pairs (a stored
    value can be negative; an exact 0 is dropped by the sparse format)."""
    n, total = context_marginals(counts, context)
    coo = _observed(counts, context, min_count, upper=True)
    if coo.nnz == 0 or total <= 0:
        return sp.csr_matrix(coo.shape, dtype=np.float32)
    nab = coo.data.astype(np.float64)
    log_pab = np.log(nab) - math.log(total)
    pmi = log_pab - (np.log(n[coo.row]) - math.log(total)) - (np.log(n[coo.col]) - math.log(total))
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.where(log_pab < 0, pmi / -log_pab, 1.0)
    return _symmetric(val, coo)


def conditional_matrix(
    counts: CooccurrenceCounts, context: str, min_count: int = 1
) -> sp.csr_matrix:
    """``[L, L]`` float32 CSR with ``[a, b] = P(b | a) = n_ab / n_a`` (not symmetric)."""
    n, _ = context_marginals(counts, context)
    coo = _observed(counts, context, min_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        val = coo.data / n[coo.row]
    return canonical_csr(sp.coo_matrix((val, (coo.row, coo.col)), shape=coo.shape), np.float32)


def _expected(n: np.ndarray, total: float, add: float, rows: np.ndarray, cols: np.ndarray):
    return (n[rows] + add) * (n[cols] + add) / total


def joint_lift_matrix(
    counts: CooccurrenceCounts,
    context: str,
    kappa: float = DEFAULT_KAPPA,
    add: float = 0.5,
    min_count: int = 1,
) -> sp.csr_matrix:
    """Symmetric ``[L, L]`` float32 CSR of ``log(1 + n_ab / (kappa E_ab))`` (nats, > 0 on
    pairs seen at least ``min_count`` times), ``E_ab = (n_a + add) (n_b + add) / N``.

    Args:
        kappa: weight of the independence joint (> 0) [0.1].
        add: additive smoothing of the label counts [0.5].
        min_count: pairs seen fewer times get no edge [1].
    """
    if kappa <= 0:
        raise ValueError(f"kappa must be > 0, got {kappa}")
    n, total = context_marginals(counts, context)
    coo = _observed(counts, context, min_count, upper=True)
    if coo.nnz == 0 or total <= 0:
        return sp.csr_matrix(coo.shape, dtype=np.float32)
    e = _expected(n, total, add, coo.row, coo.col)
    return _symmetric(np.log1p(coo.data.astype(np.float64) / (kappa * e)), coo)


def log_joint_scores(
    counts: CooccurrenceCounts,
    context: str,
    rows: np.ndarray,
    cols: np.ndarray,
    kappa: float = DEFAULT_KAPPA,
    add: float = 0.5,
    min_count: int = 1,
) -> np.ndarray:
    """``[P]`` float64 ``log P_kappa(a, b)`` of the pairs ``(rows[p], cols[p])`` (every pair
    gets a finite score; pairs seen fewer than ``min_count`` times count as unseen)."""
    n, total = context_marginals(counts, context)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    if total <= 0:
        return np.zeros(len(rows))
    nab = np.asarray(counts.pairs(context).tocsr()[rows, cols], dtype=np.float64).ravel()
    nab = np.where(nab >= max(int(min_count), 1), nab, 0.0)
    e = _expected(n, total, add, rows, cols)
    return np.log(nab + kappa * e) - math.log((1.0 + kappa) * total)


def pair_statistics(
    counts: CooccurrenceCounts, context: str, a: int, b: int, alpha: float = DEFAULT_ALPHA
) -> dict[str, Any]:
    """Counts and measures of one pair (label indices) in one context, as plain floats.

    Keys: ``count_a``, ``count_b``, ``count_ab``, ``total``, ``pmi`` (alpha = 1), ``ppmi``
    (alpha-smoothed, unshrunk), ``npmi``, ``p_b_given_a``, ``p_a_given_b`` (None where
    undefined, e.g. ``count_ab = 0`` for PMI).
    """
    n, total = context_marginals(counts, context)
    nab = float(counts.count(context, a, b)) if a != b else float(n[a])
    na, nb = float(n[a]), float(n[b])
    out: dict[str, Any] = {
        "count_a": na,
        "count_b": nb,
        "count_ab": nab,
        "total": total,
        "pmi": None,
        "ppmi": None,
        "npmi": None,
        "p_b_given_a": nab / na if na > 0 else None,
        "p_a_given_b": nab / nb if nb > 0 else None,
    }
    if nab > 0 and na > 0 and nb > 0 and total > 0:
        log_pab = math.log(nab / total)
        pmi = log_pab - math.log(na / total) - math.log(nb / total)
        out["pmi"] = pmi
        out["npmi"] = pmi / -log_pab if log_pab < 0 else 1.0
        log_p, log_pa = _log_probs(n, total, alpha)
        out["ppmi"] = float(max(0.0, log_pab - 0.5 * (log_p[a] + log_pa[a] + log_p[b] + log_pa[b])))
    return out
