"""Private helpers: turn score/target inputs (dense, sparse, torch) into numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["as_dense", "as_bool"]


def as_dense(x: Any, dtype: Any = np.float64) -> np.ndarray:
    """Return ``x`` (numpy, scipy.sparse or torch tensor, 2-D) as a dense numpy array."""
    if sp.issparse(x):
        x = x.toarray()
    elif hasattr(x, "detach"):  # torch.Tensor without importing torch
        x = x.detach().cpu().numpy()
    arr = np.asarray(x, dtype=dtype)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D [N, L] array, got shape {arr.shape}")
    return arr


def as_bool(x: Any) -> np.ndarray:
    """Return ``x`` as a dense boolean ``[N, L]`` array (non-zero / > 0.5 means positive)."""
    arr = as_dense(x, dtype=np.float64)
    return arr > 0.5
