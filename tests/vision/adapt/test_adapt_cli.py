"""`vision adapt` and `vision predict` end to end on tiny generated images.

A stand-in for ``vision.checkpoint.load_run`` with the same contract (a tiny colour model) keeps these
tests independent of training; test_adapt_real_models.py runs the real ``load_run``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from _colour_model import ColourModel
from PIL import Image

from vision.cli import main as vision_main
from vision.inference.submission import read_submission
from vision.metrics import mean_f2

CODES = ["/m/red", "/m/green", "/m/blue", "/m/dark"]
COLOURS = {0: (230, 30, 30), 1: (30, 230, 30), 2: (30, 30, 230), 3: (20, 20, 20)}


def _fake_load_run(run_dir, which="best"):
    torch.manual_seed(0)
    model = ColourModel(4)
    meta = json.loads((run_dir / "fake_run.json").read_text())
    return model, {"codes": meta["codes"], "config": {"image_size": 16}, "epoch": 1}


@pytest.fixture()
def fake_checkpoint(monkeypatch):
    # patch the one function, not the module: replacing ``vision.checkpoint`` in sys.modules
    # broke every later ``from vision.checkpoint import ...`` (vision.train's), so this file
    # failed when run alone
    import vision.checkpoint

    monkeypatch.setattr(vision.checkpoint, "load_run", _fake_load_run)


def _write_images(folder, n, rng, offset=0):
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    for i in range(n):
        j = int(rng.integers(4))
        image_id = f"img{offset + i:04d}"
        noise = rng.integers(-20, 20, (16, 16, 3))
        arr = np.clip(np.array(COLOURS[j])[None, None] + noise, 0, 255).astype(np.uint8)
        Image.fromarray(arr).save(folder / f"{image_id}.png")
        labels[image_id] = [CODES[j]]
    return labels


@pytest.fixture()
def world(tmp_path, fake_checkpoint):
    rng = np.random.default_rng(0)
    run = tmp_path / "run"
    run.mkdir()
    (run / "fake_run.json").write_text(json.dumps({"codes": CODES}))
    (run / "config.yaml").write_text("image-size: 16\n")
    tune = _write_images(tmp_path / "tune", 40, rng)
    test = _write_images(tmp_path / "test", 30, rng, offset=100)
    with open(tmp_path / "tuning_labels.csv", "w") as fh:
        for k, v in tune.items():
            fh.write(f"{k},{' '.join(v)}\n")
        fh.write("img0000x,/m/unknown\n")  # unknown label on a missing image
    (tmp_path / "test" / "img0999.png").write_bytes(b"not a png")  # corrupt test image
    sample = ["img0999", *sorted(test, reverse=True), "img0998"]  # + a missing image
    (tmp_path / "sample.csv").write_text("image_id,labels\n" + "".join(f"{i},\n" for i in sample))
    return tmp_path, run, test, sample


def _adapt(tmp, run, mode, out, *extra):
    return vision_main(
        [
            "adapt", "--run", str(run), "--tuning-labels", str(tmp / "tuning_labels.csv"),
            "--images", str(tmp / "tune"), "--mode", mode, "--out", str(out), "--quiet",
            "--epochs", "10", "--lr", "0.1", "--augment-views", "2", "--inner-folds", "2", *extra,
        ]
    )  # fmt: skip


def test_adapt_then_predict(world, capsys):
    tmp, run, test, sample = world
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    out = tmp / "adapted"
    assert _adapt(tmp, run, "last-layer,thresholds", out, "--folds", "2") == 0
    assert "2-fold CV on the tuning set" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before  # original untouched
    manifest = json.loads((out / "adaptation.json").read_text())
    assert manifest["unknown_tuning_labels"] == {"/m/unknown": 1}
    assert manifest["modes"] == ["last-layer", "thresholds"]
    assert (out / "adapted_model.pt").is_file() and (out / "decision.json").is_file()
    assert (out / "config.yaml").is_file() and (out / "train_config.yaml").is_file()

    sub = tmp / "sub.csv"
    args = ["predict", "--run", str(out), "--images", str(tmp / "test"), "--out", str(sub)]
    args += ["--sample-submission", str(tmp / "sample.csv"), "--tta", "flip", "--quiet"]
    assert vision_main(args) == 0
    got = read_submission(sub)
    assert list(got) == sample  # sample order, every id present
    assert all(got[i] for i in sample)  # nothing empty: fallback for corrupt and missing
    assert mean_f2(test, got) > 0.9
    # plain run (no adaptation) scores worse on the same images
    plain = tmp / "plain.csv"
    args2 = ["predict", "--run", str(run), "--images", str(tmp / "test"), "--out", str(plain)]
    assert vision_main([*args2, "--quiet"]) == 0
    assert mean_f2(test, read_submission(plain)) < mean_f2(test, got)


def test_strict_unknown_labels_and_bad_mode(world, capsys):
    tmp, run, _, _ = world
    assert _adapt(tmp, run, "thresholds", tmp / "x", "--strict") == 2
    assert "unknown to the model" in capsys.readouterr().err
    assert _adapt(tmp, run, "thresholds,wings", tmp / "y") == 2
    assert "unknown adaptation mode" in capsys.readouterr().err


def test_ensemble_and_vocabulary_mismatch(world, capsys):
    tmp, run, test, _ = world
    out1, out2 = tmp / "a1", tmp / "a2"
    assert _adapt(tmp, run, "thresholds", out1, "--unseen-threshold", "auto") == 0
    assert _adapt(tmp, run, "last-layer,thresholds", out2, "--seed", "1") == 0
    sub = tmp / "ens.csv"
    base = [
        "predict",
        "--run",
        str(out1),
        "--images",
        str(tmp / "test"),
        "--out",
        str(sub),
        "--quiet",
    ]
    assert vision_main([*base, "--ensemble", str(out2), "--vote", "majority"]) == 0
    assert set(test) <= set(read_submission(sub))
    other = tmp / "other"
    other.mkdir()
    (other / "fake_run.json").write_text(json.dumps({"codes": CODES[::-1]}))
    capsys.readouterr()
    assert vision_main([*base, "--ensemble", str(other)]) == 2
    assert "different label vocabulary" in capsys.readouterr().err


def test_unseen_threshold_flag_is_validated(world, capsys):
    tmp, run, _, _ = world
    assert _adapt(tmp, run, "thresholds", tmp / "z", "--unseen-threshold", "high") == 2
    assert "'global' or 'auto'" in capsys.readouterr().err


# --------------------------------------------------------------------- issue 16: honest exits
def _predict(run, images, out, *extra):
    args = ["predict", "--run", str(run), "--images", str(images), "--out", str(out), *extra]
    return vision_main([*args, "--quiet"])


def test_predict_empty_folder_is_an_error(world, capsys):
    tmp, run, _, _ = world
    empty = tmp / "empty"
    empty.mkdir()
    assert _predict(run, empty, tmp / "e.csv") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nothing to predict" in err and "no image files" in err
    assert not (tmp / "e.csv").exists()


def test_predict_folder_matching_too_little_of_the_sample(world, capsys):
    tmp, run, test, _ = world
    few = tmp / "few"
    few.mkdir()
    for image_id in sorted(test)[:3]:  # 3 of the 32 sample rows
        (few / f"{image_id}.png").write_bytes((tmp / "test" / f"{image_id}.png").read_bytes())
    sample = ["--sample-submission", str(tmp / "sample.csv")]
    assert _predict(run, few, tmp / "f.csv", *sample) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if "error" in line] == err[-1:]  # one line, after a warning
    assert "only 3 of the 32 images (9.4%)" in err[-1] and "--min-match 0" in err[-1]
    assert not (tmp / "f.csv").exists()
    # accepted on request: one summary warning (count, reasons, examples), not one per image
    assert _predict(run, few, tmp / "f.csv", *sample, "--min-match", "0") == 0
    ours = [x for x in capsys.readouterr().err.splitlines() if "predict_submission" in x]
    assert len(ours) == 1
    assert "29 of 32 images could not be predicted" in ours[0] and "missing file: 29" in ours[0]
    assert len(read_submission(tmp / "f.csv")) == 32
    with pytest.raises(SystemExit):  # argparse's own error
        vision_main(["predict", "--run", str(run), "--images", str(few), "--out", "x.csv",
                     "--min-match", "2"])  # fmt: skip
    assert "--min-match takes a share in [0, 1]" in capsys.readouterr().err


def test_predict_save_probs(world, capsys):
    tmp, run, test, sample = world
    sub = tmp / "p.csv"
    extra = ["--sample-submission", str(tmp / "sample.csv")]
    assert _predict(run, tmp / "test", sub, *extra, "--save-probs", str(tmp / "p.npz")) == 0
    saved = np.load(tmp / "p.npz")
    assert saved["probs"].dtype == np.float32
    assert list(saved["codes"]) == CODES
    assert set(saved["ids"]) == set(test)  # the readable images (no corrupt, no missing)
    assert saved["probs"].shape == (len(test), len(CODES))
    assert ((saved["probs"] >= 0) & (saved["probs"] <= 1)).all()
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    assert _predict(run, tmp / "test", sub, "--save-probs", str(tmp / "p.parquet")) == 0
    table = pq.read_table(tmp / "p.parquet")
    assert table.column_names == ["image_id", *CODES]
    order = {k: i for i, k in enumerate(saved["ids"])}
    probs = np.stack([table.column(c).to_numpy() for c in CODES], 1)
    rows = [order[i] for i in table.column("image_id").to_pylist()]
    np.testing.assert_allclose(probs, saved["probs"][rows], rtol=1e-6)
    capsys.readouterr()
    assert _predict(run, tmp / "test", sub, "--save-probs", str(tmp / "p.txt")) == 2
    assert "unknown format '.txt'" in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a CUDA GPU")
def test_device_errors_are_one_line_and_the_same_everywhere(world, tmp_path, capsys):
    tmp, run, _, _ = world
    errors = []
    for argv in (
        ["predict", "--run", str(run), "--images", str(tmp / "test"), "--out", str(tmp / "d.csv")],
        ["adapt", "--run", str(run), "--tuning-labels", str(tmp / "tuning_labels.csv"),
         "--images", str(tmp / "tune"), "--mode", "thresholds", "--out", str(tmp / "d")],
    ):  # fmt: skip
        assert vision_main([*argv, "--device", "cuda", "--quiet"]) == 2, argv[0]
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0, err
        errors.append(err)
    from corpora.errors import InputError
    from vision.resolve_device import resolve_device

    with pytest.raises(InputError) as resolver:
        resolve_device("cuda")
    assert set(errors) == {f"vision: error: {resolver.value}"}  # `vision train`: test_cli_contract
    assert errors[0].startswith("vision: error: --device cuda: no CUDA GPU is visible")
    assert "--device cpu" in errors[0]
    with pytest.raises(SystemExit):  # argparse's own error
        vision_main(["predict", "--run", str(run), "--images", str(tmp / "test"), "--out",
                     str(tmp / "d.csv"), "--device", "gpu"])  # fmt: skip
    assert "unknown --device 'gpu'" in capsys.readouterr().err
    # auto: cuda when there is one, else cpu
    assert _predict(run, tmp / "test", tmp / "auto.csv", "--device", "auto") == 0
    assert _adapt(tmp, run, "thresholds", tmp / "auto", "--device", "auto") == 0
    assert json.loads((tmp / "auto" / "adaptation.json").read_text())["device"] == "cpu"


def test_adapt_shows_progress_unless_quiet(world, capsys):
    tmp, run, _, _ = world
    argv = [
        "adapt", "--run", str(run), "--tuning-labels", str(tmp / "tuning_labels.csv"),
        "--images", str(tmp / "tune"), "--mode", "last-layer,thresholds", "--epochs", "2",
        "--augment-views", "2", "--inner-folds", "2", "--folds", "2",
    ]  # fmt: skip
    assert vision_main([*argv, "--out", str(tmp / "p1")]) == 0
    err = capsys.readouterr().err
    assert "cross-validation" in err and "CV fold 2/2: adapt" in err
    assert "adapt on every tuning image" in err
    assert vision_main([*argv, "--out", str(tmp / "p2"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "cross-validation" not in err and "adapt on every" not in err  # warnings only
