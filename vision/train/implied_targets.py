"""Graph-aware soft training targets: labels strongly implied by an image's positives.

Open Images labels are incomplete: an image labelled Shopkeeper rarely also carries Person.
With ``vision train --implied-targets graph`` each training image with positive labels ``S``
(``target > 0``) gets, for every label ``c`` outside ``S`` that is not a verified negative::

    target(c) = min(1, beta * max_{s in S} P(c | s))     where P(c | s) >= min_prob
    target(c) = 0 (unchanged)                              otherwise

``beta`` = ``weight`` in (0, 1]; positives keep their values, verified negatives (``Target
== 0`` rows, the ``hard_negatives`` of :func:`~vision.data.targets_matrix`) stay 0.
``P(c | s)`` is directional (most shopkeepers are people; few people are shopkeepers), read
from the run's :class:`~labelgraph.LabelGraph` by ``source``:

* ``completion``: the graph's :class:`~labelgraph.conditional_completion.ConditionalCompletion`
  (what ``LabelGraph.complete`` uses: image pair counts ``n_sc / n_s`` mixed with a text
  conditional and the prior);
* an edge source of the graph (``annotation``, ``text``, ``combined``, ...): its positive
  PMI ``A`` (nats) turned into ``P(c | s) = min(1, p(c) exp(A_sc))``, with ``p`` the label's
  relative frequency of the matching kind (annotation images for ``annotation``, corpus
  mentions for ``text``; the graph's prior :meth:`~labelgraph.LabelGraph.log_prior` for
  the others); labels without an edge from ``s`` get nothing.

Everything stays sparse: the implication matrix ``P`` is ``[L, L]`` CSR with at most
``max_per_label`` entries a row (the strongest, :func:`labelgraph.sparse_matrices.top_k_per_row`),
and the targets ``[N, L]`` CSR grow by at most ``|S| * max_per_label`` entries per image.
``labelgraph`` is imported only when a graph is read (never at module import).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.errors import InputError
from vision.label_graph_matrices import graph_to_model_index, pmi_conditional_matrix

__all__ = [
    "IMPLIED_TARGETS",
    "COMPLETION_SOURCE",
    "ImpliedTargets",
    "implication_matrix",
    "imply_targets",
]

logger = logging.getLogger(__name__)

#: values of ``--implied-targets``: ``none`` (the targets as read) or ``graph``
IMPLIED_TARGETS = ("none", "graph")
#: the ``--implied-source`` that reads the graph's directional completion model
COMPLETION_SOURCE = "completion"
#: images per block when expanding positives into implied entries (bounds the memory)
_BLOCK = 65536


def implication_matrix(
    graph: Any,
    codes: Sequence[str],
    source: str = "annotation",
    min_prob: float = 0.5,
    max_per_label: int = 10,
) -> sp.csr_matrix:
    """``P`` ``[L, L]`` float32 CSR over the model's ``codes``: ``P[s, c] = P(c | s)`` where
    it is at least ``min_prob`` (zero diagonal, at most ``max_per_label`` entries a row).

    Args:
        graph: a :class:`~labelgraph.LabelGraph`.
        codes: ``[L]`` the model's label codes, in output order; codes absent from the graph
            imply nothing and are implied by nothing.
        source: ``completion`` or one of ``graph.sources`` (see the module docstring; an edge
            source goes through :func:`vision.label_graph_matrices.pmi_conditional_matrix`).
        min_prob: smallest conditional kept, in (0, 1] [0.5].
        max_per_label: strongest implied labels kept per source label (0: all) [10].

    Raises:
        InputError: ``source`` is neither ``completion`` nor an edge source of the graph.
    """
    from labelgraph.sparse_matrices import top_k_per_row  # the graph's package, loaded already

    if source == COMPLETION_SOURCE:
        p = _completion_matrix(graph, codes, min_prob)
    elif source in graph.sources:
        p = pmi_conditional_matrix(graph, codes, source)
    else:
        raise InputError(
            f"--implied-source {source!r} is not in the graph; available: "
            f"{', '.join([COMPLETION_SOURCE, *graph.sources])}"
        )
    p = p.tocoo()
    keep = p.data >= min_prob
    out = sp.csr_matrix((p.data[keep], (p.row[keep], p.col[keep])), shape=p.shape, dtype=np.float32)
    return top_k_per_row(out, max_per_label)


def _completion_matrix(graph: Any, codes: Sequence[str], min_prob: float) -> sp.csr_matrix:
    """``P(c | s) >= min_prob`` ``[L, L]`` float32 CSR in the model's order from the graph's
    completion model, one dense ``[L_graph]`` row at a time (only for labels of the model;
    zero diagonal)."""
    model = graph.completion_model()
    to_model = graph_to_model_index(graph, codes)
    rows, cols, vals = [], [], []
    for s in np.flatnonzero(to_model >= 0):
        p = model.conditional(int(s))
        c = np.flatnonzero(p >= min_prob)
        c = c[(to_model[c] >= 0) & (c != s)]
        rows.append(np.full(len(c), to_model[s], dtype=np.int64))
        cols.append(to_model[c])
        vals.append(p[c].astype(np.float32))
    n = len(codes)
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n, n),
        dtype=np.float32,
    )


def imply_targets(
    targets: sp.spmatrix,
    implication: sp.spmatrix,
    weight: float = 0.5,
    hard_negatives: sp.spmatrix | None = None,
) -> sp.csr_matrix:
    """Targets with the implied soft labels added (see the module docstring).

    Args:
        targets: ``[N, L]`` sparse targets (positives ``> 0``).
        implication: ``[L, L]`` sparse ``P[s, c] = P(c | s)`` (:func:`implication_matrix`).
        weight: ``beta``, the multiplier of the conditional, in (0, 1] [0.5].
        hard_negatives: ``[N, L]`` sparse indicator of verified negatives, left at 0.

    Returns:
        ``[N, L]`` float32 CSR: the positives of ``targets`` unchanged, plus
        ``min(1, weight * max_{s in S_i} P[s, c])`` at every other ``(i, c)`` reached by an
        entry of ``implication`` and not a verified negative.
    """
    t = sp.csr_matrix(targets, dtype=np.float32)
    t.sort_indices()
    n, n_labels = t.shape
    imp = sp.csr_matrix(implication, dtype=np.float32)
    if imp.shape != (n_labels, n_labels):
        raise ValueError(f"implication is {imp.shape}, targets have {n_labels} labels")
    hard = None if hard_negatives is None else sp.csr_matrix(hard_negatives, dtype=np.float32)
    if hard is not None and hard.shape != t.shape:
        raise ValueError(f"hard_negatives is {hard.shape}, targets are {t.shape}")
    blocks = []
    for lo in range(0, max(n, 1), _BLOCK):
        hi = min(n, lo + _BLOCK)
        blocks.append(
            _soft_block(t[lo:hi], imp, float(weight), None if hard is None else hard[lo:hi])
        )
    soft = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix(t.shape, dtype=np.float32)
    out = (t + soft).tocsr()  # disjoint supports: the union
    out.sort_indices()
    return out.astype(np.float32)


def _soft_block(
    t: sp.csr_matrix, imp: sp.csr_matrix, weight: float, hard: sp.csr_matrix | None
) -> sp.csr_matrix:
    """The soft entries only (``[n, L]`` CSR) of a block of target rows."""
    n, n_labels = t.shape
    pos = t.data > 0
    img = np.repeat(np.arange(n, dtype=np.int64), np.diff(t.indptr))[pos]
    src = t.indices[pos]
    per = np.diff(imp.indptr)[src]  # implied labels of each positive
    if per.sum() == 0:
        return sp.csr_matrix((n, n_labels), dtype=np.float32)
    rows = np.repeat(img, per)
    starts = np.repeat(imp.indptr[src], per)
    offset = np.arange(int(per.sum()), dtype=np.int64) - np.repeat(np.cumsum(per) - per, per)
    cols = imp.indices[starts + offset].astype(np.int64)
    vals = imp.data[starts + offset]
    key = rows * n_labels + cols
    # drop the image's positives and verified negatives
    taken = _keys(t, t.data > 0)
    if hard is not None:
        taken = np.concatenate([taken, _keys(hard, hard.data > 0)])
    keep = ~np.isin(key, taken)
    key, vals = key[keep], vals[keep]
    # max over the image's positives: sort by key, then value; the last of each key wins
    order = np.lexsort((vals, key))
    key, vals = key[order], vals[order]
    last = np.ones(len(key), dtype=bool)
    last[:-1] = key[1:] != key[:-1]
    key, vals = key[last], np.minimum(1.0, weight * vals[last].astype(np.float64))
    return sp.csr_matrix(
        (vals.astype(np.float32), (key // n_labels, key % n_labels)),
        shape=(n, n_labels),
        dtype=np.float32,
    )


def _keys(m: sp.csr_matrix, which: np.ndarray) -> np.ndarray:
    """``row * L + col`` (int64) of the stored entries of ``m`` selected by ``which``."""
    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
    return (rows * m.shape[1] + m.indices)[which]


@dataclass
class ImpliedTargets:
    """The ``--implied-*`` settings of a run, applied to its training targets.

    Attributes:
        mode: ``none`` (targets as read, bit for bit) or ``graph``.
        weight: ``beta`` in (0, 1] [0.5].
        min_prob: smallest ``P(c | s)`` that implies ``c``, in (0, 1] [0.5].
        max_per_label: implied labels kept per source label (0: all) [10].
        source: ``completion`` or an edge source of the graph [``annotation``].
    """

    mode: str = "none"
    weight: float = 0.5
    min_prob: float = 0.5
    max_per_label: int = 10
    source: str = "annotation"

    def __post_init__(self) -> None:
        if self.mode not in IMPLIED_TARGETS:
            raise InputError(
                f"--implied-targets must be one of {', '.join(IMPLIED_TARGETS)}, not {self.mode!r}"
            )
        if not 0 < self.weight <= 1:
            raise InputError(f"--implied-weight must be in (0, 1], got {self.weight}")
        if not 0 < self.min_prob <= 1:
            raise InputError(f"--implied-min-prob must be in (0, 1], got {self.min_prob}")
        if self.max_per_label < 0:
            raise InputError(f"--implied-max-per-label must be >= 0, got {self.max_per_label}")

    @property
    def active(self) -> bool:
        return self.mode != "none"

    def describe(self) -> str:
        """``none``, or ``graph (annotation, beta 0.5, min P 0.5, <= 10 per label)``."""
        if not self.active:
            return self.mode
        return (
            f"{self.mode} ({self.source}, beta {self.weight:g}, min P {self.min_prob:g}, "
            f"<= {self.max_per_label} per label)"
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ImpliedTargets:
        """The settings recorded in a checkpoint's ``config`` (absent keys: the defaults,
        ``none`` for runs saved before the option existed)."""
        keys = {
            "mode": "implied_targets",
            "weight": "implied_weight",
            "min_prob": "implied_min_prob",
            "max_per_label": "implied_max_per_label",
            "source": "implied_source",
        }
        return cls(**{name: config[key] for name, key in keys.items() if key in config})

    def check_graph(self, graph: str) -> None:
        """Refuse implied targets without a graph folder (``graph`` is ``--graph``)."""
        if self.active and graph == "identity":
            raise InputError(
                "--implied-targets graph needs a label graph: pass --graph DIR (a `labelgraph "
                "build` folder); --graph identity has no edges to imply labels with"
            )

    def apply(
        self,
        targets: sp.spmatrix,
        graph: Any,
        codes: Sequence[str],
        hard_negatives: sp.spmatrix | None = None,
    ) -> sp.csr_matrix:
        """``targets`` ``[N, L]`` with the implied soft targets (``targets`` itself when the
        mode is ``none``); logs how many were added and their mean value."""
        if not self.active:
            return targets
        known = set(graph.labels)
        if not any(c in known for c in codes):
            raise InputError(
                f"--implied-targets graph: the graph holds none of the run's {len(codes)} label "
                f"codes (run: {', '.join(codes[:3])}, ...; graph: {', '.join(graph.labels[:3])}, "
                "...), so it implies nothing; pass --graph a folder built with the run's "
                "class-descriptions.csv (labelgraph build --labels)"
            )
        imp = implication_matrix(graph, codes, self.source, self.min_prob, self.max_per_label)
        out = imply_targets(targets, imp, self.weight, hard_negatives)
        before = sp.csr_matrix(targets)
        added = out.nnz - before.nnz
        soft = (out - before).tocsr()
        soft.eliminate_zeros()
        mean = float(soft.data.sum() / added) if added else 0.0
        logger.info(
            "implied targets (%s, beta %g, min P %g, <= %d per label): %d implications, "
            "%d soft targets added to %d of %d images, mean %.3f",
            self.source,
            self.weight,
            self.min_prob,
            self.max_per_label,
            imp.nnz,
            added,
            int((np.diff(soft.indptr) > 0).sum()),
            out.shape[0],
            mean,
        )
        if not added:
            logger.warning(
                "--implied-targets graph: no soft target added (%s gives no P(c | s) >= %g "
                "among the run's labels); training runs as with --implied-targets none. Lower "
                "--implied-min-prob or pick another --implied-source",
                self.source,
                self.min_prob,
            )
        return out
