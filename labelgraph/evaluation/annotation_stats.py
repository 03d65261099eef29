"""Image-level label statistics of a list of label sets (the annotation-only baselines)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["AnnotationStats"]

logger = logging.getLogger(__name__)


class AnnotationStats:
    """Sparse label counts over images.

    Args:
        sets: label sets as vocabulary indices, one per image.
        num_labels: ``L``, the vocabulary size.

    Attributes:
        counts: ``[L, L]`` csr float64, ``counts[i, j]`` = images holding both ``i`` and ``j``
            (zero diagonal); sparse, never dense.
        freq: ``[L]`` float64, images holding each label.
        n_images: number of images.
    """

    def __init__(self, sets: Sequence[Sequence[int]], num_labels: int) -> None:
        rows: list[int] = []
        cols: list[int] = []
        freq = np.zeros(num_labels, dtype=np.float64)
        for s in sets:
            u = np.unique(np.asarray(s, dtype=np.int64))
            freq[u] += 1
            if len(u) > 1:
                a, b = np.meshgrid(u, u, indexing="ij")
                off = a != b
                rows.extend(a[off].tolist())
                cols.extend(b[off].tolist())
        self.counts = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(num_labels, num_labels), dtype=np.float64
        )
        self.counts.sum_duplicates()
        self.freq = freq
        self.n_images = len(sets)

    def completion_scores(self, given: Sequence[int]) -> np.ndarray:
        """``[L]`` score of each label accompanying ``given``: ``sum_s P(label | s)``.

        ``P(j | s) = counts[s, j] / freq[s]`` (0 for labels never seen in these images).
        """
        given = np.asarray(given, dtype=np.int64)
        f = self.freq[given]
        weights = np.divide(1.0, f, out=np.zeros_like(f), where=f > 0)
        return np.asarray(self.counts[given].T @ weights).ravel()

    def npmi(self, i: int, j: int) -> float:
        """Normalised PMI of labels ``i`` and ``j`` over the images; -1 when never together."""
        n = float(self.n_images)
        c = float(self.counts[i, j])
        if c == 0 or n == 0:
            return -1.0
        p_ij = c / n
        if p_ij >= 1.0:
            return 1.0
        pmi = np.log(p_ij / ((self.freq[i] / n) * (self.freq[j] / n)))
        return float(pmi / -np.log(p_ij))
