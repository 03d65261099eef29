"""The training loop: outputs, exact resume after a kill, NaN stop, graph/ckpt checks."""

from __future__ import annotations

import json

import pytest
import torch

from corpora.errors import CorruptInputError, InputError
from vision.checkpoint import load_checkpoint, load_run
from vision.cli import main as vision_main
from vision.train import TrainConfig, Trainer, TrainingDiverged


def _cfg(data, out, **kw) -> TrainConfig:
    base = dict(
        data=str(data),
        out=str(out),
        backbone="test_cnn",
        head="rerank",
        image_size=16,
        epochs=3,
        batch_size=4,
        val_fraction=0.25,
        quiet=True,
        lr=3e-3,
        warmup_epochs=0.5,
    )
    base.update(kw)
    return TrainConfig(**base)


def test_resume_after_kill_matches_uninterrupted(micro_data, micro_graph, tmp_path):
    kw = dict(
        graph=str(micro_graph), dropout=0.3, ema=True, ema_decay=0.9, checkpoint_every_steps=2
    )
    full = Trainer(_cfg(micro_data, tmp_path / "full", epochs=2, **kw)).fit()
    # 18 training images, batch 4 -> 4 steps per epoch; killed at step 7 (mid epoch 2):
    # the last checkpoint on disk is from step 6.
    out = Trainer(_cfg(micro_data, tmp_path / "cut", epochs=2, stop_after_steps=7, **kw)).fit()
    assert out == {"stopped_after_steps": 7}
    assert load_checkpoint(tmp_path / "cut" / "last.pt")["step"] == 6
    resumed = Trainer(_cfg(micro_data, tmp_path / "cut", epochs=2, resume=True, **kw)).fit()
    for key in ("train_loss", "val_loss", "val_f2", "val_map", "step"):
        assert resumed[key] == pytest.approx(full[key], rel=1e-5, abs=1e-6), key
    a = load_checkpoint(tmp_path / "full" / "last.pt")
    b = load_checkpoint(tmp_path / "cut" / "last.pt")
    for k in a["model"]:
        torch.testing.assert_close(a["model"][k], b["model"][k], rtol=1e-5, atol=1e-6)
    hist_a = [json.loads(x) for x in (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()]
    hist_b = [json.loads(x) for x in (tmp_path / "cut" / "metrics.jsonl").read_text().splitlines()]
    assert [h["train_loss"] for h in hist_a] == pytest.approx([h["train_loss"] for h in hist_b])
    assert len(hist_a) == 2


def test_training_learns_and_writes_run(micro_data, tmp_path):
    res = Trainer(_cfg(micro_data, tmp_path / "run", head="linear", epochs=3, lr=1e-2)).fit()
    hist = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    for name in ("last.pt", "best.pt", "metrics.csv", "curves.png"):
        assert (tmp_path / "run" / name).is_file()
    model, ckpt = load_run(tmp_path / "run")
    assert ckpt["labels"]["names"] == ["Red", "Green", "Blue"]
    assert ckpt["epoch"] == max(range(len(hist)), key=lambda i: (hist[i]["val_f2"], -i)) + 1
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 3)
    assert 0 <= res["val_f2"] <= 1 and 0 <= res["val_map"] <= 1


def test_nan_loss_stops_and_keeps_last_good_checkpoint(micro_data, tmp_path):
    trainer = Trainer(_cfg(micro_data, tmp_path / "run", head="linear", epochs=3))
    real = trainer.loss_fn

    def poisoned(logits, target, mask=None):
        loss = real(logits, target, mask)
        # training step 6 (the second of epoch 2) goes NaN; validation losses are untouched
        return loss * float("nan") if trainer.step >= 5 and torch.is_grad_enabled() else loss

    trainer.loss_fn = poisoned
    with pytest.raises(TrainingDiverged, match=r"loss became nan at epoch 2, step 6.*last\.pt"):
        trainer.fit()
    ckpt = load_checkpoint(tmp_path / "run" / "last.pt")
    assert ckpt["epoch"] == 1
    assert all(torch.isfinite(v).all() for v in ckpt["model"].values() if v.is_floating_point())


