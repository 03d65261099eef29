"""Measure a label graph against data nobody here wrote (``labelgraph evaluate``).

* word similarity (WordSim-353, SimLex-999): Spearman rho, pairs covered;
* real image co-occurrence (COCO / VOC pair counts): Spearman and AUC of text association;
* image label sets (``tuning_labels.csv``): completion recall@k / MRR and intruder accuracy,
  cross-validated over images.

Importing the package registers the pair scorers (:mod:`labelgraph.evaluation.scorers`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import labelgraph.evaluation.scorers  # noqa: F401  (registers the pair scorers)
from labelgraph.evaluation._manifest_inputs import manifest_mentions_file
from labelgraph.evaluation.cooccurrence import COOCCURRENCE_METHODS, evaluate_cooccurrence
from labelgraph.evaluation.eval_row import EvalRow, format_table
from labelgraph.evaluation.label_sets import evaluate_label_sets
from labelgraph.evaluation.pair_scorers import list_pair_scorers
from labelgraph.evaluation.similarity import evaluate_similarity

__all__ = [
    "EvalRow",
    "format_table",
    "evaluate_graph",
    "evaluate_similarity",
    "evaluate_cooccurrence",
    "evaluate_label_sets",
    "COOCCURRENCE_METHODS",
    "list_pair_scorers",
]

logger = logging.getLogger(__name__)


def evaluate_graph(
    graph: Any,
    similarity: Sequence[str | os.PathLike[str]] = (),
    cooccurrence: Sequence[str | os.PathLike[str]] = (),
    label_sets: Sequence[str | os.PathLike[str]] = (),
    folds: int = 5,
    seed: int = 0,
    k: int = 10,
    intruder_pool: int = 20,
    max_images: int | None = None,
    progress: bool = True,
    pair_scorers: Sequence[str] = COOCCURRENCE_METHODS,
    inner_folds: int = 4,
) -> list[EvalRow]:
    """Run every requested evaluation and return the table rows in order.

    ``pair_scorers`` are the methods of the co-occurrence rows (names of
    :data:`~labelgraph.evaluation.pair_scorers.PAIR_SCORERS`; default
    :data:`~labelgraph.evaluation.cooccurrence.COOCCURRENCE_METHODS`); ``inner_folds`` those
    of the per-fold fit of the directional completion weights (0: the graph's own weights).

    For each label-set file that the graph's manifest lists as a build input (same path or
    checksum), the graph's annotation edges are rebuilt per fold from the other folds' images
    (:func:`labelgraph.evaluation.fold_refit.annotation_refit`) so no image scores itself.
    """
    rows: list[EvalRow] = []
    for path in similarity:
        rows.extend(evaluate_similarity(graph, path))
    for path in cooccurrence:
        rows.extend(evaluate_cooccurrence(graph, path, methods=tuple(pair_scorers)))
    for path in label_sets:
        fold_graph = None
        if manifest_mentions_file(graph.manifest, path):
            from labelgraph.evaluation.fold_refit import annotation_refit

            logger.info("%s was a build input: refitting the annotation edges per fold", path)
            fold_graph = annotation_refit(graph)
        rows.extend(
            evaluate_label_sets(
                graph,
                path,
                folds=folds,
                seed=seed,
                k=k,
                intruder_pool=intruder_pool,
                fold_graph=fold_graph,
                max_images=max_images,
                progress=progress,
                inner_folds=inner_folds,
            )
        )
    return rows
