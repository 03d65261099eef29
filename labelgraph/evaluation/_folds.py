"""Deterministic k-fold split of images."""

from __future__ import annotations

import numpy as np

__all__ = ["kfold_assignments"]


def kfold_assignments(n: int, folds: int, seed: int = 0) -> np.ndarray:
    """``[n]`` int fold id of each item: a seeded permutation dealt round-robin into ``folds``."""
    if folds < 2:
        raise ValueError(f"need at least 2 folds, got {folds}")
    order = np.random.default_rng(seed).permutation(n)
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) % folds
    return out
