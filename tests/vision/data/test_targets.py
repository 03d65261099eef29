"""Soft-target policies on hand-made CSVs with hand-computed targets; targets_matrix."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from corpora.errors import InputError
from vision.data import (
    LabelEvidence,
    create_label_policy,
    list_label_policies,
    load_targets,
    targets_matrix,
)

BOX_HEADER = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\n"


@pytest.fixture
def data_dir(tmp_path):
    """img1: four labels (a: human + box, b: human, c: machine 0.6, d: machine 0.2);
    img2: human 0 and machine 0.9 for a; img3: one human label; img4: a label with only a box."""
    (tmp_path / "train_human_labels.csv").write_text(
        "ImageID,Source,LabelName,Confidence\n"
        "img1,verification,/m/a,1\nimg1,verification,/m/b,1\n"
        "img2,verification,/m/a,0\nimg3,verification,/m/c,1\n"
    )
    (tmp_path / "train_machine_labels.csv").write_text(
        "ImageID,Source,LabelName,Confidence\n"
        "img1,machine,/m/c,0.6\nimg1,machine,/m/d,0.2\nimg2,machine,/m/a,0.9\n"
    )
    (tmp_path / "train_bounding_boxes.csv").write_text(
        BOX_HEADER
        + "img1,xclick,/m/a,1,0.0,0.5,0.0,0.5,0,0,0,0,0\n"
        + "img4,xclick,/m/e,1,0.1,0.5,0.0,0.5,0,0,0,0,0\n"
    )
    (tmp_path / "class-descriptions.csv").write_text("/m/a,A\n/m/b,B\n/m/c,C\n/m/d,D\n/m/e,E\n")
    return tmp_path


def as_dict(df):
    return {(i, c): t for i, c, t in df[["ImageID", "LabelName", "Target"]].itertuples(index=False)}


def test_policies_registered():
    assert list_label_policies() == ["human", "precedence", "seed"]
    with pytest.raises(
        InputError, match="unknown label policy 'nope'; choose one of: human, precedence, seed"
    ):
        load_targets(".", "nope")


def test_seed_policy_hand_computed(data_dir):
    df = load_targets(data_dir, "seed")
    assert list(df.columns) == ["ImageID", "LabelName", "Target"]
    # img1 scores: a = 1 + 0.5*0.5 = 1.25, b = 1, c = 0.6, d = 0.2.
    scores = [1.25, 1.0, 0.6, 0.2]
    median = (0.6 + 1.0) / 2
    mean = sum(scores) / 4
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / 4)  # population std
    threshold = median - std  # 0.8 - 0.3990 = 0.4010: d (0.2) is dropped, c (0.6) kept
    assert 0.2 < threshold < 0.6
    got = as_dict(df)
    assert got == pytest.approx(
        {
            ("img1", "/m/a"): 1.0,  # 1.25 clipped to 1
            ("img1", "/m/b"): 1.0,
            ("img1", "/m/c"): 0.6,
            ("img2", "/m/a"): 0.9,  # human 0 adds nothing under seed; one label: kept
            ("img3", "/m/c"): 1.0,  # one label: median - std = the score itself, kept
            ("img4", "/m/e"): 0.4 * 0.5,  # only a box: its area fraction
        }
    )
    assert df["ImageID"].tolist() == sorted(df["ImageID"])


def test_seed_num_std_changes_the_cut(data_dir):
    # With k = 0 the threshold is the median (0.8): c (0.6) is dropped as well.
    got = as_dict(load_targets(data_dir, "seed", num_std=0.0))
    assert ("img1", "/m/c") not in got and ("img1", "/m/b") in got


def test_precedence_policy_hand_computed(data_dir):
    got = as_dict(load_targets(data_dir, "precedence"))
    assert got == pytest.approx(
        {
            ("img1", "/m/a"): 1.0,  # human wins over the box
            ("img1", "/m/b"): 1.0,
            ("img1", "/m/c"): 0.6,  # machine confidences kept as soft targets
            ("img1", "/m/d"): 0.2,
            ("img2", "/m/a"): 0.0,  # human 0 beats machine 0.9: a hard negative
            ("img3", "/m/c"): 1.0,
            ("img4", "/m/e"): 1.0,  # box confidence
        }
    )


def test_human_policy(data_dir):
    got = as_dict(load_targets(data_dir, "human"))
    assert got == {("img1", "/m/a"): 1.0, ("img1", "/m/b"): 1.0, ("img3", "/m/c"): 1.0}


def test_human_only_directory_and_unknown_codes(tmp_path, caplog):
    (tmp_path / "train_human_labels.csv").write_text(
        "ImageID,Source,LabelName,Confidence\nx,v,/m/a,1\nx,v,/m/new,1\n"
    )
    (tmp_path / "class-descriptions.csv").write_text("/m/a,A\n")
    df = load_targets(tmp_path, "seed")
    assert len(df) == 2
    assert "/m/new (1)" in caplog.text
    assert df.attrs["read_reports"]["human"]["unknown_codes"] == {"/m/new": 1}


def test_missing_directory_is_input_error(tmp_path):
    with pytest.raises(InputError, match="data directory .* does not exist"):
        load_targets(tmp_path / "nope")
    with pytest.raises(InputError, match="has no train_human_labels.csv"):
        load_targets(tmp_path)


def test_policies_on_evidence_directly():
    human = pd.DataFrame(
        {
            "ImageID": ["i", "i"],
            "Source": ["v", "v"],
            "LabelName": ["/m/a", "/m/a"],
            "Confidence": [0.0, 1.0],
        }
    )
    # Conflicting human rows: max wins under precedence.
    out = create_label_policy("precedence")(LabelEvidence(human=human))
    assert as_dict(out) == {("i", "/m/a"): 1.0}
    # Two equal scores: std 0, both kept.
    human2 = pd.DataFrame(
        {
            "ImageID": ["i", "i"],
            "Source": ["v", "v"],
            "LabelName": ["/m/a", "/m/b"],
            "Confidence": [1.0, 1.0],
        }
    )
    assert len(create_label_policy("seed")(LabelEvidence(human=human2))) == 2


def test_targets_matrix_with_hard_negatives(data_dir):
    df = load_targets(data_dir, "precedence")
    codes = ["/m/e", "/m/d", "/m/c", "/m/b"]  # /m/a left out on purpose
    ids, targets, mask = targets_matrix(df, codes)
    assert ids == ["img1", "img2", "img3", "img4"]  # every image of df, sorted
    dense = targets.toarray()
    assert targets.dtype == np.float32 and dense.shape == (4, 4)
    # img2's only label (/m/a) is not in codes: an all-zero row.
    np.testing.assert_allclose(
        dense, [[0, 0.2, 0.6, 1], [0, 0, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]], rtol=1e-6
    )
    assert mask is None  # the only hard negative is on /m/a
    ids, targets, mask = targets_matrix(df, ["/m/a", "/m/c"])
    assert ids == ["img1", "img2", "img3", "img4"]
    np.testing.assert_array_equal(mask.toarray(), [[0, 0], [1, 0], [0, 0], [0, 0]])
    np.testing.assert_allclose(targets.toarray(), [[1, 0.6], [0, 0], [0, 1], [0, 0]], rtol=1e-6)
    assert targets.nnz == 3  # no explicit zeros stored


def test_targets_matrix_given_order_and_errors():
    df = pd.DataFrame({"ImageID": ["b", "a"], "LabelName": ["/m/x", "/m/y"], "Target": [1.0, 0.5]})
    ids, t, m = targets_matrix(df, ["/m/y", "/m/x"], image_ids=["z", "b"])
    assert ids == ["z", "b"] and m is None
    np.testing.assert_array_equal(t.toarray(), [[0, 0], [0, 1]])
    with pytest.raises(InputError, match=r"pair \(b, /m/x\) more than once"):
        targets_matrix(pd.concat([df, df.iloc[:1]]), ["/m/x"])
    with pytest.raises(InputError, match="repeats code '/m/x'"):
        targets_matrix(df, ["/m/x", "/m/x"])
    with pytest.raises(InputError, match=r"lacks column\(s\) \['Target'\]"):
        targets_matrix(df.drop(columns=["Target"]), ["/m/x"])


def test_default_policy_and_policy_specifications():
    from vision.data import DEFAULT_LABEL_POLICY, LABEL_POLICIES, create_label_policy

    assert DEFAULT_LABEL_POLICY == "seed" and DEFAULT_LABEL_POLICY in LABEL_POLICIES
    assert create_label_policy("seed:num_std=2").num_std == 2.0
    assert create_label_policy({"name": "seed", "options": {"num_std": 0.5}}).num_std == 0.5
    assert create_label_policy("seed:num_std=2", num_std=3).num_std == 3.0
    with pytest.raises(InputError, match="label policy 'human' has no option 'num_std'"):
        create_label_policy("human", num_std=1)
