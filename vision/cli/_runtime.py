"""``--device`` and ``--threads``, the same on every ``vision`` command that runs a model.

* :func:`add_runtime_flags` adds them (a ``runtime`` argument group); ``--device`` is checked
  for its spelling here, for availability by :func:`vision.resolve_device.resolve_device`
  when the command runs (one error wording everywhere).
* :func:`apply_threads` sets torch's intra-op threads from ``--threads`` or the default of
  :func:`corpora.cli_common.choose_threads` (usable CPUs, loader workers) and logs the
  choice once per process.
"""

from __future__ import annotations

import argparse
import logging

from corpora.cli_common import choose_threads
from corpora.errors import InputError
from vision.resolve_device import DEVICE_CHOICES, check_device_spelling

__all__ = ["add_runtime_flags", "apply_threads", "device_flag"]

logger = logging.getLogger(__name__)

_logged: tuple[int, str] | None = None


def device_flag(text: str) -> str:
    """argparse type of ``--device``: the spelling only (availability is checked at run time)."""
    try:
        return check_device_spelling(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _threads_flag(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--threads takes a whole number >= 1, not {text!r}")
    return value


def add_runtime_flags(parser: argparse.ArgumentParser, *, default_device: str = "cpu") -> None:
    """Add ``--device`` and ``--threads`` (group ``runtime``)."""
    group = parser.add_argument_group("runtime")
    group.add_argument(
        "--device",
        type=device_flag,
        default=default_device,
        metavar="DEVICE",
        help=f"{DEVICE_CHOICES} (auto: cuda when a GPU is visible, else cpu) "
        "(default: %(default)s)",
    )
    group.add_argument(
        "--threads",
        type=_threads_flag,
        default=None,
        metavar="N",
        help="torch compute threads (default: OMP_NUM_THREADS when set, else the usable CPUs "
        "(affinity, cgroup quota) minus the loader workers, minus one left to other processes; "
        "at least 1). Results can differ in the last digits with the thread count",
    )


def apply_threads(threads: int | None, workers: int = 0) -> int:
    """Set torch's intra-op thread count (``threads`` or the default) and log it once;
    returns the count."""
    import torch

    global _logged
    n, why = choose_threads(threads, workers)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    if _logged != (n, why):
        logger.info("torch threads: %d (%s)", n, why)
        _logged = (n, why)
    return n
