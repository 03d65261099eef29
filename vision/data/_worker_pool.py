"""Run independent image-decoding tasks in worker processes (private plumbing).

Used by the image cache build (one task per shard) and the up-front decode check (one task
per chunk of files). With ``workers <= 1`` (or a single task) the tasks run here, in order.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_tasks(fn: Callable[[T], R], tasks: Sequence[T], workers: int = 1) -> Iterator[R]:
    """``fn(task)`` for every task, in ``workers`` processes; results in completion order.

    ``fn`` must be a top-level (picklable) function. An exception in a task stops the map and
    is raised here (the results already yielded stay with the caller).
    """
    procs = min(max(1, int(workers)), len(tasks))
    if procs <= 1:
        for task in tasks:
            yield fn(task)
        return
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ctx.Pool(procs) as pool:
        yield from pool.imap_unordered(fn, tasks, chunksize=1)


def chunks(n: int, size: int) -> Iterable[tuple[int, int]]:
    """``(start, stop)`` of consecutive ranges of at most ``size`` covering ``range(n)``."""
    size = max(1, int(size))
    return [(s, min(n, s + size)) for s in range(0, n, size)]
