"""What a timm/torchvision user expects of the ``vision`` command line (issue 16).

* every option of every sub-command has help text, and its default shows in ``--help``;
* every ``--flag`` an error message or help text of the ``vision`` package names exists;
* ``--help``, ``evaluate --help`` and ``evaluate`` on CSV files import no torch;
* ``--version`` on both tools;
* a saved ``config.yaml`` is accepted back by ``-c`` and resolves to the same arguments;
* the torch thread count is chosen from the usable CPUs and loader workers, logged once.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpora import cli_common
from corpora.cli_common import (
    DefaultsHelpFormatter,
    iter_parsers,
    parse_args,
    resolved_config,
    save_resolved_config,
)
from labelgraph.cli import get_args_parser as labelgraph_parser
from vision.cli import get_args_parser as vision_parser
from vision.demo import get_args_parser as demo_parser

REPO = Path(__file__).resolve().parents[3]
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
#: flags of other programs that texts of the package may name
FOREIGN_FLAGS = {"--nproc"}  # torchrun --nproc_per_node


def _options(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if action.option_strings and not isinstance(
            action, (argparse._HelpAction, argparse._VersionAction)
        ):
            yield action


def _has_default(action: argparse.Action) -> bool:
    d = action.default
    return not (
        d is None or d is False or d is argparse.SUPPRESS or (isinstance(d, list) and not d)
    )


@pytest.mark.parametrize(
    "make", [vision_parser, demo_parser], ids=["vision", "python -m vision.demo"]
)
def test_every_option_has_help_and_shows_its_default(make):
    problems = []
    for words, parser in iter_parsers(make()):
        formatter = DefaultsHelpFormatter(parser.prog)
        for action in _options(parser):
            name = f"{' '.join(words)} {action.option_strings[-1]}"
            if not (action.help or "").strip():
                problems.append(f"{name}: no help")
                continue
            shown = formatter._expand_help(action)
            if _has_default(action) and str(action.default) not in shown:
                problems.append(f"{name}: default {action.default!r} not in {shown!r}")
    assert not problems, "\n".join(problems)


def test_label_policy_lists_its_choices():
    from vision.data import LABEL_POLICIES

    for words, parser in iter_parsers(vision_parser()):
        for action in _options(parser):
            if "--label-policy" in action.option_strings:
                assert all(name in action.help for name in LABEL_POLICIES.names()), words


def _all_flags() -> set[str]:
    flags = set()
    for make in (vision_parser, labelgraph_parser, demo_parser):
        for _, parser in iter_parsers(make()):
            for action in parser._actions:
                flags.update(action.option_strings)
    return flags | FOREIGN_FLAGS


def _texts(path: Path):
    """The string constants of a module that are not docstrings, with their line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value


def test_flags_named_in_messages_and_help_exist():
    """An error hint that names a flag no parser has sends the user nowhere (the issue's
    'raise max_bad_fraction' had no flag)."""
    flags = _all_flags()
    missing = [
        f"{path.relative_to(REPO)}:{line}: {flag}"
        for path in sorted((REPO / "vision").rglob("*.py"))
        for line, text in _texts(path)
        for flag in FLAG.findall(text)
        if flag not in flags
    ]
    assert not missing, "flags named in texts but not defined by any parser:\n" + "\n".join(missing)


def _run(*argv: str, **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *argv], env=env, capture_output=True, text=True, timeout=120, **kw
    )


def _imported(importtime_stderr: str) -> set[str]:
    return {
        line.split("|")[-1].strip()
        for line in importtime_stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.fixture()
def csv_pair(tmp_path):
    (tmp_path / "solution.csv").write_text("image_id,labels\na,/m/1 /m/2\nb,/m/3\n")
    (tmp_path / "submission.csv").write_text("image_id,labels\na,/m/1\nb,/m/3 /m/2\n")
    return tmp_path / "solution.csv", tmp_path / "submission.csv"


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["evaluate", "--help"], ["--version"], ["evaluate"]],
    ids=["help", "evaluate-help", "version", "evaluate-csv"],
)
def test_help_and_evaluate_import_no_torch(argv, csv_pair):
    if argv == ["evaluate"]:
        argv = ["evaluate", "--solution", str(csv_pair[0]), "--submission", str(csv_pair[1])]
    done = _run("-X", "importtime", "-m", "vision", *argv)
    assert done.returncode == 0, done.stderr[-2000:]
    heavy = {m for m in _imported(done.stderr) if m.split(".")[0] in ("torch", "torchvision",
                                                                      "torch_geometric")}  # fmt: skip
    assert not heavy, sorted(heavy)[:10]
    if argv[0] == "evaluate" and len(argv) > 2:
        assert "mean F2 0.6944" in done.stdout


