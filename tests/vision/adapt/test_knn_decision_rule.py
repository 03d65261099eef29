"""kNN label transfer against a brute-force computation; decision rule save/load round trip."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from corpora.errors import InputError
from vision.adapt.decision_rule import DecisionRule
from vision.adapt.knn_transfer import KNNTransfer, normalize_features
from vision.adapt.prior_shift import shift_probs
from vision.adapt.thresholds import ClassThresholds


def _brute(bank, labels, query, k, temperature, exclude_self=False):
    b, q = normalize_features(bank), normalize_features(query)
    out = np.zeros((len(q), labels.shape[1]))
    for i, row in enumerate(q):
        sims = b @ row
        if exclude_self:
            sims[i] = -np.inf
        top = np.argsort(-sims)[:k]
        w = np.exp(sims[top] / temperature)
        out[i] = (w[:, None] * labels[top]).sum(0) / w.sum()
    return out


def test_knn_scores_match_brute_force():
    rng = np.random.default_rng(0)
    bank, query = rng.normal(size=(30, 5)), rng.normal(size=(7, 5))
    labels = (rng.random((30, 4)) < 0.3).astype(np.float32)
    knn = KNNTransfer(bank, sp.csr_matrix(labels), k=4, temperature=0.2)
    np.testing.assert_allclose(
        knn.scores(query, chunk=3), _brute(bank, labels, query, 4, 0.2), rtol=1e-5
    )
    np.testing.assert_allclose(
        knn.scores(bank, exclude_self=True), _brute(bank, labels, bank, 4, 0.2, True), rtol=1e-5
    )
    knn.weight = 0.25
    probs = rng.random((7, 4))
    np.testing.assert_allclose(
        knn.mix(probs, query), 0.75 * probs + 0.25 * knn.scores(query), rtol=1e-6
    )


def test_knn_copies_the_nearest_labels():
    bank = np.array([[1.0, 0.0], [0.0, 1.0]])
    labels = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 0]], dtype=np.float32))
    knn = KNNTransfer(bank, labels, k=1)
    np.testing.assert_allclose(
        knn.scores(np.array([[0.9, 0.1], [0.1, 2.0]])), [[1, 0, 1], [0, 1, 0]]
    )


def test_decision_rule_roundtrip_and_order_of_operations(tmp_path):
    rng = np.random.default_rng(1)
    codes = ["a", "b", "c"]
    knn = KNNTransfer(
        rng.normal(size=(5, 2)), sp.csr_matrix(np.eye(5, 3, dtype=np.float32)), 2, 0.1, 0.5
    )
    thr = ClassThresholds(codes, np.array([0.2, 0.4, 0.6]), 0.3, 1, 2)
    rule = DecisionRule(codes, thr, np.array([0.5, -0.5, 0.0]), knn, {"x": 1})
    rule.save(tmp_path)
    back = DecisionRule.load(tmp_path)
    assert back.knn.space == "features"
    knn_both = KNNTransfer(
        rng.normal(size=(5, 4)), sp.csr_matrix(np.eye(5, 3, dtype=np.float32)), space="both"
    )
    DecisionRule(codes, thr, None, knn_both).save(tmp_path / "b")
    assert DecisionRule.load(tmp_path / "b").knn.space == "both"
    probs, feats = rng.random((4, 3)), rng.normal(size=(4, 2))
    expected = 0.5 * shift_probs(probs, [0.5, -0.5, 0.0]) + 0.5 * knn.scores(feats)
    np.testing.assert_allclose(back.scores(probs, feats), expected, rtol=1e-6)
    np.testing.assert_array_equal(back.decide(expected), rule.decide(expected))
    assert back.thresholds.max_labels == 2 and back.stats == {"x": 1}
    with pytest.raises(ValueError, match="features"):
        back.scores(probs)
    with pytest.raises(InputError, match="vision adapt"):
        DecisionRule.load(tmp_path / "nothing")


def test_pixel_and_both_spaces():
    import torch

    from vision.adapt.knn_transfer import knn_vectors, pixel_vectors

    x = torch.zeros(2, 3, 32, 32)
    x[0, 0] = 1.0  # red image
    x[1, :, :16] = 1.0  # top half white
    pix = pixel_vectors(x)
    assert pix.shape == (2, 3 * 16 * 16)
    np.testing.assert_allclose(pix.mean(1), 0, atol=1e-6)  # mean-centred
    # 2x2 average pooling of a constant block keeps it: the red image's red channel is 1 - 1/3
    np.testing.assert_allclose(pix[0, :256], 2 / 3, rtol=1e-6)
    feats = np.array([[3.0, 4.0], [0.0, 2.0]])
    both = knn_vectors(feats, pix, "both")
    np.testing.assert_allclose(both[:, :2], [[0.6, 0.8], [0.0, 1.0]])
    np.testing.assert_allclose(np.linalg.norm(both[:, 2:], axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="needs the pixels"):
        knn_vectors(feats, None, "pixels")
    with pytest.raises(ValueError, match="unknown kNN space"):
        knn_vectors(feats, pix, "sound")


def test_decision_rule_steps_run_in_catalogue_order():
    from vision.adapt.prior_shift import PriorShift
    from vision.adapt.score_step import SCORE_STEPS

    assert SCORE_STEPS.names() == ["prior-shift", "knn", "plausibility"]
    codes = ["a", "b", "c"]
    knn = KNNTransfer(np.eye(3), sp.csr_matrix(np.eye(3, dtype=np.float32)), k=1, weight=0.5)
    thr = ClassThresholds.constant(codes, 0.5)
    rule = DecisionRule(codes, thr, steps=[knn, PriorShift(np.array([1.0, 0.0, -1.0]))])
    assert [type(s).__name__ for s in rule.steps] == ["PriorShift", "KNNTransfer"]
    assert rule.knn is knn and rule.logit_offset.tolist() == [1.0, 0.0, -1.0]
    probs = np.full((1, 3), 0.5)
    expected = 0.5 * shift_probs(probs, [1.0, 0.0, -1.0]) + 0.5 * np.eye(3)[:1]
    np.testing.assert_allclose(rule.scores(probs, np.eye(3)[:1]), expected)
    plain = rule.without("knn")
    assert plain.knn is None and rule.knn is knn and plain.logit_offset is not None
