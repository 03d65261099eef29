"""Word-similarity evaluation: Spearman rho of graph scores against human judgements."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from labelgraph.evaluation._name_lookup import NameLookup
from labelgraph.evaluation._readers import read_similarity_pairs
from labelgraph.evaluation.eval_row import EvalRow
from labelgraph.evaluation.metrics import spearman
from labelgraph.evaluation.pair_scorers import create_pair_scorer

__all__ = ["evaluate_similarity", "SIMILARITY_METHODS"]

logger = logging.getLogger(__name__)

SIMILARITY_METHODS: tuple[str, ...] = ("embedding cosine", "text PPMI")


def evaluate_similarity(
    graph: Any,
    path: str | os.PathLike[str],
    methods: tuple[str, ...] = SIMILARITY_METHODS,
) -> list[EvalRow]:
    """Spearman rho between graph scores and human similarity on a WordSim/SimLex file.

    A pair is covered when both words are label names of the graph (case-insensitive, first
    code wins for shared names) and both labels have an embedding; every method is measured
    on the same covered pairs (a method that cannot score a pair, e.g. ``text PPMI`` without
    stored counts, drops it). The baseline is chance (rho 0). When the graph folder holds the
    build's word vectors (``embeddings/word2vec.bin``), one more row scores every pair whose
    two (lower-cased) words have a vector.

    Returns:
        one :class:`EvalRow` per method (``metric="spearman"``), then the word2vec row.
    """
    pairs = read_similarity_pairs(path)
    lookup = NameLookup(graph.vocab.names)
    missing = np.asarray(graph.missing, dtype=bool)
    rows, cols, human = [], [], []
    for w1, w2, score in pairs:
        i, _ = lookup.find(w1)
        j, _ = lookup.find(w2)
        if i is None or j is None or i == j or missing[i] or missing[j]:
            continue
        rows.append(i)
        cols.append(j)
        human.append(score)
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    h = np.asarray(human, dtype=np.float64)
    logger.info("%s: %d of %d pairs covered by the graph's labels", path, len(h), len(pairs))
    out = []
    for method in methods:
        scores = create_pair_scorer(method)(graph, r, c) if len(r) else np.zeros(0)
        ok = ~np.isnan(scores)
        out.append(
            EvalRow(
                task="similarity",
                data=Path(path).name,
                metric="spearman",
                method=method,
                value=spearman(scores[ok], h[ok]),
                baselines=[("chance", 0.0)],
                coverage=f"{int(ok.sum())}/{len(pairs)} pairs",
                n=int(ok.sum()),
            )
        )
    kv_path = (
        Path(graph.path) / "embeddings" / "word2vec.bin" if getattr(graph, "path", None) else None
    )
    if kv_path is not None and kv_path.is_file():
        out.append(_word2vec_row(kv_path, pairs, Path(path).name))
    return out


def _word2vec_row(kv_path: Path, pairs: list[tuple[str, str, float]], data: str) -> EvalRow:
    """Spearman of the build's word vectors over every pair whose two words have a vector."""
    from labelgraph.embeddings import load_keyed_vectors

    kv = load_keyed_vectors(kv_path)
    scores, human = [], []
    for w1, w2, score in pairs:
        a, b = w1.lower(), w2.lower()
        if a in kv.key_to_index and b in kv.key_to_index:
            scores.append(float(kv.similarity(a, b)))
            human.append(score)
    return EvalRow(
        task="similarity",
        data=data,
        metric="spearman",
        method="word2vec (all words)",
        value=spearman(np.asarray(scores), np.asarray(human)),
        baselines=[("chance", 0.0)],
        coverage=f"{len(scores)}/{len(pairs)} pairs",
        n=len(scores),
    )
