"""Adaptation on the package's real heads (linear, gcn, rerank) and a real checkpoint.

Freezing is checked parameter by parameter: whatever a mode does not train is bit-identical
afterwards; what it trains moves. ``vision adapt``/``predict`` then run on a run folder written
with the trainer's ``save_checkpoint`` and read back by ``load_run``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from vision.adapt import AdaptationConfig, adapt
from vision.checkpoint import save_checkpoint
from vision.cli import main as vision_main
from vision.inference.submission import read_submission
from vision.models import GraphInputs, MultiLabelClassifier

CODES = ["/m/a", "/m/b", "/m/c"]


def _graph() -> GraphInputs:
    ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    ew = torch.tensor([2.0, 2.0, 1.0, 1.0])
    emb = torch.tensor([[1.0, 0.0], [0.0, 3.0], [0.0, 0.0]])
    return GraphInputs(ei, ew, emb, torch.tensor([False, False, True]), digest="test")


def _args(head: str) -> dict:
    kw = {"gcn": {"hidden": [4]}, "rerank": {"hidden": 4, "layers": 1}, "linear": {}}[head]
    return {
        "backbone": "test_cnn",
        "backbone_kwargs": {},
        "head": head,
        "head_kwargs": kw,
        "num_labels": 3,
    }


def _model(head: str) -> MultiLabelClassifier:
    torch.manual_seed(0)
    return MultiLabelClassifier.from_args(_args(head), _graph()).eval()


def _data(n: int = 24):
    g = torch.Generator().manual_seed(0)
    images = torch.rand(n, 3, 16, 16, generator=g)
    targets = np.zeros((n, 3), dtype=np.float32)
    targets[np.arange(n), np.arange(n) % 3] = 1
    return images, targets


@pytest.mark.parametrize("head", ["linear", "gcn", "rerank"])
@pytest.mark.parametrize("mode", ["last-layer", "head"])
def test_real_heads_freeze_what_the_mode_does_not_train(head, mode):
    model = _model(head)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    images, targets = _data()
    cfg = AdaptationConfig(modes=(mode,), epochs=2, augment_views=2, inner_folds=0, lr=1e-2)
    res = adapt(model, images, targets, CODES, cfg)
    after = res.model.state_dict()
    last = {id(p) for p in model.head.last_layer().parameters()}
    names_last = {n for n, p in model.named_parameters() if id(p) in last}
    for name, value in before.items():
        assert torch.equal(value, model.state_dict()[name]), "the input model was modified"
        moved = not torch.equal(value, after[name])
        if name.startswith("backbone."):
            assert not moved, f"{mode}: backbone {name} changed"
        elif mode == "last-layer" and name not in names_last:
            assert not moved, f"last-layer: {name} is not in head.last_layer() but changed"
    assert any(not torch.equal(before[n], after[n]) for n in names_last), "last layer did not train"


def _write_run(run_dir, head: str = "gcn") -> None:
    model = _model(head)
    save_checkpoint(
        {
            "model_args": _args(head),
            "model": model.state_dict(),
            "graph": _graph().to_dict(),
            "graph_digest": "test",
            "labels": {"codes": CODES, "names": ["a", "b", "c"]},
            "image_size": 16,
            "normalize": True,
            "threshold": 0.3,
            "config": {"image_size": 16},
        },
        run_dir / "best.pt",
    )


def test_cli_on_a_real_checkpoint(tmp_path):
    run = tmp_path / "run"
    _write_run(run)
    rng = np.random.default_rng(0)
    (tmp_path / "img").mkdir()
    lines = []
    for i in range(12):
        arr = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
        Image.fromarray(arr).save(tmp_path / "img" / f"i{i}.png")
        lines.append(f"i{i},{CODES[i % 3]}\n")
    (tmp_path / "tuning.csv").write_text("".join(lines))
    out = tmp_path / "adapted"
    rc = vision_main(
        [
            "adapt", "--run", str(run), "--tuning-labels", str(tmp_path / "tuning.csv"),
            "--images", str(tmp_path / "img"), "--mode", "head,thresholds", "--out", str(out),
            "--epochs", "2", "--augment-views", "1", "--inner-folds", "2", "--quiet",
        ]
    )  # fmt: skip
    assert rc == 0 and (out / "best.pt").is_file() and (out / "adapted_model.pt").is_file()
    sub = tmp_path / "sub.csv"
    rc = vision_main(
        ["predict", "--run", str(out), "--images", str(tmp_path / "img"), "--out", str(sub),
         "--tta", "flip+crops", "--max-labels", "2", "--quiet"]
    )  # fmt: skip
    assert rc == 0
    got = read_submission(sub)
    assert sorted(got) == sorted(f"i{i}" for i in range(12))
    assert all(1 <= len(v) <= 2 and set(v) <= set(CODES) for v in got.values())
