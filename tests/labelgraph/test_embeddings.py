from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors

from labelgraph.embeddings import (
    Word2VecConfig,
    cosine_knn,
    label_vectors,
    load_keyed_vectors,
    save_keyed_vectors,
    train_word2vec,
)


def _kv():
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(
        ["grocery_store", "grocery", "store", "horse", "ice"],
        np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [2, 2, 2]], dtype=np.float32),
    )
    return kv


def test_label_vectors_phrase_words_missing():
    emb, missing, how = label_vectors(
        _kv(), ["grocery_store", "horse", "ice_cream", "corner_store_x", "zebra", ""]
    )
    assert how == ["phrase", "phrase", "words", "missing", "missing", "missing"]
    np.testing.assert_allclose(emb[0], [1, 0, 0])
    np.testing.assert_allclose(emb[2], [2, 2, 2])  # mean over the words found (1 of 2)
    assert missing.tolist() == [False, False, False, True, True, True]
    assert np.all(emb[3:] == 0)


def test_words_mean_of_all_words():
    emb, missing, how = label_vectors(_kv(), ["store_grocery"])
    assert how == ["words"]
    np.testing.assert_allclose(emb[0], [0, 0.5, 0.5])


def test_keyed_vectors_roundtrip(tmp_path):
    kv = _kv()
    save_keyed_vectors(kv, tmp_path / "kv.bin")
    back = load_keyed_vectors(tmp_path / "kv.bin")
    np.testing.assert_allclose(back["horse"], kv["horse"])


def test_cosine_knn_matches_brute_force():
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(12, 4)).astype(np.float32)
    missing = np.zeros(12, dtype=bool)
    missing[[3, 7]] = True
    m = cosine_knn(emb, missing, k=2, chunk=5)
    x = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    sims = x @ x.T
    ok = [i for i in range(12) if not missing[i]]
    expect = set()
    for i in ok:
        cand = sorted((j for j in ok if j != i), key=lambda j: -sims[i, j])[:2]
        expect |= {(i, j) for j in cand if sims[i, j] > 0} | {
            (j, i) for j in cand if sims[i, j] > 0
        }
    got = set(zip(*m.nonzero()))
    assert got == expect
    for i, j in got:
        assert m[i, j] == pytest.approx(sims[i, j], rel=1e-5)
    assert m[3].nnz == 0 and m[:, 7].nnz == 0


def test_train_word2vec_on_a_reiterable_corpus():
    sents = [["the", "horse", "ran"], ["the", "rider", "fed", "the", "horse"]] * 20
    kv = train_word2vec(
        sentences=sents, config=Word2VecConfig(vector_size=5, epochs=1, min_count=1, workers=1)
    )
    assert kv.vector_size == 5 and "horse" in kv.key_to_index
