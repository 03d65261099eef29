"""The ``labelgraph`` command line: ``labelgraph SUBCOMMAND ...``.

Each sub-command group lives in its own private module that defines ``register(subparsers)``;
the module list below is the registry.
"""

from __future__ import annotations

import argparse
import importlib
import warnings
from collections.abc import Sequence

from labelgraph._cli_common import run_cli

__all__ = ["get_args_parser", "main"]

# Registry of sub-command modules; each defines ``register(subparsers) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "labelgraph.cli._build",
    "labelgraph.cli._query",
    "labelgraph.cli._inspect",
    "labelgraph.cli._corpus",
)


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labelgraph",
        description="Build, query, inspect and evaluate label-association graphs from Wikipedia.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # torch_geometric calls torch.jit.script at import time, which torch >= 2.10 flags as
    # deprecated on every run; it says nothing about this program, so keep it off the terminal.
    warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated")
    return run_cli("labelgraph", get_args_parser, argv)
