"""Per-class F2 thresholds, shrinkage, unseen labels and label-count rules."""

from __future__ import annotations

import numpy as np
import pytest

from corpora.errors import InputError
from vision.adapt.thresholds import (
    ClassThresholds,
    apply_label_count_rules,
    fit_class_thresholds,
    fit_label_count_rules,
)
from vision.metrics import best_global_threshold, mean_f2_arrays


def _miscalibrated(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Label 0 scores positives ~0.8; label 1 only ~0.25 (negatives ~0.05): one global
    threshold cannot serve both, per-class thresholds can."""
    t = (rng.random((n, 3)) < 0.5).astype(np.float32)
    t[t.sum(1) == 0, 2] = 1
    p = np.empty_like(t, dtype=np.float64)
    p[:, 0] = np.where(t[:, 0] > 0, 0.8, 0.3) + rng.normal(0, 0.05, n)
    p[:, 1] = np.where(t[:, 1] > 0, 0.25, 0.05) + rng.normal(0, 0.03, n)
    p[:, 2] = np.where(t[:, 2] > 0, 0.6, 0.2) + rng.normal(0, 0.05, n)
    return np.clip(p, 0, 1), t


def test_per_class_thresholds_improve_held_out_fold_f2():
    rng = np.random.default_rng(0)
    p, t = _miscalibrated(400, rng)
    fit_p, fit_t, test_p, test_t = p[:200], t[:200], p[200:], t[200:]
    codes = ["a", "b", "c"]
    thr_global, _ = best_global_threshold(fit_p, fit_t)
    before = mean_f2_arrays(test_p >= thr_global, test_t)
    fitted = fit_class_thresholds(fit_p, fit_t, codes, shrinkage=1.0)
    after = mean_f2_arrays(fitted.decide(test_p), test_t)
    assert after > before + 0.03
    assert fitted.thresholds[1] < fitted.thresholds[0]


def test_shrinkage_and_unseen_default():
    rng = np.random.default_rng(1)
    p, t = _miscalibrated(60, rng)
    t[:, 2] = 0  # label c never seen in tuning
    t[t.sum(1) == 0, 0] = 1
    no_shrink = fit_class_thresholds(p, t, ["a", "b", "c"], shrinkage=0.0, unseen_threshold=0.9)
    strong = fit_class_thresholds(p, t, ["a", "b", "c"], shrinkage=1e6, unseen_threshold=0.9)
    g = strong.global_threshold
    assert np.allclose(strong.thresholds[:2], g, atol=1e-3)  # shrunk all the way
    n_pos = t.sum(0)
    k = 5.0
    mid = fit_class_thresholds(p, t, ["a", "b", "c"], shrinkage=k, unseen_threshold=0.9)
    expected = (n_pos[:2] * no_shrink.thresholds[:2] + k * g) / (n_pos[:2] + k)
    np.testing.assert_allclose(mid.thresholds[:2], expected)
    assert no_shrink.thresholds[2] == 0.9 and mid.thresholds[2] == 0.9


def test_label_count_rules_by_hand():
    probs = np.array([[0.1, 0.3, 0.2, 0.05], [0.9, 0.8, 0.7, 0.6]])
    hits = probs >= 0.5
    out = apply_label_count_rules(probs, hits, min_labels=2, max_labels=3)
    assert out[0].tolist() == [False, True, True, False]
    assert out[1].tolist() == [True, True, True, False]
    assert apply_label_count_rules(probs, hits, 0, None).tolist() == hits.tolist()


def test_fit_label_count_rules_picks_min_one():
    # every image has exactly one true label, the model's best guess is right but below any
    # useful threshold: min_labels = 1 rescues it
    probs = np.array([[0.02, 0.01], [0.01, 0.03], [0.015, 0.01]])
    targets = np.array([[1, 0], [0, 1], [1, 0]])
    base = ClassThresholds.constant(["a", "b"], 0.5)
    rules = fit_label_count_rules(probs, targets, base)
    assert rules.min_labels == 1
    assert mean_f2_arrays(rules.decide(probs), targets) == pytest.approx(1.0)


def test_save_load_roundtrip(tmp_path):
    thr = ClassThresholds(["x", "y"], np.array([0.1, 0.7]), 0.2, 1, 4, {"note": 1})
    path = thr.save(tmp_path / "thresholds.json")
    back = ClassThresholds.load(path)
    assert back.codes == ["x", "y"] and back.max_labels == 4 and back.min_labels == 1
    np.testing.assert_allclose(back.thresholds, [0.1, 0.7])
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a vision.thresholds"):
        ClassThresholds.load(tmp_path / "bad.json")