def test_existing_run_needs_resume(micro_data, tmp_path):
    Trainer(_cfg(micro_data, tmp_path / "run", head="linear", epochs=1)).fit()
    with pytest.raises(InputError, match="already holds a run.*--resume"):
        Trainer(_cfg(micro_data, tmp_path / "run", head="linear", epochs=1))


def test_graph_mismatch_on_resume_and_load(micro_data, micro_graph, tmp_path):
    run = tmp_path / "run"
    Trainer(_cfg(micro_data, run, head="gcn", graph=str(micro_graph), epochs=1)).fit()
    with pytest.raises(InputError, match="trained with label graph .* but --graph now gives"):
        Trainer(_cfg(micro_data, run, head="gcn", graph="identity", epochs=2, resume=True))
    load_run(run, graph=micro_graph)  # same graph: fine
    with pytest.raises(InputError, match="trained with label graph"):
        load_run(run, graph="identity")
    # the graph is stored in the checkpoint: the model rebuilds without the graph folder
    model, ckpt = load_run(run, which="last")
    assert ckpt["graph"]["edge_index"].shape[1] == 4  # red-green, green-blue, both directions
    assert model.head.embedding.learned.shape[0] == 1  # blue has no embedding


def test_corrupt_checkpoint_and_graph_errors(micro_data, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "best.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CorruptInputError, match=r"best\.pt cannot be read"):
        load_run(run)
    with pytest.raises(InputError, match=r"last\.pt does not exist.*best\.pt"):
        load_run(run, which="last")
    bad_graph = tmp_path / "graph"
    bad_graph.mkdir()
    (bad_graph / "manifest.json").write_text("{not json")
    rc = vision_main(
        [
            "train",
            "--data",
            str(micro_data),
            "--graph",
            str(bad_graph),
            "--out",
            str(tmp_path / "o"),
            "--backbone",
            "test_cnn",
            "--head",
            "gcn",
            "--quiet",
        ]
    )
    assert rc == 2
    assert "vision: error:" in capsys.readouterr().err


def test_cli_train_end_to_end(micro_data, micro_graph, tmp_path, capsys):
    out = tmp_path / "cli"
    rc = vision_main(
        [
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
            "gcn",
            "--gcn-hidden",
            "8",
            "--image-size",
            "16",
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--loss",
            "asl",
            "--optimizer",
            "sgd",
            "--quiet",
        ]
    )
    assert rc == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["epoch"] == 1
    import yaml

    config = yaml.safe_load((out / "config.yaml").read_text())
    assert config["head"] == "gcn" and config["loss"] == "asl" and config["gcn-hidden"] == [8]
    header = (out / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"epoch", "train_loss", "val_loss", "val_f2", "val_threshold", "val_map"} <= set(header)
    model, ckpt = load_run(out)
    assert ckpt["model_args"]["head_kwargs"] == {"hidden": [8]}
    assert ckpt["config"]["optimizer"] == "sgd"


def test_optimizer_groups_scale_gcn_graph_weights_and_skip_decay_on_biases(micro_data, tmp_path):
    t = Trainer(_cfg(micro_data, tmp_path / "run", head="gcn", lr=0.01, graph_lr_scale=0.25))
    graph_ids = {id(p) for p in t.model.head.graph_parameters()}
    seen = set()
    for group in t.optimizer.param_groups:
        for p in group["params"]:
            seen.add(id(p))
            assert group["initial_lr"] == pytest.approx(0.01 * (0.25 if id(p) in graph_ids else 1))
            assert group["weight_decay"] == (t.cfg.weight_decay if p.ndim > 1 else 0.0)
    assert seen == {id(p) for p in t.model.parameters()}
