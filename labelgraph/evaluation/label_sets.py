"""Label-set tasks: completion (hide one label, rank the rest) and intruder detection.

Both are cross-validated over images: the baselines (frequency prior, annotation
co-occurrence) are always estimated on the *other* folds, and when the graph itself was built
from the same label-set file, ``fold_graph`` rebuilds its annotation part from the other folds
too, so no image ever scores itself.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from labelgraph.evaluation._folds import kfold_assignments
from labelgraph.evaluation._readers import read_label_sets
from labelgraph.evaluation._text_statistics import full_text_adjacency
from labelgraph.evaluation.annotation_stats import AnnotationStats
from labelgraph.evaluation.completion_fit import (
    best_weights,
    completion_weight_scores,
    with_completion,
)
from labelgraph.evaluation.eval_row import EvalRow
from labelgraph.evaluation.metrics import (
    expected_recall_at_k,
    expected_reciprocal_rank,
    tie_aware_rank,
)

__all__ = ["evaluate_label_sets", "odd_one_out_accuracy", "FoldGraph"]

logger = logging.getLogger(__name__)

# fold_graph(train_sets as vocabulary indices) -> graph with .complete / .odd_one_out
FoldGraph = Callable[[list[list[int]]], Any]


def odd_one_out_accuracy(member_scores: np.ndarray, intruder: int) -> float:
    """Expected accuracy of picking the lowest-scoring member, ties broken at random.

    Args:
        member_scores: ``[n]`` mean association of each member with the others.
        intruder: position of the true intruder.
    """
    s = np.asarray(member_scores, dtype=np.float64)
    low = s.min()
    if s[intruder] != low:
        return 0.0
    return 1.0 / float(np.count_nonzero(s == low))


def _mean_with_others(sim: np.ndarray) -> np.ndarray:
    """``[n]`` mean of each row of an ``[n, n]`` similarity matrix, diagonal excluded."""
    n = sim.shape[0]
    return (sim.sum(axis=1) - np.diag(sim)) / max(n - 1, 1)


def _graph_scores(
    graph: Any, given_codes: list[str], index: dict[str, int], num: int
) -> np.ndarray:
    scores = np.full(num, -np.inf)
    for code, score in graph.complete(given_codes, k=num):
        scores[index[code]] = float(score)
    return scores


def evaluate_label_sets(
    graph: Any,
    path: str | os.PathLike[str],
    folds: int = 5,
    seed: int = 0,
    k: int = 10,
    intruder_pool: int = 20,
    fold_graph: FoldGraph | None = None,
    max_images: int | None = None,
    progress: bool = True,
    inner_folds: int = 4,
) -> list[EvalRow]:
    """Completion recall@k / MRR and intruder accuracy on an image label-set file.

    Completion: for every evaluated image and every one of its labels, hide it and rank all
    other vocabulary labels (the remaining given labels excluded) with ``graph.complete``;
    recall@k and MRR are expected values under random tie-breaking. Baselines on the same
    queries: the frequency prior (image frequency in the training folds) and annotation
    co-occurrence (``sum_s P(label | s)`` over the training folds).

    When the graph completes directionally (``scoring["completion"] == "conditional"``) and
    ``inner_folds >= 2``, the mixture weights of ``P(c | s)`` are chosen per outer fold by
    inner cross-validation on its training images (:func:`~labelgraph.evaluation.
    completion_fit.completion_weight_scores`: text ``w``, prior ``v``, name-head hypernym
    ``u``), and three ablations get rows of their own, chosen from the same inner-CV scores:
    ``"graph, no hypernyms"`` (``u = 0``, ``w`` and ``v`` fitted), ``"graph, no text"``
    (``w = u = 0``, ``v`` fitted) and ``"graph, PMI sum"`` (the symmetric ``"association"``
    scoring).

    Intruder: to every evaluated image's set one label drawn from the ``intruder_pool`` most
    frequent training labels (not already in the set) is added at a random position; accuracy
    of ``graph.odd_one_out`` against text only (mean text PPMI with the others, over all pairs
    when the graph folder stores its counts, else the stored top-k ``text`` edges),
    annotation-only NPMI (training folds) and chance ``1 / (n + 1)``.

    Args:
        graph: a LabelGraph (public API: ``labels``, ``complete``, ``odd_one_out``,
            ``adjacency``, ``sources``).
        path: label-set file (see :func:`~labelgraph.evaluation._readers.read_label_sets`).
        folds: number of image folds (>= 2).
        seed: fold split, intruder choice and position.
        k: cut-off of recall@k.
        intruder_pool: intruders are drawn from this many most frequent training labels.
        fold_graph: when given, called once per fold with the training folds' label sets
            (vocabulary indices) and must return the graph to evaluate that fold with;
            ``None`` evaluates ``graph`` itself on every fold.
        max_images: evaluate only the first ``max_images`` images of the seeded order.
        progress: tqdm bar over folds on stderr.
        inner_folds: inner folds of the weight fit (0 or 1: the graph's own weights).
    """
    raw = read_label_sets(path)
    labels = list(graph.labels)
    index = {c: i for i, c in enumerate(labels)}
    num = len(labels)
    n_unmapped = 0
    sets: list[list[int]] = []
    for codes in raw.values():
        mapped = [index[c] for c in codes if c in index]
        n_unmapped += len(codes) - len(mapped)
        sets.append(mapped)
    fold_of = kfold_assignments(len(sets), folds, seed)
    rng = np.random.default_rng(seed)
    evaluated = np.zeros(len(sets), dtype=bool)
    eligible = [i for i, s in enumerate(sets) if len(s) >= 2]
    if max_images is not None:
        order = np.random.default_rng(seed + 1).permutation(len(eligible))[:max_images]
        eligible = sorted(eligible[i] for i in order)
    evaluated[eligible] = True
    text_adj = None
    if "text" in graph.sources:  # every pair's text PPMI when the counts are stored
        text_adj = full_text_adjacency(graph)
        text_adj = graph.adjacency("text").tocsr() if text_adj is None else text_adj

    directional = graph.scoring.get("completion") == "conditional"
    fit = directional and inner_folds >= 2
    ablations = ("graph, no hypernyms", "graph, no text", "graph, PMI sum") if directional else ()
    chosen: list[tuple[float, float, float]] = []
    comp: dict[str, list[tuple[float, float]]] = {
        "combined graph": [],
        **{name: [] for name in ablations},
        "frequency prior": [],
        "annotation co-occurrence": [],
    }
    intr: dict[str, list[float]] = {
        "combined graph": [],
        "text only": [],
        "annotation only": [],
        "chance": [],
    }
    fold_iter = tqdm(range(folds), desc="label-set folds", disable=not progress)
    for f in fold_iter:
        train = [s for s, fo in zip(sets, fold_of) if fo != f and s]
        test = [i for i in np.flatnonzero((fold_of == f) & evaluated)]
        if not test:
            continue
        stats = AnnotationStats(train, num)
        g = fold_graph(train) if fold_graph is not None else graph
        graphs = {"combined graph": g}
        if fit:
            refit = fold_graph is not None
            grid, queries = completion_weight_scores(
                g, train, refit=refit, inner_folds=inner_folds, k=k
            )
            sc = g.scoring
            w, v, u = (
                best_weights(grid)
                if queries
                else (
                    float(sc["completion_text_weight"]),
                    float(sc["completion_prior_weight"]),
                    float(sc["completion_hypernym_weight"]),
                )
            )
            chosen.append((w, v, u))
            logger.info("fold %d: P(c|s) weights text %g, prior %g, hypernym %g", f, w, v, u)
            graphs["combined graph"] = g = with_completion(
                g, completion_text_weight=w, completion_prior_weight=v, completion_hypernym_weight=u
            )
            w1, v1, _ = best_weights(grid, hypernym_weight=0.0) if queries else (w, v, 0.0)
            graphs["graph, no hypernyms"] = with_completion(
                g,
                completion_text_weight=w1,
                completion_prior_weight=v1,
                completion_hypernym_weight=0.0,
            )
            _, v0, _ = (
                best_weights(grid, text_weight=0.0, hypernym_weight=0.0) if queries else (0, v, 0)
            )
            graphs["graph, no text"] = with_completion(
                g,
                completion_text_weight=0.0,
                completion_prior_weight=v0,
                completion_hypernym_weight=0.0,
            )
        elif directional:
            graphs["graph, no hypernyms"] = with_completion(g, completion_hypernym_weight=0.0)
            graphs["graph, no text"] = with_completion(
                g, completion_text_weight=0.0, completion_hypernym_weight=0.0
            )
        if directional:
            graphs["graph, PMI sum"] = with_completion(g, completion="association")
        pool = [int(i) for i in np.argsort(-stats.freq, kind="stable")[:intruder_pool]]
        for i in test:
            s = sets[i]
            for h in range(len(s)):
                hidden = s[h]
                given = s[:h] + s[h + 1 :]
                given_codes = [labels[j] for j in given]
                candidates = {
                    **{n: _graph_scores(x, given_codes, index, num) for n, x in graphs.items()},
                    "frequency prior": stats.freq,
                    "annotation co-occurrence": stats.completion_scores(given),
                }
                for name, scores in candidates.items():
                    greater, ties = tie_aware_rank(scores, hidden, exclude=np.asarray(given))
                    comp[name].append(
                        (
                            expected_recall_at_k(greater, ties, k),
                            expected_reciprocal_rank(greater, ties),
                        )
                    )
            choices = [j for j in pool if j not in s]
            if not choices:
                continue
            intruder = int(choices[rng.integers(len(choices))])
            pos = int(rng.integers(len(s) + 1))
            members = s[:pos] + [intruder] + s[pos:]
            codes = [labels[j] for j in members]
            intr["combined graph"].append(float(g.odd_one_out(codes) == labels[intruder]))
            if text_adj is not None:
                sim = text_adj[members][:, members].toarray()
                intr["text only"].append(odd_one_out_accuracy(_mean_with_others(sim), pos))
            ann = np.array(
                [[stats.npmi(a, b) if a != b else 0.0 for b in members] for a in members]
            )
            intr["annotation only"].append(odd_one_out_accuracy(_mean_with_others(ann), pos))
            intr["chance"].append(1.0 / len(members))

    data = Path(path).name
    n_img = int(evaluated.sum())
    mode = "graph refit per fold" if fold_graph is not None else "graph as built"
    cov = f"{n_img} images, {len(comp['combined graph'])} queries, {folds} folds, {mode}"
    if n_unmapped:
        cov += f", {n_unmapped} labels not in vocabulary"
    if chosen:
        cov += ", P(c|s) weights (text, prior, hypernym) by inner CV: " + " ".join(
            f"({w:g}, {v:g}, {u:g})" for w, v, u in chosen
        )

    def mean(v: list[float]) -> float:
        return float(np.mean(v)) if v else float("nan")

    rows = []
    for metric, col in ((f"recall@{k}", 0), ("mrr", 1)):
        for method in ("combined graph", *ablations):
            rows.append(
                EvalRow(
                    task="completion",
                    data=data,
                    metric=metric,
                    method=method,
                    value=mean([x[col] for x in comp[method]]),
                    baselines=[
                        ("frequency prior", mean([x[col] for x in comp["frequency prior"]])),
                        (
                            "annotation co-occurrence",
                            mean([x[col] for x in comp["annotation co-occurrence"]]),
                        ),
                    ],
                    coverage=cov,
                    n=len(comp["combined graph"]),
                )
            )
    baselines = [("annotation only", mean(intr["annotation only"]))]
    if text_adj is not None:
        baselines.insert(0, ("text only", mean(intr["text only"])))
    baselines.append(("chance", mean(intr["chance"])))
    rows.append(
        EvalRow(
            task="intruder",
            data=data,
            metric="accuracy",
            method="combined graph",
            value=mean(intr["combined graph"]),
            baselines=baselines,
            coverage=f"{len(intr['combined graph'])} sets, intruder from top {intruder_pool}, {mode}",
            n=len(intr["combined graph"]),
        )
    )
    return rows
