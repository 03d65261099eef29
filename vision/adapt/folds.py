"""Disjoint folds of the tuning images, for out-of-fold fitting and cross-validation."""

from __future__ import annotations

import numpy as np

from corpora.errors import InputError

__all__ = ["fold_indices"]


def fold_indices(n: int, folds: int, seed: int = 0) -> list[np.ndarray]:
    """``folds`` disjoint sorted index arrays covering ``range(n)`` (shuffled with ``seed``)."""
    if folds < 2 or folds > n:
        raise InputError(f"cannot split {n} tuning images into {folds} folds (need 2 <= K <= {n})")
    perm = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(perm, folds)]
