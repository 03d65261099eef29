"""Label-prior shift: hand computations and EM recovery of a known prior."""

from __future__ import annotations

import numpy as np
import pytest

from vision.adapt.prior_shift import em_priors, log_prior_ratio, shift_probs, tuning_priors


def test_bias_shift_matches_hand_computation():
    # source prior 0.1, target 0.3: offset = log(0.3/0.7) - log(0.1/0.9) = log(27/7)
    offset = log_prior_ratio(np.array([0.1, 0.5]), np.array([0.3, 0.5]))
    assert offset[0] == pytest.approx(np.log(27 / 7))
    assert offset[1] == pytest.approx(0.0)
    shifted = shift_probs(np.array([[0.5, 0.2]]), offset)
    assert shifted[0, 0] == pytest.approx(27 / 34)  # sigmoid(log(27/7)) = 27 / (27 + 7)
    assert shifted[0, 1] == pytest.approx(0.2)


def test_tuning_priors_shrink_toward_source():
    targets = np.array([[1, 0], [1, 0], [0, 0], [0, 0]])
    q = tuning_priors(targets, np.array([0.1, 0.2]), strength=4.0)
    np.testing.assert_allclose(q, [(2 + 0.4) / 8, (0 + 0.8) / 8])
    np.testing.assert_allclose(tuning_priors(targets, [0.1, 0.2], strength=0.0), [0.5, 0.0])


def test_em_recovers_a_shifted_prior():
    rng = np.random.default_rng(0)
    n, q_true, s = 4000, np.array([0.4, 0.05]), np.array([0.1, 0.3])
    y = rng.random((n, 2)) < q_true
    # a calibrated target-domain posterior from a noisy score, then moved to the source prior
    z = np.where(y, 1.5, -1.5) + rng.normal(0, 1.0, (n, 2))
    lik = np.exp(-((z - 1.5) ** 2) / 2) / np.exp(-((z + 1.5) ** 2) / 2)
    post_target = q_true * lik / (q_true * lik + (1 - q_true))
    post_source = shift_probs(post_target, log_prior_ratio(q_true, s))
    q, adjusted = em_priors(post_source, s)
    np.testing.assert_allclose(q, q_true, atol=0.03)
    np.testing.assert_allclose(adjusted.mean(0), q, atol=1e-4)


def test_em_with_labeled_images_counts_their_labels():
    probs = np.zeros((0, 1))
    q, _ = em_priors(probs, np.array([0.5]), labeled_targets=np.array([[1], [0], [0], [0]]))
    assert q[0] == pytest.approx(0.25)
