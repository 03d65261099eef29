"""TrainConfig: component options from flags, specs and YAML; model_args as checkpoints hold them."""

from __future__ import annotations

import pytest
import yaml

from corpora.cli_common import parse_args
from corpora.errors import InputError
from vision.cli import get_args_parser
from vision.cli._train import config_from_args
from vision.train import TrainConfig

BASE = ["train", "--data", "d", "--graph", "identity", "--out", "o"]


def _config(*argv: str) -> TrainConfig:
    return config_from_args(parse_args(get_args_parser(), [*BASE, *argv]))


def _args(backbone_kwargs: dict, head: str, head_kwargs: dict) -> list:
    # key order matters too: checkpoints are pickled dicts
    return [
        ("backbone", "resnet18"),
        ("backbone_kwargs", list(backbone_kwargs.items())),
        ("head", head),
        ("head_kwargs", list(head_kwargs.items())),
        ("num_labels", 5),
    ]


#: (vision train flags, model_args as the per-head if-chain of TrainConfig.model_args wrote them)
ON_DISK = [
    ([], ({"stem_stride": 2}, "linear", {"dropout": 0.0})),
    (["--head", "gcn"], ({"stem_stride": 2}, "gcn", {"hidden": [256]})),
    (["--head", "rerank"], ({"stem_stride": 2}, "rerank", {"hidden": 16, "layers": 1, "dropout": 0.0})),
    (
        ["--head", "gcn", "--graph-neighbor-weight", "0.3", "--dropout", "0.5", "--gcn-hidden", "8", "16"],
        ({"stem_stride": 2}, "gcn", {"hidden": [8, 16], "neighbor_weight": 0.3}),
    ),
    (
        ["--head", "rerank", "--rerank-hidden", "32", "--rerank-layers", "2", "--dropout", "0.3",
         "--graph-neighbor-weight", "0.4", "--stem-stride", "1"],
        ({"stem_stride": 1}, "rerank", {"hidden": 32, "layers": 2, "dropout": 0.3, "neighbor_weight": 0.4}),
    ),
    (
        ["--dropout", "0.1", "--graph-neighbor-weight", "0.3"],
        ({"stem_stride": 2}, "linear", {"dropout": 0.1}),
    ),
]  # fmt: skip


@pytest.mark.parametrize("argv, expected", ON_DISK)
def test_model_args_are_what_checkpoints_always_held(argv, expected):
    got = _config("--backbone", "resnet18", *argv).model_args(5)
    assert [(k, list(v.items()) if isinstance(v, dict) else v) for k, v in got.items()] == _args(
        *expected
    )
    for value in got["head_kwargs"].values():  # plain ints/floats/lists, as before
        assert type(value) in (int, float, list)


def test_head_options_from_spec_mapping_and_fields():
    cfg = TrainConfig(data="d", out="o", head="rerank:hidden=8,gate_init=0.5")
    assert cfg.head == "rerank" and cfg.head_options == {"hidden": 8, "gate_init": 0.5}
    assert cfg.model_args(3)["head_kwargs"] == {
        "hidden": 8,
        "layers": 1,
        "dropout": 0.0,
        "gate_init": 0.5,
    }
    cfg = TrainConfig(
        data="d",
        out="o",
        head={"name": "gcn", "options": {"hidden": [4], "residual": "false"}},
        head_options={"hidden": [16]},  # wins over the specification
        graph_neighbor_weight=0.1,
    )
    assert cfg.model_args(3)["head_kwargs"] == {
        "hidden": [16],
        "neighbor_weight": 0.1,
        "residual": False,
    }
    # a head's own neighbor_weight wins over the shared --graph-neighbor-weight
    cfg = TrainConfig(data="d", out="o", head="gcn:neighbor_weight=0.7", graph_neighbor_weight=0.1)
    assert cfg.model_args(3)["head_kwargs"]["neighbor_weight"] == 0.7


def test_backbone_and_loss_options():
    cfg = _config(
        "--backbone", "compact_cnn:widths=8 16,convs_per_stage=1", "--loss", "asl:gamma_neg=2"
    )
    assert cfg.model_args(3)["backbone_kwargs"] == {
        "stem_stride": 2,
        "widths": (8, 16),
        "convs_per_stage": 1,
    }
    assert cfg.component_kwargs("loss") == {"gamma_neg": 2.0}
    assert _config("--pos-weight", "auto").component_kwargs("loss") == {"pos_weight": "auto"}
    assert _config("--pos-weight", "3").component_kwargs("loss") == {"pos_weight": 3.0}


