"""vision.metrics against hand-computed cases and brute-force references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from vision.metrics import (
    average_precision,
    best_global_threshold,
    f2_at_thresholds,
    fbeta_sets,
    mean_average_precision,
    mean_f2,
    mean_f2_arrays,
    mean_precision_recall,
    per_image_fbeta_arrays,
    per_label_stats,
)


def _f2_brute(true: set, pred: set) -> float:
    """F2 through precision and recall: (1 + 4) P R / (4 P + R)."""
    if not true and not pred:
        return 1.0
    tp = len(true & pred)
    if tp == 0:
        return 0.0
    p, r = tp / len(pred), tp / len(true)
    return 5 * p * r / (4 * p + r)


def test_hand_cases():
    # truth {a, b}, prediction {a}: P = 1, R = 1/2 -> 5 * 0.5 / (4 + 0.5) = 5/9
    assert fbeta_sets({"a", "b"}, {"a"}) == pytest.approx(5 / 9)
    # truth {a}, prediction {a, b, c}: P = 1/3, R = 1 -> (5/3) / (4/3 + 1) = 5/7
    assert fbeta_sets({"a"}, {"a", "b", "c"}) == pytest.approx(5 / 7)
    assert fbeta_sets({"a"}, {"b"}) == 0.0
    assert fbeta_sets({"a"}, set()) == 0.0
    assert fbeta_sets(set(), set()) == 1.0  # documented convention
    assert fbeta_sets(set(), {"a"}) == 0.0
    # beta = 1 is the ordinary F1
    assert fbeta_sets({"a", "b"}, {"a"}, beta=1.0) == pytest.approx(2 / 3)


def test_mean_f2_over_solution_images():
    solution = {"i1": ["a", "b"], "i2": ["c"], "i3": ["d"]}
    submission = {"i1": ["a"], "i2": ["c"], "extra": ["x"]}  # i3 missing -> 0, extra ignored
    assert mean_f2(solution, submission) == pytest.approx((5 / 9 + 1 + 0) / 3)
    assert mean_f2({}, submission) == 0.0


def test_set_and_array_versions_agree_with_brute_force():
    rng = np.random.default_rng(1)
    n, n_labels = 40, 6
    t = rng.random((n, n_labels)) < 0.3
    p = rng.random((n, n_labels)) < 0.4
    names = [f"l{j}" for j in range(n_labels)]
    sol = {f"i{k}": [names[j] for j in np.nonzero(t[k])[0]] for k in range(n)}
    sub = {f"i{k}": [names[j] for j in np.nonzero(p[k])[0]] for k in range(n)}
    brute = [_f2_brute(set(sol[f"i{k}"]), set(sub[f"i{k}"])) for k in range(n)]
    np.testing.assert_allclose(per_image_fbeta_arrays(p, t), brute)
    assert mean_f2(sol, sub) == pytest.approx(np.mean(brute))
    assert mean_f2_arrays(sp.csr_matrix(p.astype(np.float32)), t) == pytest.approx(np.mean(brute))


def test_best_global_threshold_matches_brute_force():
    rng = np.random.default_rng(2)
    probs = rng.random((25, 7))
    targets = (rng.random((25, 7)) < 0.3).astype(np.float32)
    grid = np.linspace(0.05, 0.95, 19)
    brute = []
    for thr in grid:
        scores = [
            _f2_brute(set(np.nonzero(targets[k])[0]), set(np.nonzero(probs[k] >= thr)[0]))
            for k in range(len(probs))
        ]
        brute.append(np.mean(scores))
    np.testing.assert_allclose(f2_at_thresholds(probs, targets, grid), brute)
    thr, f2 = best_global_threshold(probs, targets, grid)
    assert f2 == pytest.approx(max(brute))
    assert thr == pytest.approx(grid[int(np.argmax(brute))])


def test_best_global_threshold_finds_the_separating_value():
    probs = np.array([[0.9, 0.2, 0.05], [0.3, 0.8, 0.1]])
    targets = np.array([[1, 1, 0], [1, 1, 0]])
    thr, f2 = best_global_threshold(probs, targets)
    assert f2 == pytest.approx(1.0)
    assert 0.1 < thr <= 0.2


def _ap_brute(scores: np.ndarray, pos: np.ndarray) -> float:
    total, prev_recall = 0.0, 0.0
    for thr in sorted(set(scores.tolist()), reverse=True):
        hit = scores >= thr
        tp = np.sum(hit & pos)
        recall = tp / pos.sum()
        total += (recall - prev_recall) * tp / hit.sum()
        prev_recall = recall
    return total


def test_average_precision_hand_and_brute_force():
    # ranking: pos, neg, pos -> AP = 1/2 * 1 + 1/2 * 2/3
    assert average_precision(np.array([0.9, 0.8, 0.7]), np.array([1, 0, 1])) == pytest.approx(
        0.5 + 1 / 3
    )
    assert np.isnan(average_precision(np.array([0.1, 0.2]), np.array([0, 0])))
    rng = np.random.default_rng(3)
    for _ in range(5):
        s = np.round(rng.random(30), 1)  # many ties
        y = rng.random(30) < 0.4
        if y.any():
            assert average_precision(s, y) == pytest.approx(_ap_brute(s, y))


def test_mean_average_precision_skips_labels_without_positives():
    probs = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.5], [0.7, 0.3, 0.5]])
    targets = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    # label 0: scores 0.9 (pos), 0.7, 0.2 -> AP 1; label 1: 0.8 (pos) -> AP 1; label 2 skipped
    assert mean_average_precision(probs, targets) == pytest.approx(1.0)
    targets2 = np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]])
    assert mean_average_precision(probs, targets2) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="macro"):
        mean_average_precision(probs, targets, average="weird")


def test_precision_recall_and_per_label():
    sol = {"i1": ["a", "b"], "i2": ["a"]}
    sub = {"i1": ["a", "c"]}
    p, r = mean_precision_recall(sol, sub)
    assert p == pytest.approx((0.5 + 0.0) / 2)
    assert r == pytest.approx((0.5 + 0.0) / 2)
    stats = {s.label: s for s in per_label_stats(sol, sub)}
    assert (stats["a"].support, stats["a"].predicted, stats["a"].true_positives) == (2, 1, 1)
    assert stats["a"].precision == 1.0 and stats["a"].recall == 0.5
    assert stats["c"].support == 0 and stats["c"].precision == 0.0
    assert [s.label for s in per_label_stats(sol, sub)][0] == "a"


def test_exhaustive_small_sets():
    universe = ["a", "b", "c"]
    subsets = [set(c) for k in range(4) for c in itertools.combinations(universe, k)]
    for t, p in itertools.product(subsets, subsets):
        assert fbeta_sets(t, p) == pytest.approx(_f2_brute(t, p))
