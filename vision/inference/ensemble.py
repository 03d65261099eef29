"""Ensembles: combine several runs' probabilities, by averaging or by majority vote.

Members must share one label vocabulary in the same order (checked by
:func:`check_same_vocabulary`: a mismatch is an :class:`InputError` naming the runs and the first
differing label). Votes (:data:`VOTES`, ``create_vote(name)``, ``list_votes()``; one function
each, ``fn(probs_list, decisions_list) -> EnsembleResult``, registered below):

* ``mean``: average probabilities ``[N, L]``; the decision rule is applied afterwards;
* ``majority``: each member decides with its own rule; a label is kept when more than half of
  the members predict it. Scores are the vote fraction plus a small tie-break by mean
  probability (used to rank labels and for fallbacks).

Memory: members are summed into one float64 ``[N, L]`` accumulator (no stacked copy of every
member); decisions may be dense bool or sparse (``DecisionRule.decide_sparse``): a
majority's decisions come back sparse when any member's are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from corpora.catalogue import Catalogue
from corpora.errors import InputError

__all__ = ["VOTES", "EnsembleResult", "check_same_vocabulary", "create_vote", "list_votes"]


@dataclass
class EnsembleResult:
    """Combined scores ``[N, L]`` and, for votes that decide, the decisions ``[N, L]`` bool
    (dense or a scipy.sparse matrix)."""

    scores: np.ndarray
    decisions: np.ndarray | sp.spmatrix | None


VoteFn = Callable[[Sequence[np.ndarray], Sequence[np.ndarray] | None], EnsembleResult]

#: votes by name, in the order ``--vote`` lists them
VOTES: Catalogue[EnsembleResult] = Catalogue("vote", order="registration")


def check_same_vocabulary(members: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Check every member ``(name, codes)`` has the first member's codes; return them."""
    if not members:
        raise InputError("an ensemble needs at least one run")
    ref_name, ref = members[0][0], list(members[0][1])
    for name, codes in members[1:]:
        codes = list(codes)
        if codes == ref:
            continue
        if len(codes) != len(ref):
            detail = f"{len(codes)} labels vs {len(ref)}"
        else:
            k = next(i for i, (a, b) in enumerate(zip(codes, ref)) if a != b)
            detail = f"label #{k} is {codes[k]!r} there but {ref[k]!r} in {ref_name}"
        raise InputError(
            f"ensemble member {name} has a different label vocabulary from {ref_name} ({detail}); "
            "ensemble only runs trained on the same vocabulary"
        )
    return ref


def _shapes(probs: Sequence[np.ndarray]) -> tuple[int, int]:
    if not probs:
        raise InputError("an ensemble needs at least one member's predictions")
    shape = np.asarray(probs[0]).shape
    for k, p in enumerate(probs):
        if np.asarray(p).shape != shape:
            raise InputError(
                f"ensemble member #{k} predicted shape {np.shape(p)}, expected {shape}"
            )
    return shape


def _mean_of(probs: Sequence[np.ndarray]) -> np.ndarray:
    """Element-wise float64 mean of the members, summed in order into one accumulator (the
    same numbers as ``np.mean(np.stack(probs), axis=0)`` of the float64 members)."""
    acc = np.array(probs[0], dtype=np.float64, copy=True)
    for p in probs[1:]:
        acc += np.asarray(p)
    acc /= len(probs)
    return acc


@VOTES.register("mean")
def _mean(probs: Sequence[np.ndarray], decisions: Sequence[np.ndarray] | None) -> EnsembleResult:
    """average probabilities; the decision rule is applied afterwards"""
    _shapes(probs)
    if len(probs) == 1:  # the member itself (no copy)
        return EnsembleResult(np.asarray(probs[0]), None)
    return EnsembleResult(_mean_of(probs), None)


@VOTES.register("majority")
def _majority(
    probs: Sequence[np.ndarray], decisions: Sequence[np.ndarray] | None
) -> EnsembleResult:
    """keep a label when more than half of the members predict it"""
    _shapes(probs)
    if decisions is None or len(decisions) != len(probs):
        raise ValueError("majority vote needs one decision matrix per member")
    counts = sp.csr_matrix(decisions[0], dtype=np.float64)
    for d in decisions[1:]:
        counts = counts + sp.csr_matrix(d, dtype=np.float64)
    votes = (counts / len(decisions)).tocoo()
    scores = _mean_of(probs)
    scores *= 1e-3
    scores[votes.row, votes.col] += votes.data
    kept = votes.data > 0.5
    decided = sp.csr_matrix(
        (np.ones(int(kept.sum()), dtype=bool), (votes.row[kept], votes.col[kept])),
        shape=counts.shape,
    )
    if not any(sp.issparse(d) for d in decisions):
        return EnsembleResult(scores, decided.toarray())
    return EnsembleResult(scores, decided)


def list_votes() -> list[str]:
    """Names accepted by :func:`create_vote` (and ``vision predict --vote``)."""
    return VOTES.names()


def create_vote(name: str) -> VoteFn:
    """The vote called ``name``: ``fn(probs_list, decisions_list) -> EnsembleResult``; an
    :class:`InputError` naming the choices for an unknown name."""
    return VOTES.get(name).factory
