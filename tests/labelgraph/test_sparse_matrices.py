"""labelgraph.sparse_matrices.top_k_per_row against a row-by-row reference, ties included."""

import numpy as np
import pytest
import scipy.sparse as sp

from labelgraph.sparse_matrices import top_k_per_row


def _reference(m: sp.csr_matrix, k: int) -> np.ndarray:
    dense = m.toarray()
    out = np.zeros_like(dense)
    for r in range(dense.shape[0]):
        cols = np.nonzero(dense[r])[0]
        # largest first; among equal values the lower column first
        chosen = sorted(cols, key=lambda c: (-dense[r, c], c))[:k]
        out[r, chosen] = dense[r, chosen]
    return out


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_top_k_per_row_matches_the_row_by_row_reference(k: int) -> None:
    rng = np.random.default_rng(k)
    # values from a small set, so rows hold many ties
    dense = rng.choice([0, 0, 0, 1, 2, 3], size=(40, 30)).astype(np.float32)
    m = sp.csr_matrix(dense)
    got = top_k_per_row(m, k)
    np.testing.assert_array_equal(got.toarray(), _reference(m, k))
    assert got.dtype == np.float32 and got.has_sorted_indices
    assert np.diff(got.indptr).max() <= k


def test_top_k_per_row_keeps_everything_without_k() -> None:
    m = sp.csr_matrix(np.array([[0, 2, 1], [3, 0, 3]], dtype=np.float32))
    for k in (None, 0, 5):
        np.testing.assert_array_equal(top_k_per_row(m, k).toarray(), m.toarray())
