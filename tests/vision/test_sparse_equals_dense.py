"""The sparse / chunked ``[N, L]`` code (issue #15) gives *identical* results to the dense
implementations it replaced (``_dense_reference.py``), on random sparse data with ties."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

sys.path.insert(0, str(Path(__file__).parent))

import _dense_reference as ref  # noqa: E402

from vision.adapt import ClassThresholds, DecisionRule  # noqa: E402
from vision.adapt.knn_transfer import KNNTransfer  # noqa: E402
from vision.adapt.prior_shift import PriorShift, em_priors  # noqa: E402
from vision.adapt.thresholds import (  # noqa: E402
    apply_label_count_rules,
    fit_class_thresholds,
    fit_label_count_rules,
    top_k_mask,
)
from vision.inference.ensemble import create_vote  # noqa: E402
from vision.inference.submission import labels_from_decisions  # noqa: E402
from vision.metrics import (  # noqa: E402
    best_global_threshold,
    f2_at_thresholds,
    mean_average_precision,
    mean_f2_arrays,
    per_image_fbeta_arrays,
)
from vision.metrics._arrays import positives_csr  # noqa: E402


def _data(n: int, n_labels: int, seed: int, density: float = 0.01, ties: bool = True):
    """Probabilities ``[n, L]`` float32 (rounded so that many values tie, some exactly on
    grid thresholds) and sparse truth (a few positives per row, some rows empty)."""
    rng = np.random.default_rng(seed)
    p = rng.random((n, n_labels)) ** 3
    if ties:
        p = np.round(p, 2)
    probs = p.astype(np.float32)
    t = sp.random(n, n_labels, density=density, format="csr", random_state=seed, dtype=np.float32)
    t.data[:] = 1.0
    for i in range(0, n, 7):  # make some positives score high
        cols = t.indices[t.indptr[i] : t.indptr[i + 1]]
        probs[i, cols] = np.maximum(probs[i, cols], 0.6)
    return probs, t


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_equal_dense(seed):
    probs, t = _data(300, 120, seed)
    grid = np.array([0.3, 0.05, 0.5, 0.25, 0.25, 0.9])  # unsorted, repeated
    for truth in (t, t.toarray(), torch.as_tensor(t.toarray())):
        assert np.array_equal(f2_at_thresholds(probs, truth), ref.f2_at_thresholds(probs, truth))
        assert np.array_equal(
            f2_at_thresholds(probs.astype(np.float64), truth, grid),
            ref.f2_at_thresholds(probs.astype(np.float64), truth, grid),
        )
        assert best_global_threshold(probs, truth) == ref.best_global_threshold(probs, truth)
        for average in ("macro", "samples"):
            assert mean_average_precision(probs, truth, average) == (
                ref.mean_average_precision(probs, truth, average)
            )
    pred = probs >= 0.3
    for a, b in ((pred, t), (sp.csr_matrix(pred), t.toarray()), (pred.astype(float), t)):
        assert np.array_equal(per_image_fbeta_arrays(a, b), ref.per_image_fbeta_arrays(a, b))
        assert mean_f2_arrays(a, b) == ref.mean_f2_arrays(a, b)


def test_metrics_small_chunks_nan_and_empty():
    from vision.metrics import counts_at_thresholds

    probs, t = _data(50, 30, 3)
    probs[3, :5] = np.nan
    grid = np.linspace(0.05, 0.95, 7)
    tp, n_pred, n_true = counts_at_thresholds(probs, t, grid, chunk_rows=7)
    tp2, n_pred2, _ = counts_at_thresholds(probs, t, grid)
    assert np.array_equal(tp, tp2) and np.array_equal(n_pred, n_pred2)
    for k, thr in enumerate(grid):
        hit = probs >= thr
        assert np.array_equal(n_pred[:, k], hit.sum(1))
        assert np.array_equal(tp[:, k], np.logical_and(hit, t.toarray() > 0.5).sum(1))
    assert np.array_equal(n_true, (t.toarray() > 0.5).sum(1))
    assert np.array_equal(f2_at_thresholds(probs, t, grid), ref.f2_at_thresholds(probs, t, grid))
    empty = np.zeros((0, 4), np.float32)
    assert np.array_equal(f2_at_thresholds(empty, empty, grid), np.zeros(len(grid)))
    assert mean_average_precision(empty, empty) == 0.0


def test_positives_keep_sparse_semantics():
    # duplicates are summed (0.3 + 0.3 > 0.5), explicit zeros and small values dropped
    m = sp.coo_matrix(([0.3, 0.3, 0.0, 0.2, 1.0], ([0, 0, 1, 1, 2], [1, 1, 0, 2, 2])), (3, 3))
    got = positives_csr(m)
    assert got.dtype == bool and got.nnz == 2
    assert np.array_equal(got.toarray(), ref.as_bool(m))


def test_top_k_mask_equals_stable_argsort():
    rng = np.random.default_rng(5)
    x = np.round(rng.random((200, 40)), 1)  # many ties
    x[0] = -np.inf
    x[1, :3] = np.inf
    for k in (0, 1, 3, 7, 40, 45):
        want = np.zeros_like(x, dtype=bool)
        if k:
            np.put_along_axis(
                want, np.argsort(-x, axis=1, kind="stable")[:, : min(k, 40)], True, axis=1
            )
        assert np.array_equal(top_k_mask(x, k), want), k
    x[2, 5:] = np.nan  # fewer than k numbers: the stable sort decides
    want = np.zeros_like(x, dtype=bool)
    np.put_along_axis(want, np.argsort(-x, axis=1, kind="stable")[:, :7], True, axis=1)
    assert np.array_equal(top_k_mask(x, 7), want)


@pytest.mark.parametrize("seed", [0, 1])
def test_thresholds_equal_dense(seed):
    probs, t = _data(240, 60, seed, density=0.03)
    p64 = probs.astype(np.float64)
    codes = [f"c{j}" for j in range(60)]
    thr = np.random.default_rng(seed).choice([0.1, 0.2, 0.3, 0.5], 60)
    for lo, hi in ((0, None), (2, None), (0, 3), (3, 3), (1, 0), (5, 8)):
        hits = p64 >= thr[None, :]
        assert np.array_equal(
            apply_label_count_rules(p64, hits, lo, hi),
            ref.apply_label_count_rules(p64, hits, lo, hi),
        )
        rule = ClassThresholds(codes, thr, 0.3, lo, hi)
        want = ref.decide(thr, probs, lo, hi)
        assert np.array_equal(rule.decide(probs), want)
        assert np.array_equal(rule.decide(probs, chunk_rows=17), want)
        assert np.array_equal(rule.decide_sparse(probs, chunk_rows=50).toarray(), want)
    for truth in (t, t.toarray()):
        fitted = fit_class_thresholds(probs, truth, codes, shrinkage=2.0, unseen_threshold=0.7)
        final, global_thr, stats = ref.fit_class_thresholds(
            probs, truth, shrinkage=2.0, unseen_threshold=0.7
        )
        assert np.array_equal(fitted.thresholds, final)
        assert fitted.global_threshold == global_thr
        for key, value in stats.items():
            assert fitted.stats[key] == value, key
        rules = fit_label_count_rules(probs, truth, fitted)
        assert (rules.stats["tuning_f2_with_count_rules"], rules.min_labels, rules.max_labels) == (
            ref.fit_label_count_rules(probs, truth, fitted.thresholds)
        )


def test_em_priors_equal_dense():
    probs, t = _data(700, 90, 4, ties=False)
    probs = np.clip(probs, 0.001, 0.999)
    rng = np.random.default_rng(4)
    source = rng.random(90) * 0.05 + 0.001
    for chunk in (1024, 64, 1):
        q, adjusted = em_priors(probs, source, labeled_targets=t[:50], chunk_rows=chunk)
        q_ref, adjusted_ref = ref.em_priors(probs, source, labeled_targets=t[:50])
        assert np.array_equal(q, q_ref) and np.array_equal(adjusted, adjusted_ref)
    q2, none = em_priors(probs, source, adjusted=False, max_iter=5)
    assert none is None and np.array_equal(q2, ref.em_priors(probs, source, max_iter=5)[0])


def test_column_sums_follow_the_row_order():
    """What em_priors relies on: numpy sums a C-ordered [N, L] along axis 0 row after row,
    so a running sum carried into each block gives the whole matrix's sums."""
    rng = np.random.default_rng(0)
    a = rng.random((3000, 7178)) * rng.random(7178)
    acc = np.zeros((1, a.shape[1]))
    for start in range(0, len(a), 1024):
        acc = np.concatenate([acc, a[start : start + 1024]]).sum(0, keepdims=True)
    assert np.array_equal(acc[0], a.sum(0))


