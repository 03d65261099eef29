from __future__ import annotations

import math

import numpy as np
import pytest

from labelgraph.annotations import count_annotations, mlgcn_adjacency, read_image_labels
from labelgraph.association import (
    conditional_matrix,
    npmi_matrix,
    pair_statistics,
    ppmi_matrix,
)
from labelgraph.cooccurrence import CooccurrenceCounter
from labelgraph.label_vocabulary import LabelVocabulary


def _counts():
    # 10 sentences: label 0 in 4, label 1 in 5, label 2 in 2; pairs (0,1) x3, (1,2) x1
    c = CooccurrenceCounter(3, contexts=("sentence",))
    sents = [[0, 1], [0, 1], [0, 1], [0], [1], [1, 2], [2], [], [], []]
    for s in sents:
        c.add_sentence([(i, lab) for i, lab in enumerate(s)])
    return c.result()


def test_plain_pmi_by_hand():
    r = _counts()
    m = ppmi_matrix(r, "sentence", alpha=1.0, shrinkage=0.0)
    assert m[0, 1] == pytest.approx(math.log(3 * 10 / (4 * 5)), rel=1e-6)
    assert m[1, 0] == m[0, 1]
    # PMI(1, 2) = log(1 * 10 / (5 * 2)) = 0 -> dropped by PPMI
    assert m[1, 2] == 0
    assert m[0, 2] == 0


def test_smoothed_shrunk_ppmi_by_hand():
    r = _counts()
    n = np.array([4.0, 5.0, 2.0])
    total = 10.0
    na = n**0.75
    pa = na / na.sum() * (n.sum() / total)
    p = n / total
    pmi01 = math.log(3 / total) - 0.5 * (
        math.log(p[0]) + math.log(pa[0]) + math.log(p[1]) + math.log(pa[1])
    )
    m = ppmi_matrix(r, "sentence", alpha=0.75, shrinkage=1.0)
    assert m[0, 1] == pytest.approx(max(pmi01, 0) * 3 / 4, rel=1e-5)
    # lower-bound count 3 - 1 * sqrt(3) replaces the observed 3
    m3 = ppmi_matrix(r, "sentence", alpha=1.0, shrinkage=0.0, confidence=1.0)
    assert m3[0, 1] == pytest.approx(
        max(0.0, math.log((3 - math.sqrt(3)) * 10 / (4 * 5))), abs=1e-6
    )
    assert m3[0, 1] < ppmi_matrix(r, "sentence", alpha=1.0, shrinkage=0.0)[0, 1]
    m2 = ppmi_matrix(r, "sentence", alpha=0.75, min_count=4)
    assert m2.nnz == 0


def test_npmi_and_conditional_by_hand():
    r = _counts()
    npmi = npmi_matrix(r, "sentence")
    pmi = math.log(3 * 10 / (4 * 5))
    assert npmi[0, 1] == pytest.approx(pmi / -math.log(3 / 10), rel=1e-5)
    cond = conditional_matrix(r, "sentence")
    assert cond[0, 1] == pytest.approx(3 / 4)
    assert cond[1, 0] == pytest.approx(3 / 5)
    assert cond[2, 1] == pytest.approx(1 / 2)
    st = pair_statistics(r, "sentence", 0, 1)
    assert st["count_ab"] == 3 and st["count_a"] == 4 and st["total"] == 10
    assert st["pmi"] == pytest.approx(pmi)
    assert pair_statistics(r, "sentence", 0, 2)["pmi"] is None


def test_window_pmi_uses_pair_marginals():
    c = CooccurrenceCounter(3, contexts=("window",), window=5)
    c.add_sentence([(0, 0), (1, 1)])
    c.add_sentence([(0, 0), (1, 1)])
    c.add_sentence([(0, 1), (1, 2)])
    r = c.result()
    # symmetric pair matrix: (0,1)=2, (1,2)=1 -> marginals [2, 3, 1], total 6
    m = ppmi_matrix(r, "window", alpha=1.0, shrinkage=0.0)
    assert m[0, 1] == pytest.approx(math.log(2 * 6 / (2 * 3)), rel=1e-6)


