"""Submission format, order, fallback, reading errors and `vision evaluate`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corpora.errors import InputError
from vision.cli import main as vision_main
from vision.inference.submission import (
    labels_from_decisions,
    read_submission,
    write_submission,
)


def test_write_in_sample_order_with_fallback(tmp_path):
    out = tmp_path / "sub.csv"
    write_submission(
        out, {"b": ["x", "y"], "a": [], "zz": ["q"]}, order=["a", "b", "c"], fallback=["f"]
    )
    lines = out.read_text().splitlines()
    assert lines == ["image_id,labels", "a,", "b,x y", "c,f"]  # zz (not in order) dropped
    assert read_submission(out) == {"a": [], "b": ["x", "y"], "c": ["f"]}
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temp file
    with pytest.raises(InputError, match="no prediction"):
        write_submission(tmp_path / "x.csv", {"a": []}, order=["a", "b"])


def test_labels_from_decisions_orders_and_falls_back():
    probs = np.array([[0.9, 0.1, 0.6], [0.1, 0.3, 0.2]])
    decisions = probs >= 0.5
    labels, n_fallback = labels_from_decisions(["i", "j"], decisions, ["a", "b", "c"], probs, 1)
    assert labels == {"i": ["a", "c"], "j": ["b"]}
    assert n_fallback == 1
    labels, n_fallback = labels_from_decisions(["i", "j"], decisions, ["a", "b", "c"], probs, 0)
    assert labels["j"] == [] and n_fallback == 0


def test_read_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,labels\na,x\n")
    with pytest.raises(InputError, match="line 1"):
        read_submission(bad)
    bad.write_text("image_id,labels\na,x\na,y\n")
    with pytest.raises(InputError, match="line 3.*twice"):
        read_submission(bad)
    bad.write_text("image_id,labels\na,x,y\n")
    with pytest.raises(InputError, match="line 2.*spaces"):
        read_submission(bad)


def test_evaluate_cli(tmp_path, capsys):
    sol = tmp_path / "sol.csv"
    sub = tmp_path / "sub.csv"
    sol.write_text("image_id,labels\ni1,a b\ni2,c\ni3,d\n")
    sub.write_text("image_id,labels\ni1,a\ni2,c\nextra,z\n")
    out = tmp_path / "r.json"
    rc = vision_main(
        [
            "evaluate",
            "--solution",
            str(sol),
            "--submission",
            str(sub),
            "--per-label",
            "--json",
            str(out),
        ]
    )
    assert rc == 0
    data = json.loads(out.read_text())
    assert data["mean_f2"] == pytest.approx((5 / 9 + 1 + 0) / 3)
    assert data["missing"] == 1 and data["extra"] == 1
    assert {r["label"] for r in data["per_label"]} == {
        "a",
        "b",
        "c",
        "d",
    }  # z only on an ignored image
    assert "mean F2 0.5185" in capsys.readouterr().out
    rc = vision_main(
        ["evaluate", "--solution", str(tmp_path / "nope.csv"), "--submission", str(sub)]
    )
    assert rc == 2
