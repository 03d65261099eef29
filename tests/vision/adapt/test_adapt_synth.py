"""Every adaptation mode through the CLI on `vision synth` data and a 1-epoch `vision train` run."""

from __future__ import annotations

import json

import pytest
import torch

from vision.checkpoint import load_checkpoint
from vision.cli import main as vision_main
from vision.inference.submission import read_submission


@pytest.fixture(scope="module")
def synth_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    data, run = root / "data", root / "run"
    assert vision_main(["synth", "--out", str(data), "--images", "48", "--test-images", "24",
                        "--tuning-images", "12", "--labels", "8", "--image-size", "24",
                        "--quiet"]) == 0  # fmt: skip
    assert vision_main(["train", "--data", str(data), "--graph", "identity", "--out", str(run),
                        "--backbone", "test_cnn", "--head", "gcn", "--image-size", "24",
                        "--epochs", "1", "--batch-size", "16", "--quiet"]) == 0  # fmt: skip
    return data, run


@pytest.mark.parametrize(
    "mode", ["thresholds", "bias", "knn,thresholds", "last-layer", "head,thresholds", "full,bias"]
)
def test_each_mode_on_synthetic_data(synth_run, tmp_path, mode):
    data, run = synth_run
    out = tmp_path / "adapted"
    args = ["adapt", "--run", str(run), "--tuning-labels", str(data / "tuning_labels.csv"),
            "--images", str(data / "test"), "--mode", mode, "--out", str(out), "--epochs", "1",
            "--augment-views", "2", "--inner-folds", "2", "--train-data", str(data), "--quiet"]  # fmt: skip
    assert vision_main(args) == 0
    manifest = json.loads((out / "adaptation.json").read_text())
    assert manifest["modes"] == mode.split(",")
    base = load_checkpoint(run / "best.pt")["model"]
    if "last-layer" in mode or "head" in mode:
        adapted = torch.load(out / "adapted_model.pt", weights_only=True)
        for name, value in base.items():
            if name.startswith("backbone."):
                assert torch.equal(value, adapted[name]), f"{mode}: backbone {name} changed"
    else:
        assert (out / "adapted_model.pt").is_file() == ("full" in mode)
    sub = tmp_path / "sub.csv"
    pred = ["predict", "--run", str(out), "--images", str(data / "test"), "--out", str(sub),
            "--sample-submission", str(data / "sample_submission.csv"), "--quiet"]  # fmt: skip
    assert vision_main(pred) == 0
    sample = read_submission(data / "sample_submission.csv")
    got = read_submission(sub)
    assert list(got) == list(sample) and all(got.values())
    report = tmp_path / "eval.json"
    ev = ["evaluate", "--solution", str(data / "test_solutions.csv"), "--submission", str(sub),
          "--json", str(report)]  # fmt: skip
    assert vision_main(ev) == 0
    assert 0.0 <= json.loads(report.read_text())["mean_f2"] <= 1.0


def test_knn_space_in_the_mode_list(synth_run, tmp_path, capsys):
    data, run = synth_run
    out = tmp_path / "adapted"
    base = ["adapt", "--run", str(run), "--tuning-labels", str(data / "tuning_labels.csv"),
            "--images", str(data / "test"), "--inner-folds", "2", "--train-data", str(data),
            "--quiet"]  # fmt: skip
    assert vision_main([*base, "--mode", "knn@both,thresholds", "--out", str(out)]) == 0
    manifest = json.loads((out / "adaptation.json").read_text())
    assert manifest["modes"] == ["knn", "thresholds"]
    assert manifest["config"]["knn_space"] == "both"
    assert json.loads((out / "decision.json").read_text())["knn"]["space"] == "both"
    capsys.readouterr()
    bad = [("knn@both", "--knn-space", "pixels"), ("thresholds@x",), ("knn@sound",)]
    for mode, *extra in bad:
        assert vision_main([*base, "--mode", mode, *extra, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "knn@both conflicts with knn-space pixels" in err
    assert "'thresholds' takes no @ option" in err
    assert "unknown kNN space 'sound'" in err
