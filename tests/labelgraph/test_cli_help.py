"""Every option of every ``labelgraph`` sub-command has a help text, and every option with a
default shows it through ``%(default)s`` (so the help can never drift from the code); plus
``labelgraph --version``."""

from __future__ import annotations

import argparse
import importlib.metadata

import pytest

import labelgraph
from labelgraph.cli import get_args_parser, main


def _walk(parser: argparse.ArgumentParser, prefix: str = "labelgraph"):
    """``(command, parser)`` for the parser and every sub-parser below it."""
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, f"{prefix} {name}")


def _options():
    for command, parser in _walk(get_args_parser()):
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            if isinstance(action, argparse._VersionAction):
                continue
            name = "/".join(action.option_strings) or action.dest
            yield command, name, action


def _has_default(action: argparse.Action) -> bool:
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        return False
    return action.default not in (None, [], argparse.SUPPRESS)


def test_every_option_has_help():
    missing = [f"{c} {n}" for c, n, a in _options() if not (a.help or "").strip()]
    assert not missing, f"options without help: {missing}"


def test_every_default_is_shown_with_default_format():
    missing = [
        f"{c} {n} (default {a.default!r})"
        for c, n, a in _options()
        if _has_default(a) and "%(default)s" not in (a.help or "")
    ]
    assert not missing, f"defaults not shown with %(default)s: {missing}"


def test_help_renders_for_every_command(capsys):
    for command, parser in _walk(get_args_parser()):
        text = parser.format_help()  # %(default)s and %(choices)s expand without error
        assert "usage:" in text, command


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    want = importlib.metadata.version("labelgraph")
    assert capsys.readouterr().out.strip() == f"labelgraph {want}"
    assert labelgraph.__version__ == want
