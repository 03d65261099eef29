"""The ``labelgraph`` command line: ``labelgraph SUBCOMMAND ...``.

Each sub-command group lives in its own private module that defines ``register(subparsers)``;
the module list below is the registry.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from corpora.cli_common import make_parser, run_cli

__all__ = ["get_args_parser", "main"]

# Registry of sub-command modules; each defines ``register(subparsers) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "labelgraph.cli._build",
    "labelgraph.cli._query",
    "labelgraph.cli._inspect",
    "labelgraph.cli._corpus",
)


def get_args_parser() -> argparse.ArgumentParser:
    # make_parser adds --version (corpora.cli_common.package_version, shared with `vision`)
    return make_parser(
        "labelgraph",
        "Build, query, inspect and evaluate label-association graphs from Wikipedia.",
        COMMAND_MODULES,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("labelgraph", get_args_parser, argv)