def _vocab():
    return LabelVocabulary(["/m/a", "/m/b", "/m/c"], ["A", "B", "C"])


def test_annotation_readers_all_formats(tmp_path):
    human = tmp_path / "human.csv"
    human.write_text(
        "ImageID,Source,LabelName,Confidence\n"
        "i1,verification,/m/a,1\ni1,verification,/m/b,1\ni1,verification,/m/c,0\n"
        "i2,verification,/m/b,1\n"
    )
    assert read_image_labels(human) == {"i1": ["/m/a", "/m/b"], "i2": ["/m/b"]}
    tuning = tmp_path / "tuning.csv"
    tuning.write_text('i3,/m/a /m/c\ni4,"/m/c /m/zz"\n')
    assert read_image_labels(tuning) == {"i3": ["/m/a", "/m/c"], "i4": ["/m/c", "/m/zz"]}
    sol = tmp_path / "solution.csv"
    sol.write_text("image_id,labels\ni5,/m/b /m/c\n")
    assert read_image_labels(sol) == {"i5": ["/m/b", "/m/c"]}
    counts, report = count_annotations([human, tuning, sol], _vocab())
    assert report.images == 5
    assert report.unknown_codes == {"/m/zz": 1}
    assert counts.total("image") == 5
    assert counts.unigram("image").tolist() == [2, 3, 3]
    assert counts.count("image", 0, 1) == 1 and counts.count("image", 1, 2) == 1
    assert counts.count("image", 0, 2) == 1


def test_mlgcn_adjacency_by_hand():
    c = CooccurrenceCounter(3, contexts=("image",))
    for s in [[0, 1], [0, 1], [0], [0, 2], [1]]:
        c.add_label_set(s)
    r = c.result()
    # P(b|a): n = [4, 3, 1]; P(1|0)=2/4, P(2|0)=1/4, P(0|1)=2/3, P(0|2)=1
    a = mlgcn_adjacency(r, tau=0.4, p=0.2).toarray()
    expect = np.array([[0.8, 0.2, 0.0], [0.2, 0.8, 0.0], [0.2, 0.0, 0.8]])
    np.testing.assert_allclose(a, expect, rtol=1e-6)
    a2 = mlgcn_adjacency(r, tau=0.9, p=0.3).toarray()
    np.testing.assert_allclose(a2, [[1, 0, 0], [0, 1, 0], [0.3, 0, 0.7]], rtol=1e-6)


def test_joint_lift_and_log_joint_by_hand():
    """n = (4, 5, 2), N = 10, pairs (0,1) x3, (1,2) x1; kappa 0.1, add 0.5."""
    from labelgraph.association import joint_lift_matrix, log_joint_scores

    r = _counts()
    e01 = 4.5 * 5.5 / 10
    e02 = 4.5 * 2.5 / 10
    m = joint_lift_matrix(r, "sentence", kappa=0.1)
    assert m[0, 1] == pytest.approx(math.log(1 + 3 / (0.1 * e01)), rel=1e-6)
    assert m[1, 0] == m[0, 1] and m[0, 2] == 0  # unseen pair: no edge
    assert joint_lift_matrix(r, "sentence", min_count=2)[1, 2] == 0
    s = log_joint_scores(r, "sentence", np.array([0, 0]), np.array([1, 2]), kappa=0.1)
    assert s[0] == pytest.approx(math.log((3 + 0.1 * e01) / (1.1 * 10)))
    assert s[1] == pytest.approx(math.log(0.1 * e02 / (1.1 * 10)))  # unseen: independence part
    # = log p_a + log p_b + log(kappa / (1 + kappa)) + lift
    lp = np.log(np.array([4.5, 5.5, 2.5]) / 10)
    assert s[0] == pytest.approx(lp[0] + lp[1] + math.log(0.1 / 1.1) + m[0, 1], rel=1e-6)
    with pytest.raises(ValueError, match="kappa must be > 0"):
        joint_lift_matrix(r, "sentence", kappa=0)
