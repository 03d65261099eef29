"""Real photos end to end: train from scratch on the 439 Open Images vehicle photos, adapt to
the 50 tuning images, predict all 188 test images and score the 138 held out (issue #14,
"Real photos"). Small settings (32 px, a tiny CNN, 3 epochs): it checks the path, not the
accuracy; ``bench/vehicles.py`` gives the figures at a useful size."""

from __future__ import annotations

import csv
import re

import pytest

from vision.cli import main as vision_main


@pytest.mark.realdata
def test_vehicle_photos_train_adapt_predict_evaluate(shared_data, tmp_path, capfd):
    data = shared_data / "openimages-vehicles"
    if not data.is_dir():
        pytest.skip(f"{data} is absent")
    run, adapted, sub = tmp_path / "run", tmp_path / "adapted", tmp_path / "submission.csv"
    steps = [
        ["train", "--data", str(data), "--graph", "identity", "--out", str(run),
         "--backbone", "test_cnn", "--head", "linear", "--image-size", "32", "--epochs", "3",
         "--batch-size", "32", "--cache-dir", str(tmp_path / "cache"), "--workers", "2"],
        ["adapt", "--run", str(run), "--tuning-labels", str(data / "tuning_labels.csv"),
         "--images", str(data / "test"), "--mode", "knn,thresholds", "--out", str(adapted)],
        ["predict", "--run", str(adapted), "--images", str(data / "test"),
         "--sample-submission", str(data / "sample_submission.csv"), "--out", str(sub)],
        ["evaluate", "--solution", str(data / "test_solutions.csv"), "--submission", str(sub)],
    ]  # fmt: skip
    outputs = []
    for argv in steps:
        capfd.readouterr()
        rc = vision_main([*argv, "--quiet"])
        out = capfd.readouterr()
        assert rc == 0, (argv[0], out.err[-3000:])
        assert "Traceback" not in out.err
        outputs.append(out.out)
    with open(sub, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 188 and all(r["labels"] for r in rows)
    assert "188 rows (188 predicted, 0 unreadable" in outputs[2]
    f2 = float(re.search(r"mean F2 ([0-9.]+)", outputs[3]).group(1))
    assert 0.2 < f2 <= 1.0
    # the image cache: one shard at the default shard size, every photo decoded
    (folder,) = (tmp_path / "cache").glob("images-32px-*")
    assert (folder / "manifest.json").is_file() and not (
        tmp_path / "cache" / "bad_images.csv"
    ).exists()
