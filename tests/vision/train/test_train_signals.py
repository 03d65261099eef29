"""Nothing lost: SIGINT/SIGTERM save a resumable checkpoint; a longer resumed run warns about
its learning rate or restarts the cosine (``--extend-schedule``)."""

from __future__ import annotations

import logging
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from corpora.errors import InputError
from vision.checkpoint import load_checkpoint
from vision.cli import main as vision_main
from vision.train import TrainConfig, Trainer, TrainingInterrupted

REPO = Path(__file__).resolve().parents[3]


def _cfg(data, out, **kw) -> TrainConfig:
    base = dict(
        data=str(data),
        out=str(out),
        backbone="test_cnn",
        head="linear",
        image_size=16,
        epochs=2,
        batch_size=4,
        val_fraction=0.25,
        quiet=True,
        lr=3e-3,
        warmup_epochs=0.5,
    )
    base.update(kw)
    return TrainConfig(**base)


def test_signal_mid_epoch_saves_state_and_resume_matches(micro_data, tmp_path, monkeypatch):
    full = Trainer(_cfg(micro_data, tmp_path / "full")).fit()
    trainer = Trainer(_cfg(micro_data, tmp_path / "cut"))
    step = Trainer._train_step

    def signalled(self, *batch):  # SIGTERM arrives during step 6 (mid epoch 2)
        if self.step == 5:
            self._on_signal(signal.SIGTERM, None)
        return step(self, *batch)

    monkeypatch.setattr(Trainer, "_train_step", signalled)
    with pytest.raises(TrainingInterrupted, match=r"SIGTERM at epoch 2/2, step 6 \(batch 2 of 4\)"):
        trainer.fit()
    monkeypatch.undo()
    ckpt = load_checkpoint(tmp_path / "cut" / "last.pt")
    assert (ckpt["epoch"], ckpt["step"], ckpt["epoch_step"]) == (1, 6, 2)
    resumed = Trainer(_cfg(micro_data, tmp_path / "cut", resume=True)).fit()
    for key in ("train_loss", "val_loss", "val_f2", "step"):
        assert resumed[key] == pytest.approx(full[key], rel=1e-5, abs=1e-6), key
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


@pytest.mark.slow
def test_sigint_in_a_subprocess_saves_and_resumes_from_the_saved_config(micro_data, tmp_path):
    run = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    argv = [sys.executable, "-m", "vision", "train", "--data", str(micro_data), "--graph",
            "identity", "--out", str(run), "--backbone", "test_cnn", "--image-size", "16",
            "--batch-size", "2", "--val-fraction", "0.25", "--epochs", "5000", "--quiet"]  # fmt: skip
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 240
        while not (run / "last.pt").exists():  # written at the end of epoch 1
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "training did not start"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    # mid-epoch ("saved RUN/last.pt") or, when the signal came during the epoch's end,
    # "RUN/last.pt holds this state"
    assert "interrupted by SIGINT at" in err and str(run / "last.pt") in err
    assert f"resume with: vision train -c {run / 'config.yaml'} --resume" in err
    assert "Traceback" not in err
    ckpt = load_checkpoint(run / "last.pt")
    assert 1 <= ckpt["epoch"] < 5000
    # the saved config round-trips: resume from it, one epoch more than the checkpoint's
    target = ckpt["epoch"] + 1
    more = [sys.executable, "-m", "vision", "train", "-c", str(run / "config.yaml"), "--resume",
            "--epochs", str(target), "--quiet"]  # fmt: skip
    done = subprocess.run(more, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    after = load_checkpoint(run / "last.pt")
    assert after["epoch"] == target and after["step"] > ckpt["step"]


def _lr(trainer: Trainer) -> float:
    return trainer.optimizer.param_groups[0]["lr"]


def test_longer_resume_warns_or_extends_the_schedule(micro_data, tmp_path, caplog):
    out = tmp_path / "run"
    Trainer(_cfg(micro_data, out, epochs=2, min_lr_ratio=0.01)).fit()
    with caplog.at_level(logging.WARNING, logger="vision.train.trainer"):
        plain = Trainer(_cfg(micro_data, out, epochs=3, resume=True, min_lr_ratio=0.01))
    warned = [r.getMessage() for r in caplog.records if "recomputed" in r.getMessage()]
    assert warned and "--extend-schedule" in warned[0]
    assert "scheduled for 2 epochs with --epochs 3" in warned[0]
    # at step 8 of 12 (warmup 2): the recomputed cosine is still well below the peak
    assert _lr(plain) == pytest.approx(3e-3 * plain.schedule(8), rel=1e-6)
    assert _lr(plain) < 0.5 * 3e-3
    extended = Trainer(
        _cfg(micro_data, out, epochs=3, resume=True, extend_schedule=True, min_lr_ratio=0.01)
    )
    assert extended.schedule_restart == 8
    assert _lr(extended) == pytest.approx(3e-3)  # the cosine restarts from the peak
    extended.fit()
    ckpt = load_checkpoint(out / "last.pt")
    assert ckpt["schedule_restart"] == 8 and ckpt["epoch"] == 3
    lr_end = ckpt["optimizer"]["param_groups"][0]["lr"]
    assert lr_end == pytest.approx(3e-3 * 0.01, rel=1e-3)  # down to the floor
    # a further resume keeps the restarted schedule without the flag
    again = Trainer(_cfg(micro_data, out, epochs=3, resume=True, min_lr_ratio=0.01))
    assert again.schedule_restart == 8 and math.isclose(_lr(again), lr_end, rel_tol=1e-6)


def test_extend_schedule_needs_resume(micro_data, tmp_path):
    with pytest.raises(
        InputError, match="--extend-schedule continues a run: pass it with --resume"
    ):
        Trainer(_cfg(micro_data, tmp_path / "x", extend_schedule=True))


def test_cli_extend_schedule_flag(micro_data, tmp_path, capsys):
    out = tmp_path / "cli"
    base = ["train", "--data", str(micro_data), "--graph", "identity", "--out", str(out),
            "--backbone", "test_cnn", "--image-size", "16", "--batch-size", "4", "--quiet"]  # fmt: skip
    assert vision_main([*base, "--epochs", "1"]) == 0
    assert vision_main([*base, "--epochs", "2", "--resume", "--extend-schedule"]) == 0
    ckpt = load_checkpoint(out / "last.pt")
    assert ckpt["epoch"] == 2 and ckpt["schedule_restart"] == ckpt["step"] // 2
    assert torch.is_tensor(next(iter(ckpt["model"].values())))
