"""`vision train` from the CLI on `vision synth` output and on the real emoji benchmark."""

from __future__ import annotations

import json

import pytest

from vision.checkpoint import load_run
from vision.cli import main as vision_main


def _train(argv, capsys) -> dict:
    rc = vision_main(["train", *argv, "--quiet"])
    out = capsys.readouterr()
    assert rc == 0, out.err[-2000:]
    return json.loads(out.out.strip().splitlines()[-1])


def test_train_on_vision_synth(tmp_path, capsys):
    data = tmp_path / "synth"
    assert (
        vision_main(
            [
                "synth",
                "--out",
                str(data),
                "--images",
                "40",
                "--labels",
                "8",
                "--image-size",
                "32",
                "--quiet",
            ]
        )
        == 0
    )
    capsys.readouterr()
    res = _train(
        [
            "--data",
            str(data),
            "--graph",
            "identity",
            "--out",
            str(tmp_path / "run"),
            "--backbone",
            "test_cnn",
            "--head",
            "rerank",
            "--image-size",
            "32",
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--val-fraction",
            "0.2",
        ],
        capsys,
    )
    assert res["epoch"] == 1 and 0 <= res["val_f2"] <= 1
    model, ckpt = load_run(tmp_path / "run")
    assert len(ckpt["labels"]["codes"]) == model.num_labels == 8


@pytest.mark.realdata
def test_train_on_emoji_benchmark(shared_data, tmp_path, capsys):
    data = shared_data / "emoji-google-to-twitter"
    if not data.is_dir():
        pytest.skip(f"{data} is absent")
    res = _train(
        [
            "--data",
            str(data),
            "--graph",
            "identity",
            "--out",
            str(tmp_path / "run"),
            "--backbone",
            "test_cnn",
            "--head",
            "gcn",
            "--gcn-hidden",
            "16",
            "--image-size",
            "32",
            "--epochs",
            "1",
            "--batch-size",
            "32",
            "--max-images",
            "96",
            "--val-fraction",
            "0.02",
        ],
        capsys,
    )
    assert res["epoch"] == 1 and res["step"] == 3
    _, ckpt = load_run(tmp_path / "run")
    assert len(ckpt["labels"]["codes"]) == 429