def test_decision_rule_scores_and_votes_equal_dense():
    probs, t = _data(400, 50, 6)
    probs = np.clip(probs, 0.001, 0.999)
    rng = np.random.default_rng(6)
    codes = [f"c{j}" for j in range(50)]
    feats = rng.standard_normal((400, 8)).astype(np.float32)
    bank = rng.standard_normal((30, 8)).astype(np.float32)
    knn = KNNTransfer(bank, t[:30], k=5, weight=0.3)
    offset = rng.normal(0, 1, 50)
    thr = ClassThresholds(codes, np.full(50, 0.4), 0.4, 1, 4)
    rule = DecisionRule(codes, thr, steps=[PriorShift(offset), knn])
    want = knn.mix(ref.shift_probs(np.asarray(probs, dtype=np.float64), offset), feats)
    got = rule.scores(probs, feats, chunk_rows=33)
    assert got.dtype == np.float64 and np.array_equal(got, want)
    assert np.array_equal(rule.decide_sparse(got).toarray(), ref.decide(thr.thresholds, want, 1, 4))
    plain = DecisionRule(codes, thr)
    assert plain.scores(probs) is probs  # no step: no copy
    assert np.array_equal(plain.decide(probs), ref.decide(thr.thresholds, probs, 1, 4))
    # votes: one float64 accumulator == the stacked mean
    members = [probs, got, probs * 0.5]
    dec = [plain.decide(m) for m in members]
    assert np.array_equal(create_vote("mean")(members, None).scores, ref.vote_mean(members))
    maj = create_vote("majority")(members, dec)
    scores, decided = ref.vote_majority(members, dec)
    assert np.array_equal(maj.scores, scores) and np.array_equal(maj.decisions, decided)
    sparse = create_vote("majority")(members, [sp.csr_matrix(d) for d in dec])
    assert sp.issparse(sparse.decisions) and np.array_equal(sparse.decisions.toarray(), decided)
    assert create_vote("mean")([probs], None).scores is probs
    # labels from sparse decisions: same lists and order
    ids = [f"i{k}" for k in range(400)]
    for scores_ in (probs, got):
        d = plain.decide(scores_)
        d[::5] = False  # empty rows get the fallback
        assert labels_from_decisions(ids, sp.csr_matrix(d), codes, scores_, 2) == (
            ref.labels_from_decisions(ids, d, codes, scores_, 2)
        )
    assert np.array_equal(probs.mean(0, dtype=np.float64), probs.astype(np.float64).mean(0))


def test_tuning_priors_equal_dense():
    from vision.adapt.prior_shift import tuning_priors

    _, t = _data(300, 40, 8, density=0.05)
    source = np.random.default_rng(8).random(40) * 0.1
    want = (ref.as_bool(t).sum(0) + 10.0 * source) / (300 + 10.0)
    for truth in (t, t.toarray()):
        assert np.array_equal(tuning_priors(truth, source), want)
