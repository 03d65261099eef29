"""Kaggle submissions (``image_id,labels``): label lists from decisions.

An image whose decision is empty gets a fallback (its top-scoring labels) so no row is left
blank unless asked. The file format is read and written by :mod:`corpora.formats.label_sets`
(``read_submission``, ``read_submission_ids`` and ``write_submission`` are re-exported here):
rows follow the sample submission's order when one is given, and every id of it is present.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from corpora.formats.label_sets import read_submission, read_submission_ids, write_submission

__all__ = [
    "read_submission",
    "read_submission_ids",
    "labels_from_decisions",
    "write_submission",
]

logger = logging.getLogger(__name__)


def labels_from_decisions(
    image_ids: Sequence[str],
    decisions: np.ndarray | sp.spmatrix,
    codes: Sequence[str],
    probs: np.ndarray | None = None,
    fallback_k: int = 1,
) -> tuple[dict[str, list[str]], int]:
    """Turn a decision matrix into label lists, filling empty rows with top-scoring labels.

    Args:
        image_ids: ``[N]`` ids.
        decisions: ``[N, L]`` bool, dense or a scipy.sparse matrix (read row by row).
        codes: ``[L]`` label codes.
        probs: ``[N, L]`` scores ranking each row's labels (ordered output and fallback).
        fallback_k: how many top labels an empty row gets (0: leave it empty).
    Returns:
        ``(id -> codes ordered by score, number of rows that got the fallback)``.
    """
    if sp.issparse(decisions):
        decisions = sp.csr_matrix(decisions, dtype=bool)
        decisions.eliminate_zeros()
        decisions.sort_indices()
    else:
        decisions = np.asarray(decisions, dtype=bool)
    if decisions.shape != (len(image_ids), len(codes)):
        raise ValueError(
            f"decisions {decisions.shape} do not match {len(image_ids)} ids x {len(codes)} codes"
        )
    out: dict[str, list[str]] = {}
    n_fallback = 0
    for i, image_id in enumerate(image_ids):
        if sp.issparse(decisions):
            cols = decisions.indices[decisions.indptr[i] : decisions.indptr[i + 1]]
        else:
            cols = np.nonzero(decisions[i])[0]
        if probs is not None:
            if len(cols) == 0 and fallback_k > 0:
                cols = np.argsort(-probs[i], kind="stable")[:fallback_k]
                n_fallback += 1
            cols = cols[np.argsort(-probs[i, cols], kind="stable")]
        out[image_id] = [codes[j] for j in cols]
    return out, n_fallback
