"""Real image co-occurrence: does text association predict which labels appear together?"""

from __future__ import annotations

import logging
import os
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from labelgraph.evaluation._name_lookup import DATASET_ALIASES, NameLookup
from labelgraph.evaluation._readers import read_pair_counts
from labelgraph.evaluation.eval_row import EvalRow
from labelgraph.evaluation.metrics import roc_auc, spearman
from labelgraph.evaluation.pair_scorers import create_pair_scorer

__all__ = ["evaluate_cooccurrence", "COOCCURRENCE_METHODS", "COOCCURRENCE_BASELINE"]

logger = logging.getLogger(__name__)

COOCCURRENCE_METHODS: tuple[str, ...] = (
    "text PPMI",
    "text NPMI",
    "text joint",
    "embedding cosine",
    "combined graph",
    "combined joint",
)
COOCCURRENCE_BASELINE = "frequency product"


def evaluate_cooccurrence(
    graph: Any,
    path: str | os.PathLike[str],
    methods: tuple[str, ...] = COOCCURRENCE_METHODS,
    baseline: str = COOCCURRENCE_BASELINE,
) -> list[EvalRow]:
    """Spearman and AUC of graph association against real image pair counts.

    The dataset's class names are mapped to label names (case-insensitive, then through
    :data:`DATASET_ALIASES`); every unordered pair of mapped classes is an item, with the
    number of images holding both (0 for pairs absent from the file). Spearman is computed
    over all items; AUC separates co-occurring (count > 0) from never co-occurring pairs.
    The baseline (default: product of corpus frequencies) is scored on the same items;
    chance AUC is 0.5. Pairs a method cannot score (``nan``) are dropped for that method only.

    Returns:
        two rows per method: ``spearman`` and ``auc``.
    """
    classes, counts = read_pair_counts(path)
    lookup = NameLookup(graph.vocab.names, aliases=DATASET_ALIASES)
    mapped: dict[str, int] = {}
    via_alias = 0
    for name in classes:
        idx, alias = lookup.find(name)
        if idx is not None:
            mapped[name] = idx
            via_alias += int(alias)
    unmapped = [n for n in classes if n not in mapped]
    if unmapped:
        logger.info(
            "%s: %d names not in the vocabulary: %s", path, len(unmapped), ", ".join(unmapped)
        )
    names = sorted(mapped)
    pairs = [(a, b) for a, b in combinations(names, 2) if mapped[a] != mapped[b]]
    rows = np.asarray([mapped[a] for a, _ in pairs], dtype=np.int64)
    cols = np.asarray([mapped[b] for _, b in pairs], dtype=np.int64)
    truth = np.asarray([counts.get((a, b), 0) for a, b in pairs], dtype=np.float64)
    coverage = (
        f"{len(mapped)}/{len(classes)} names mapped ({via_alias} via aliases), {len(pairs)} pairs"
    )
    base = create_pair_scorer(baseline)(graph, rows, cols) if len(rows) else np.zeros(0)
    out = []
    for method in methods:
        scores = create_pair_scorer(method)(graph, rows, cols) if len(rows) else np.zeros(0)
        ok = ~np.isnan(scores) & ~np.isnan(base)
        data = Path(path).name
        out.append(
            EvalRow(
                task="cooccurrence",
                data=data,
                metric="spearman",
                method=method,
                value=spearman(scores[ok], truth[ok]),
                baselines=[(baseline, spearman(base[ok], truth[ok]))],
                coverage=coverage,
                n=int(ok.sum()),
            )
        )
        out.append(
            EvalRow(
                task="cooccurrence",
                data=data,
                metric="auc",
                method=method,
                value=roc_auc(scores[ok], truth[ok] > 0),
                baselines=[(baseline, roc_auc(base[ok], truth[ok] > 0)), ("chance", 0.5)],
                coverage=coverage,
                n=int(ok.sum()),
            )
        )
    return out
