"""A new head is one new file: registered here, it trains through `vision train` unchanged.

The head below is defined and registered in this test module only; nothing else in the code
base names it. Its option reaches it from a generated flag (``--tiny-scaled-scale``), from
``--head NAME:KEY=VALUE`` and from a YAML config (``head: {name: ..., options: {...}}``), and
the checkpoint's ``head_kwargs`` rebuild it.
"""

from __future__ import annotations

import pytest
import torch
import yaml
from torch import nn

from vision.checkpoint import load_run
from vision.cli import main as vision_main
from vision.models import HEADS, GraphInputs, Head, is_graph_head


@HEADS.register("tiny_scaled", tags={"graph"})
class TinyScaledHead(Head):
    """A linear classifier whose logits are multiplied by ``scale`` (tests only).

    Args:
        scale: logit multiplier (default 1).
    """

    def __init__(
        self, num_features: int, num_labels: int, graph: GraphInputs, *, scale: float = 1.0
    ) -> None:
        super().__init__()
        if graph.num_labels != num_labels:
            raise ValueError("graph and head disagree on the labels")
        self.num_features, self.num_labels, self.scale = num_features, num_labels, scale
        self.fc = nn.Linear(num_features, num_labels)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.fc(features) * self.scale

    def last_layer(self) -> nn.Module:
        return self.fc

    def reset_classifier(self, num_classes: int | None = None) -> None:
        self.fc.reset_parameters()


def _train(micro_data, micro_graph, out, *extra, config=None) -> dict:
    argv = [
        "train",
        "--data",
        str(micro_data),
        "--graph",
        str(micro_graph),
        "--out",
        str(out),
        "--backbone",
        "test_cnn",
        "--image-size",
        "16",
        "--epochs",
        "1",
        "--batch-size",
        "32",  # 18 training images: one step
        "--val-fraction",
        "0.25",
        "--quiet",
        *extra,
    ]
    if config is not None:
        argv += ["-c", str(config)]
    assert vision_main(argv) == 0
    model, ckpt = load_run(out)
    assert ckpt["step"] == 1 and isinstance(model.head, TinyScaledHead)
    assert model.head.fc.weight.shape == (3, model.num_features)
    return ckpt


def test_a_head_registered_in_one_file_trains_with_its_options(micro_data, micro_graph, tmp_path):
    assert is_graph_head("tiny_scaled")
    ckpt = _train(
        micro_data,
        micro_graph,
        tmp_path / "flag",
        "--head",
        "tiny_scaled",
        "--tiny-scaled-scale",
        "0.5",
    )
    assert ckpt["model_args"]["head"] == "tiny_scaled"
    assert ckpt["model_args"]["head_kwargs"] == {"scale": 0.5}
    model, _ = load_run(tmp_path / "flag")
    assert model.head.scale == 0.5
    ckpt = _train(micro_data, micro_graph, tmp_path / "spec", "--head", "tiny_scaled:scale=2")
    assert ckpt["model_args"]["head_kwargs"] == {"scale": 2.0}


def test_yaml_head_mapping_reaches_the_head_and_flags_win(micro_data, micro_graph, tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text(yaml.safe_dump({"head": {"name": "tiny_scaled", "options": {"scale": 0.25}}}))
    ckpt = _train(micro_data, micro_graph, tmp_path / "yaml", config=config)
    assert ckpt["model_args"]["head_kwargs"] == {"scale": 0.25}
    saved = yaml.safe_load((tmp_path / "yaml" / "config.yaml").read_text())
    assert saved["head"] == {"name": "tiny_scaled", "options": {"scale": 0.25}}
    ckpt = _train(
        micro_data, micro_graph, tmp_path / "both", "--tiny-scaled-scale", "3", config=config
    )
    assert ckpt["model_args"]["head_kwargs"] == {"scale": 3.0}


def test_bad_head_options_are_one_line_errors(micro_data, micro_graph, tmp_path, capsys):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump({"head": {"name": "tiny_scaled", "options": {"scal": 1}}}))
    argv = [
        "train",
        "--data",
        str(micro_data),
        "--graph",
        str(micro_graph),
        "--out",
        str(tmp_path / "o"),
        "--backbone",
        "test_cnn",
        "--quiet",
    ]
    assert vision_main([*argv, "-c", str(config)]) == 2
    assert "head 'tiny_scaled' has no option 'scal'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        vision_main([*argv, "--head", "tiny_scaled:scale=big"])
    assert "option 'scale': expected a number, got 'big'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        vision_main([*argv, "--head", "tiny_scaledd"])
    assert "unknown head 'tiny_scaledd'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
