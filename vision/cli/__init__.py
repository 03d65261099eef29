"""The ``vision`` command line: ``vision SUBCOMMAND ...``.

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
    "vision.cli._synth",
    "vision.cli._evaluate",
    "vision.cli._adapt",
    "vision.cli._predict",
    "vision.cli._train",
)


def get_args_parser() -> argparse.ArgumentParser:
    return make_parser(
        "vision",
        "Train, adapt and evaluate graph-augmented multi-label image classifiers.",
        COMMAND_MODULES,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli("vision", get_args_parser, argv)