def test_train_help_lists_the_catalogue_choices():
    from vision.models import BACKBONES, HEADS

    text = next(p for w, p in iter_parsers(vision_parser()) if w == ("train",)).format_help()
    assert all(n in text for n in [*HEADS.names(), *BACKBONES.names()])
    assert "--extend-schedule" in text and "--threads" in text and "--device" in text


def test_version_on_both_tools(capsys):
    for make, prog in ((vision_parser, "vision"), (labelgraph_parser, "labelgraph")):
        with pytest.raises(SystemExit) as stop:
            make().parse_args(["--version"])
        assert stop.value.code == 0
        assert capsys.readouterr().out.strip() == f"{prog} {cli_common.package_version()}"


def test_train_device_error_is_the_shared_one(tmp_path, capsys):
    import torch

    from corpora.errors import InputError
    from vision.cli import main as vision_main
    from vision.resolve_device import resolve_device

    if torch.cuda.is_available():
        pytest.skip("needs a machine without a CUDA GPU")
    argv = ["train", "--data", str(tmp_path), "--graph", "identity", "--out", str(tmp_path / "r")]
    assert vision_main([*argv, "--device", "cuda", "--quiet"]) == 2
    with pytest.raises(InputError) as resolver:
        resolve_device("cuda")
    assert capsys.readouterr().err.strip() == f"vision: error: {resolver.value}"


# ----------------------------------------------------------------------- config round trip
def _round_trip(make, argv: list[str], tmp_path: Path) -> None:
    args = parse_args(make(), argv)
    saved = save_resolved_config(args, tmp_path / "config.yaml")
    assert yaml.safe_load(saved.read_text())["command"] == argv[0]
    again = parse_args(make(), [argv[0], "-c", str(saved)])
    assert resolved_config(again) == resolved_config(args)


def test_saved_configs_round_trip(tmp_path):
    _round_trip(
        vision_parser,
        [
            "train",
            "--data",
            "d",
            "--graph",
            "identity",
            "--out",
            "r",
            "--head",
            "rerank:hidden=8",
            "--rerank-layers",
            "2",
            "--loss",
            "asl",
            "--pos-weight",
            "auto",
            "--epochs",
            "3",
            "--threads",
            "1",
            "--device",
            "auto",
            "--label-policy",
            "human",
        ],  # fmt: skip
        tmp_path,
    )
    _round_trip(
        vision_parser,
        [
            "adapt",
            "--run",
            "r",
            "--tuning-labels",
            "t.csv",
            "--images",
            "i",
            "--mode",
            "knn@both,thresholds",
            "--knn-temperatures",
            "0.05",
            "0.1",
            "--folds",
            "3",
            "--label-policy",
            "seed",
        ],  # fmt: skip
        tmp_path,
    )
    _round_trip(
        vision_parser,
        [
            "predict",
            "--run",
            "r",
            "--images",
            "i",
            "--out",
            "s.csv",
            "--ensemble",
            "a",
            "b",
            "--tta",
            "flip",
            "--min-match",
            "0.2",
            "--save-probs",
            "p.npz",
        ],  # fmt: skip
        tmp_path,
    )
    _round_trip(
        labelgraph_parser,
        ["build", "--corpus", "c.xml.bz2", "--labels", "l.csv", "--out", "g"],
        tmp_path,
    )


def test_a_config_saved_by_another_command_is_refused(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("command: adapt\nrun: r\n")
    from corpora.errors import InputError

    with pytest.raises(InputError, match="saved by the 'adapt' command.*not 'predict'"):
        parse_args(vision_parser(), ["predict", "-c", str(path)])


# ----------------------------------------------------------------------------- threads
def test_threads_default_and_log_once(monkeypatch, caplog):
    import torch

    from vision.cli import _runtime

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(cli_common, "usable_cpus", lambda: 4)
    monkeypatch.setattr(_runtime, "_logged", None)
    before = torch.get_num_threads()
    try:
        with caplog.at_level("INFO", logger="vision.cli._runtime"):
            assert _runtime.apply_threads(None, workers=1) == 2
            assert _runtime.apply_threads(None, workers=1) == 2
            assert torch.get_num_threads() == 2
            assert _runtime.apply_threads(1) == 1
        lines = [r.getMessage() for r in caplog.records]
        assert lines == [
            "torch threads: 2 (4 usable CPUs, 1 loader worker, 1 CPU left to other processes)",
            "torch threads: 1 (--threads)",
        ]
    finally:
        torch.set_num_threads(before)
