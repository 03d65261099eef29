"""The catalogue of label-pair scorers: how strongly a graph associates labels ``i`` and ``j``.

Each scorer is ``fn(graph, rows [P] int, cols [P] int) -> [P] float64`` (``nan`` where the pair
cannot be scored, e.g. a label without an embedding). Scorers only use the public LabelGraph
attributes of ``docs/interfaces.md`` (``embeddings``, ``missing``, ``adjacency``, ``sources``,
``frequency``). They live in :mod:`labelgraph.evaluation.scorers`, one module each, and
register themselves with :func:`register_pair_scorer` (this module never imports them;
``import labelgraph.evaluation`` does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from corpora.catalogue import Catalogue

__all__ = [
    "PAIR_SCORERS",
    "PairScorer",
    "register_pair_scorer",
    "create_pair_scorer",
    "list_pair_scorers",
]

PairScorer = Callable[[Any, np.ndarray, np.ndarray], np.ndarray]

#: name -> scorer ``fn(graph, rows, cols)``
PAIR_SCORERS: Catalogue[np.ndarray] = Catalogue("pair scorer")


def register_pair_scorer(name: str, **kwargs: Any) -> Callable[[PairScorer], PairScorer]:
    """Decorator adding a scorer under ``name`` (``kwargs``: ``help``, ``aliases``, ``tags`` of
    :meth:`Catalogue.register`)."""
    return PAIR_SCORERS.register(name, **kwargs)


def list_pair_scorers() -> list[str]:
    """Names accepted by :func:`create_pair_scorer`, sorted."""
    return PAIR_SCORERS.names()


def create_pair_scorer(name: str) -> PairScorer:
    """The scorer registered under ``name``.

    Raises:
        InputError: ``unknown pair scorer 'x'; choose one of: ...``.
    """
    return PAIR_SCORERS.get(name).factory