def test_other_heads_flags_are_ignored_and_the_heads_flags_win_over_a_yaml_spec(tmp_path):
    assert _config("--rerank-hidden", "64").model_args(3)["head_kwargs"] == {"dropout": 0.0}
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"head": {"name": "rerank", "options": {"hidden": 4}}}))
    assert _config("-c", str(config)).head_options == {"hidden": 4}
    assert _config("-c", str(config), "--rerank-hidden", "9").head_options == {"hidden": 9}


def test_specs_are_checked_on_construction():
    with pytest.raises(InputError, match="unknown head 'mlp'; choose one of: gcn, linear, rerank"):
        TrainConfig(data="d", out="o", head="mlp")
    with pytest.raises(InputError, match="head 'rerank' has no option 'depth'"):
        TrainConfig(data="d", out="o", head="rerank", head_options={"depth": 2})
    with pytest.raises(InputError, match="unknown label policy 'nope'"):
        TrainConfig(data="d", out="o", label_policy="nope")
    with pytest.raises(InputError, match="unknown transform preset 'wild'"):
        TrainConfig(data="d", out="o", augment="wild")
    with pytest.raises(InputError, match="unknown optimizer 'adam'.*did you mean"):
        TrainConfig(data="d", out="o", optimizer="adam")
    with pytest.raises(SystemExit):
        _config("--augment", "wild")


def test_label_policy_and_augment_specs_pass_through():
    cfg = _config("--label-policy", "seed:num_std=2", "--augment", "style")
    assert cfg.label_policy == "seed:num_std=2" and cfg.augment == "style"
    assert _config().label_policy == "seed" and _config().augment == "style-stroke"
    assert _config().augment == TrainConfig.augment  # the CLI default is the config's


def test_optimizer_catalogue():
    import torch

    from vision.train import OPTIMIZERS, create_optimizer, list_optimizers

    assert list_optimizers() == ["adamw", "sgd"]
    params = [{"params": [torch.nn.Parameter(torch.zeros(2))], "weight_decay": 0.0}]
    sgd = create_optimizer("sgd", params, 0.1, momentum=0.5)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["nesterov"]
    assert sgd.defaults["momentum"] == 0.5
    assert [o.name for o in OPTIMIZERS.options("adamw")] == []


def test_augment_reaches_the_training_set(micro_data, tmp_path):
    from vision.data import EvalTransform, StrokeStyleTransform, StyleTransform, TrainTransform
    from vision.train import Trainer

    kw = dict(data=str(micro_data), backbone="test_cnn", image_size=16, quiet=True)
    t = Trainer(TrainConfig(out=str(tmp_path / "a"), augment="style", **kw))
    assert isinstance(t.data.train.transform, StyleTransform)
    assert isinstance(t.data.val.transform, EvalTransform)
    t = Trainer(TrainConfig(out=str(tmp_path / "b"), augment="train", **kw))
    assert isinstance(t.data.train.transform, TrainTransform)
    t = Trainer(TrainConfig(out=str(tmp_path / "c"), **kw))  # the default
    assert isinstance(t.data.train.transform, StrokeStyleTransform)


def test_a_head_option_typed_on_the_command_line_wins_over_the_config(tmp_path):
    """Where a value was written decides, not which spelling: ``--head NAME:KEY=VALUE`` on the
    command line beats ``--NAME-KEY`` read from ``-c``; a flag on the command line beats both."""
    from corpora.cli_common import from_config

    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"head": "rerank", "rerank-hidden": 32, "rerank-layers": 3}))
    cfg = _config("-c", str(config), "--head", "rerank:hidden=8")
    assert cfg.head_options["hidden"] == 8 and cfg.head_options["layers"] == 3
    cfg = _config("-c", str(config), "--head", "rerank:layers=1,hidden=5", "--rerank-hidden", "7")
    assert cfg.head_options["hidden"] == 7 and cfg.head_options["layers"] == 1
    assert _config("-c", str(config)).head_options["hidden"] == 32
    args = parse_args(get_args_parser(), [*BASE, "-c", str(config), "--rerank-layers", "2"])
    assert from_config(args) == {"head", "rerank_hidden"}
