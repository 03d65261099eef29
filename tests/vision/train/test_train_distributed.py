"""``vision train`` under torchrun with 2 CPU processes (gloo, DDP, rank-0 files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from vision.checkpoint import load_checkpoint


@pytest.mark.slow
def test_torchrun_two_cpu_processes(micro_data, micro_graph, tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "vision",
        "train",
        "--data",
        str(micro_data),
        "--graph",
        str(micro_graph),
        "--out",
        str(out),
        "--backbone",
        "test_cnn",
        "--head",
        "rerank",
        "--image-size",
        "16",
        "--epochs",
        "2",
        "--batch-size",
        "4",
        "--val-fraction",
        "0.25",
        "--quiet",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # rank 0 alone prints the result and writes the files
    results = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert len(results) == 1 and json.loads(results[0])["epoch"] == 2
    ckpt = load_checkpoint(out / "last.pt")
    # 18 training images over 2 ranks = 9 each, batch 4, drop_last -> 2 steps per epoch
    assert ckpt["step"] == 4 and ckpt["epoch"] == 2
    assert len(ckpt["rng"]) == 2  # one RNG state per process, for exact resume
    assert not any(k.startswith("module.") for k in ckpt["model"])
    hist = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [h["epoch"] for h in hist] == [1, 2]
    assert all(torch.isfinite(v).all() for v in ckpt["model"].values() if v.is_floating_point())


def _torchrun(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    return subprocess.run(
        [*cmd, "-m", "vision", "train", *args], env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.slow
def test_torchrun_ranks_share_one_cache_and_resume_from_last(micro_data, tmp_path):
    """Both ranks open the same --cache-dir: one builds it, the other waits and reuses it
    (the build lock); a resumed job (as after a lost node) continues from the shared last.pt
    and finds the cache finished."""
    out, cache = tmp_path / "ddp", tmp_path / "cache"
    args = ["--data", str(micro_data), "--graph", "identity", "--out", str(out)]
    args += ["--backbone", "test_cnn", "--image-size", "16", "--batch-size", "4"]
    args += ["--val-fraction", "0.25", "--cache-dir", str(cache), "--cache-shard-size", "4"]
    first = _torchrun([*args, "--epochs", "1"])
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stderr.count("built image cache") == 1, first.stderr[-3000:]
    assert len(list(cache.glob("images-*/manifest.json"))) == 1
    assert load_checkpoint(out / "last.pt")["epoch"] == 1
    again = _torchrun([*args, "--epochs", "2", "--resume"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert "built image cache" not in again.stderr
    assert "resumed" in again.stderr
    ckpt = load_checkpoint(out / "last.pt")
    assert ckpt["epoch"] == 2 and ckpt["step"] == 4 and len(ckpt["rng"]) == 2
