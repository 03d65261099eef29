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
