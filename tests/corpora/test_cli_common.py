import argparse

import pytest
import yaml

from corpora.cli_common import add_common_flags, parse_args, run_cli, save_resolved_config
from corpora.errors import InputError


def _parser():
    parser = argparse.ArgumentParser(prog="x")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("go")
    add_common_flags(p)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--out", required=True)

    def func(args):
        if args.epochs < 0:
            raise InputError("epochs must be >= 0")
        return 0

    p.set_defaults(func=func)
    return parser


def test_config_defaults_and_cli_override(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("epochs: 7\nout: here\n")
    args = parse_args(_parser(), ["go", "-c", str(cfg)])
    assert args.epochs == 7 and args.out == "here"
    args = parse_args(_parser(), ["go", "-c", str(cfg), "--epochs", "2"])
    assert args.epochs == 2


def test_config_unknown_key(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("epoch: 7\n")
    with pytest.raises(InputError, match="unknown key 'epoch'.*epochs"):
        parse_args(_parser(), ["go", "--out", "o", "-c", str(cfg)])


def test_resolved_config_roundtrip(tmp_path):
    args = parse_args(_parser(), ["go", "--out", "o"])
    path = save_resolved_config(args, tmp_path / "config.yaml")
    data = yaml.safe_load(path.read_text())
    assert data["epochs"] == 3 and data["out"] == "o" and "func" not in data


def test_run_cli_input_error_is_one_line(capsys):
    rc = run_cli("x", _parser, ["go", "--out", "o", "--epochs", "-1"])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.strip() == "x: error: epochs must be >= 0"
