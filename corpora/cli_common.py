"""Plumbing shared by the ``labelgraph`` and ``vision`` command-line interfaces.

* ``-c/--config FILE.yaml`` supplies defaults for the chosen sub-command (keys are the
  long flag names, kebab-case or snake_case); flags given on the command line win.
* :func:`save_resolved_config` writes the final arguments next to a command's outputs.
* :func:`run_cli` turns :class:`~corpora.errors.InputError` and missing files into one line on
  stderr and exit status 2. Other exceptions are bugs and keep their traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from corpora.atomic import atomic_write
from corpora.errors import InputError

__all__ = [
    "make_parser",
    "add_common_flags",
    "parse_args",
    "run_cli",
    "save_resolved_config",
    "resolved_config",
]

logger = logging.getLogger(__name__)


def make_parser(prog: str, description: str, modules: Sequence[str]) -> argparse.ArgumentParser:
    """A top-level parser whose sub-commands come from ``modules`` (the CLI's registry).

    Each module defines ``register(subparsers) -> None``.
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``-c/--config``, ``-v/--verbose`` and ``--quiet`` to a (sub-)parser."""
    group = parser.add_argument_group("general")
    group.add_argument(
        "-c",
        "--config",
        default=None,
        metavar="YAML",
        help="YAML file whose keys (long flag names) are used as defaults for this command",
    )
    group.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    group.add_argument("--quiet", action="store_true", help="no progress bars, warnings only")


def _subparser_for(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """Follow the sub-command words in ``argv`` down to the parser that will consume the flags."""
    current = parser
    for word in argv:
        if word.startswith("-"):
            continue
        sub_actions = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not sub_actions or word not in sub_actions[0].choices:
            break
        current = sub_actions[0].choices[word]
    return current


def _load_config(path: str) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file {path!r} does not exist")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"config file {path!r} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"config file {path!r} must hold a mapping of flag names to values")
    return data


def _config_path_in(argv: Sequence[str]) -> str | None:
    for i, word in enumerate(argv):
        if word in ("-c", "--config") and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--config="):
            return word.split("=", 1)[1]
    return None


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None = None
) -> argparse.Namespace:
    """Parse ``argv``; when ``-c FILE`` is given, its keys become the sub-command's defaults."""
    argv = list(sys.argv[1:] if argv is None else argv)
    config_path = _config_path_in(argv)
    if not config_path:
        return parser.parse_args(argv)
    config = _load_config(config_path)
    target = _subparser_for(parser, argv)
    known = {a.dest: a for a in target._actions}
    defaults: dict[str, Any] = {}
    for key, value in config.items():
        dest = str(key).lstrip("-").replace("-", "_")
        if dest not in known or dest in ("config", "help"):
            choices = sorted(d.replace("_", "-") for d in known if d not in ("help", "config"))
            raise InputError(
                f"config file {config_path!r}: unknown key {key!r}; known keys: {', '.join(choices)}"
            )
        defaults[dest] = value
    target.set_defaults(**defaults)
    # Required arguments may now come from the config: relax them before parsing.
    for dest in defaults:
        known[dest].required = False
    return parser.parse_args(argv)


def resolved_config(args: argparse.Namespace) -> dict[str, Any]:
    """The final arguments as a plain, YAML-safe dict (callables dropped, paths as strings)."""
    out: dict[str, Any] = {}
    for key, value in sorted(vars(args).items()):
        if callable(value) or key in ("config",):
            continue
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        elif isinstance(value, (list, tuple)):
            value = [os.fspath(v) if isinstance(v, os.PathLike) else v for v in value]
        out[key.replace("_", "-")] = value
    return out


def save_resolved_config(args: argparse.Namespace, path: str | os.PathLike[str]) -> Path:
    """Write the resolved arguments of a command as YAML (atomically) and return the path."""
    path = Path(path)
    with atomic_write(path) as fh:
        yaml.safe_dump(resolved_config(args), fh, sort_keys=True)
    return path


def _configure_logging(args: argparse.Namespace) -> None:
    level = (
        logging.DEBUG
        if getattr(args, "verbose", False)
        else (logging.WARNING if getattr(args, "quiet", False) else logging.INFO)
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)


def run_cli(
    prog: str,
    get_args_parser: Callable[[], argparse.ArgumentParser],
    argv: Sequence[str] | None = None,
) -> int:
    """Parse, configure logging and dispatch to ``args.func(args)``; returns the exit status."""
    # torch_geometric calls torch.jit.script at import time, which torch >= 2.10 flags as
    # deprecated on every run; it says nothing about this program, so keep it off the terminal.
    warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated")
    parser = get_args_parser()
    try:
        args = parse_args(parser, argv)
    except InputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return 2
    _configure_logging(args)
    try:
        rc = args.func(args)
    except InputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    return int(rc or 0)
