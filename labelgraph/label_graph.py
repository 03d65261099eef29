"""The :class:`LabelGraph` artifact: labels as nodes, weighted association edges per source.

A graph holds, for ``L`` labels:

* the :class:`~labelgraph.label_vocabulary.LabelVocabulary` (codes and names);
* one symmetric ``[L, L]`` ``float32`` CSR adjacency per *source* (``"text"``, ``"embedding"``,
  ``"annotation"``, ``"combined"``, or any names given to :meth:`LabelGraph.from_edges`);
  weights are non-negative, in PMI units (nats) for ``text``/``annotation``/``combined``;
* node features: an ``[L, D]`` ``float32`` embedding matrix and an ``[L]`` boolean ``missing``
  mask (rows of missing labels are zero, never silently used as vectors);
* node frequencies per kind (``"corpus"``: label mentions in the text; ``"annotation"``:
  images carrying the label);
* the scoring parameters used by :meth:`plausibility`, :meth:`odd_one_out`, :meth:`complete`;
* optionally the image pair counts behind the annotation edges (``annotation_pairs``, ``[L, L]``
  symmetric CSR), which directional completion needs (``P(c | s) = n_sc / n_s``).

On disk a graph is a folder: ``graph.json`` (format name and version, codes, names, sources,
parameters), ``graph.npz`` (arrays), ``manifest.json`` (inputs, parameters, counts, package
versions, build time) and, for built graphs, ``counts/`` (the raw co-occurrence counts and
example sentences behind :meth:`evidence`). No pickle anywhere.

Scoring model (documented in :meth:`complete`): by default directional, ``sum_s P(c | s)``
with image, text and frequency-prior parts (:mod:`labelgraph.conditional_completion`); the
``"association"`` mode is a naive-Bayes log-score that adds the label's log prior frequency to
the sum of its associations with the given labels (plausibility and odd-one-out use it always).

This module holds the frozen artifact (nodes, edges, scoring, save/load); what is computed
from it lives beside it, and the methods of the same name delegate there:

* :mod:`labelgraph.graph_evidence`: the evidence behind an edge (:meth:`LabelGraph.evidence`);
* :mod:`labelgraph.graph_conversions`: networkx and PyG views (:meth:`LabelGraph.to_networkx`,
  :meth:`LabelGraph.to_pyg`);
* :mod:`labelgraph.subgraph`: neighborhoods and induced subgraphs (:meth:`LabelGraph.subgraph`,
  :meth:`LabelGraph.restrict`);
* :mod:`labelgraph.edge_rebuild`: sources replaced or annotation edges refit
  (:meth:`LabelGraph.with_sources`, :meth:`LabelGraph.with_annotations`).

It is built by :class:`labelgraph.graph_builder.GraphBuilder`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_write
from corpora.errors import CorruptInputError, InputError
from corpora.versions import package_versions
from labelgraph.conditional_completion import (
    DEFAULT_HYPERNYM_WEIGHT,
    DEFAULT_PRIOR_WEIGHT,
    DEFAULT_TEXT_WEIGHT,
    ConditionalCompletion,
)
from labelgraph.graph_conversions import to_networkx, to_pyg
from labelgraph.graph_evidence import GraphEvidence
from labelgraph.label_vocabulary import LabelVocabulary
from labelgraph.name_heads import hypernym_matrix
from labelgraph.sparse_matrices import canonical_csr, csr_from_triples, symmetrize
from labelgraph.subgraph import restrict, subgraph

__all__ = [
    "LabelGraph",
    "GRAPH_FORMAT",
    "GRAPH_FORMAT_VERSION",
    "DEFAULT_SCORING",
    "COMPLETION_MODES",
    "FREQUENCY_KINDS",
]

logger = logging.getLogger(__name__)

GRAPH_FORMAT = "labelgraph.graph"
GRAPH_FORMAT_VERSION = 1
#: node frequency kinds every graph answers for (zeros when built without that data)
FREQUENCY_KINDS = ("corpus", "annotation")

#: Defaults of the scoring model (stored with every graph, overridable per graph).
DEFAULT_SCORING: dict[str, Any] = {
    # adjacency used by plausibility / odd_one_out / complete
    "source": "combined",
    # multiplier of the summed associations (nats) against the log prior
    "association_weight": 1.0,
    # weight of the annotation frequency in the prior mixture (when both kinds exist)
    "prior_annotation_weight": 0.8,
    # additive (Laplace) smoothing of the frequency counts in the prior
    "prior_smoothing": 0.01,
    # weight of the negative evidence of never co-annotated pairs in odd_one_out (0 = off)
    "negative_weight": 1.0,
    # complete(): "conditional" (directional sum_s P(c|s)) or "association" (PMI sum)
    "completion": "conditional",
    # weights of the text conditional and of the frequency prior in P(c|s)
    "completion_text_weight": DEFAULT_TEXT_WEIGHT,
    "completion_prior_weight": DEFAULT_PRIOR_WEIGHT,
    # weight of the is-a parents read off the label names (labelgraph.name_heads) in P(c|s)
    "completion_hypernym_weight": DEFAULT_HYPERNYM_WEIGHT,
    # pseudo-images of corpus frequency in the prior p(c) of P(c|s)
    "prior_backoff": 10.0,
}
#: values of ``scoring["completion"]``
COMPLETION_MODES = ("conditional", "association")

Edges = tuple[Sequence[int] | np.ndarray, Sequence[int] | np.ndarray, Sequence[float] | np.ndarray]


class LabelGraph:
    """A label-association graph (see the module docstring for the data model).

    Build one with :class:`~labelgraph.graph_builder.GraphBuilder` (``labelgraph build``),
    :meth:`from_edges` (tests, synthetic graphs) or :meth:`identity`; read one with
    :meth:`load`.
    """

    def __init__(
        self,
        vocab: LabelVocabulary,
        adjacencies: Mapping[str, sp.spmatrix],
        embeddings: np.ndarray | None = None,
        missing: np.ndarray | None = None,
        frequencies: Mapping[str, np.ndarray] | None = None,
        totals: Mapping[str, float] | None = None,
        scoring: Mapping[str, Any] | None = None,
        manifest: Mapping[str, Any] | None = None,
        combination: Mapping[str, Any] | None = None,
        path: str | os.PathLike[str] | None = None,
        annotation_pairs: sp.spmatrix | None = None,
    ) -> None:
        n = len(vocab)
        self.vocab = vocab
        self._adj: dict[str, sp.csr_matrix] = {}
        for source, m in adjacencies.items():
            if m.shape != (n, n):
                raise ValueError(f"adjacency {source!r} has shape {m.shape}, expected ({n}, {n})")
            m = canonical_csr(m, np.float32)
            if m.nnz and float(m.data.min()) < 0:
                raise ValueError(f"adjacency {source!r} has negative weights; weights must be >= 0")
            self._adj[str(source)] = m
        if embeddings is None:
            embeddings = np.zeros((n, 0), dtype=np.float32)
            if missing is None:
                missing = np.ones(n, dtype=bool)
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or embeddings.shape[0] != n:
            raise ValueError(f"embeddings must have shape [{n}, D], got {embeddings.shape}")
        if missing is None:
            missing = ~np.any(embeddings != 0, axis=1)
        missing = np.asarray(missing, dtype=bool)
        if missing.shape != (n,):
            raise ValueError(f"missing mask must have shape [{n}], got {missing.shape}")
        embeddings = embeddings.copy()
        embeddings[missing] = 0.0
        self._embeddings = embeddings
        self._missing = missing
        self._freq: dict[str, np.ndarray] = {}
        for kind, f in (frequencies or {}).items():
            f = np.asarray(f, dtype=np.float64)
            if f.shape != (n,):
                raise ValueError(f"frequency {kind!r} must have shape [{n}], got {f.shape}")
            self._freq[str(kind)] = f
        self.totals: dict[str, float] = {str(k): float(v) for k, v in (totals or {}).items()}
        self.scoring: dict[str, Any] = {**DEFAULT_SCORING, **dict(scoring or {})}
        if self.scoring["completion"] not in COMPLETION_MODES:
            raise InputError(
                f"unknown completion mode {self.scoring['completion']!r}; choose one of: "
                + ", ".join(COMPLETION_MODES)
            )
        if annotation_pairs is not None:
            if annotation_pairs.shape != (n, n):
                raise ValueError(
                    f"annotation_pairs has shape {annotation_pairs.shape}, expected ({n}, {n})"
                )
            annotation_pairs = canonical_csr(annotation_pairs, np.float32)
        #: ``[L, L]`` image pair counts (float32 CSR) or None
        self.annotation_pairs: sp.csr_matrix | None = annotation_pairs
        self.combination: dict[str, Any] = dict(combination or {})
        self.manifest: dict[str, Any] = dict(manifest or {})
        self.path: Path | None = Path(path) if path is not None else None
        self._log_prior_cache: np.ndarray | None = None
        self._warned_pairs = False
        self._hypernyms: sp.csr_matrix | None = None
        self._evidence: GraphEvidence | None = None

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_edges(
        cls,
        codes: Sequence[str],
        names: Sequence[str] | None = None,
        edges: Mapping[str, Edges] | None = None,
        embeddings: np.ndarray | None = None,
        missing: np.ndarray | None = None,
        frequencies: Mapping[str, np.ndarray] | None = None,
        symmetric: bool = True,
        scoring: Mapping[str, Any] | None = None,
    ) -> LabelGraph:
        """A graph from explicit edge lists ``{source: (rows, cols, weights)}``.

        Rows/cols are label indices; duplicate edges are summed. With ``symmetric=True`` (the
        default) each edge set is made symmetric by the elementwise max of ``A`` and ``A.T``.
        When ``edges`` lacks ``"combined"`` and has exactly one source, that source is also
        used as ``"combined"``.
        """
        vocab = LabelVocabulary(codes, names)
        n = len(vocab)
        adj: dict[str, sp.csr_matrix] = {}
        for source, (rows, cols, weights) in (edges or {}).items():
            m = csr_from_triples(rows, cols, weights, n)
            adj[source] = symmetrize(m, "max") if symmetric else m
        if "combined" not in adj:
            adj["combined"] = (
                next(iter(adj.values())).copy()
                if len(adj) == 1
                else sp.csr_matrix((n, n), dtype=np.float32)
            )
        return cls(
            vocab,
            adj,
            embeddings=embeddings,
            missing=missing,
            frequencies=frequencies,
            scoring=scoring,
            manifest={"built_by": "LabelGraph.from_edges"},
        )

    @classmethod
    def identity(
        cls,
        codes: Sequence[str],
        names: Sequence[str] | None = None,
        embeddings: np.ndarray | None = None,
        missing: np.ndarray | None = None,
    ) -> LabelGraph:
        """A graph whose every source is the identity (self-loops only), for ablations."""
        vocab = LabelVocabulary(codes, names)
        eye = sp.identity(len(vocab), dtype=np.float32, format="csr")
        return cls(
            vocab,
            {"combined": eye},
            embeddings=embeddings,
            missing=missing,
            manifest={"built_by": "LabelGraph.identity"},
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the graph into folder ``path`` (created); returns the folder.

        Files: ``graph.npz`` (arrays), ``graph.json`` (format, version, labels, parameters),
        ``manifest.json``. Each file is written atomically; ``graph.json`` is written last.
        """
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "embeddings": self._embeddings,
            "missing": self._missing,
        }
        for i, m in enumerate(self._adj.values()):
            arrays[f"adj{i}_data"] = m.data.astype(np.float32)
            arrays[f"adj{i}_indices"] = m.indices.astype(np.int32)
            arrays[f"adj{i}_indptr"] = m.indptr.astype(np.int64)
        for kind, f in self._freq.items():
            arrays[f"freq_{kind}"] = f
        if self.annotation_pairs is not None:
            m = self.annotation_pairs
            arrays["pairs_data"] = m.data.astype(np.float32)
            arrays["pairs_indices"] = m.indices.astype(np.int32)
            arrays["pairs_indptr"] = m.indptr.astype(np.int64)
        with atomic_write(out / "graph.npz", "wb") as fh:
            np.savez_compressed(fh, **arrays)
        manifest = dict(self.manifest)
        manifest.setdefault("package_versions", package_versions())
        manifest.setdefault("saved_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        manifest["graph"] = self.summary()
        with atomic_write(out / "manifest.json") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True, default=str)
        meta = {
            "format": GRAPH_FORMAT,
            "format_version": GRAPH_FORMAT_VERSION,
            "labelgraph_version": package_versions().get("labelgraph", "unknown"),
            "codes": self.vocab.codes,
            "names": self.vocab.names,
            "sources": list(self._adj),
            "frequency_kinds": list(self._freq),
            "totals": self.totals,
            "scoring": self.scoring,
            "combination": self.combination,
            "digest": self.digest(),
        }
        with atomic_write(out / "graph.json") as fh:
            json.dump(meta, fh)
        self.path = out
        logger.info("saved graph (%d labels, sources %s) to %s", len(self), list(self._adj), out)
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LabelGraph:
        """Read a graph folder written by :meth:`save` (or its ``graph.json``).

        Raises:
            InputError: the folder has no graph, or it was written in another format version.
        """
        p = Path(path)
        folder = p.parent if p.name == "graph.json" else p
        meta_path = folder / "graph.json"
        if not meta_path.is_file():
            raise InputError(
                f"{folder} holds no label graph (no graph.json); pass the --out folder of "
                "`labelgraph build`"
            )
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorruptInputError(
                f"{meta_path}: not valid JSON ({exc}); rebuild the graph"
            ) from exc
        if meta.get("format") != GRAPH_FORMAT:
            raise InputError(
                f"{meta_path}: not a label graph (format {meta.get('format')!r}, expected "
                f"{GRAPH_FORMAT!r})"
            )
        version = meta.get("format_version")
        if version != GRAPH_FORMAT_VERSION:
            raise InputError(
                f"{meta_path}: graph format version {version} (written by labelgraph "
                f"{meta.get('labelgraph_version', '?')}) is not readable by this labelgraph, which "
                f"reads format version {GRAPH_FORMAT_VERSION}; rebuild the graph with "
                "`labelgraph build` or use the labelgraph version that wrote it"
            )
        try:
            with np.load(folder / "graph.npz", allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise CorruptInputError(
                f"{folder / 'graph.npz'}: cannot read ({exc}); rebuild the graph"
            ) from exc
        vocab = LabelVocabulary(meta["codes"], meta["names"])
        n = len(vocab)
        adj = {}
        for i, source in enumerate(meta["sources"]):
            adj[source] = sp.csr_matrix(
                (arrays[f"adj{i}_data"], arrays[f"adj{i}_indices"], arrays[f"adj{i}_indptr"]),
                shape=(n, n),
            )
        freqs = {kind: arrays[f"freq_{kind}"] for kind in meta.get("frequency_kinds", [])}
        pairs = None
        if "pairs_data" in arrays:  # graphs saved before the pairs were kept have none
            pairs = sp.csr_matrix(
                (arrays["pairs_data"], arrays["pairs_indices"], arrays["pairs_indptr"]),
                shape=(n, n),
            )
        manifest_path = folder / "manifest.json"
        manifest = (
            json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
        )
        g = cls(
            vocab,
            adj,
            embeddings=arrays["embeddings"],
            missing=arrays["missing"],
            frequencies=freqs,
            totals=meta.get("totals"),
            # graphs saved before the hypernym part complete as they did: without it
            scoring={"completion_hypernym_weight": 0.0, **(meta.get("scoring") or {})},
            manifest=manifest,
            combination=meta.get("combination"),
            path=folder,
            annotation_pairs=pairs,
        )
        stored = meta.get("digest")
        if stored and stored != g.digest():
            raise CorruptInputError(
                f"{folder}: arrays do not match the digest recorded in graph.json; the files were "
                "modified or mixed from different builds; rebuild the graph"
            )
        return g

    # ------------------------------------------------------------------ basic access
    def __len__(self) -> int:
        return len(self.vocab)

    def __repr__(self) -> str:
        return f"LabelGraph({len(self)} labels, sources={self.sources})"

    @property
    def labels(self) -> list[str]:
        """Label codes, in node order."""
        return self.vocab.codes

    @property
    def names(self) -> list[str]:
        return self.vocab.names

    @property
    def sources(self) -> list[str]:
        return list(self._adj)

    @property
    def embeddings(self) -> np.ndarray:
        """``[L, D]`` float32 label vectors; zero rows where :attr:`missing` is true."""
        return self._embeddings

    @property
    def missing(self) -> np.ndarray:
        """``[L]`` bool: the label has no embedding."""
        return self._missing

    def index(self, label: str | int) -> int:
        return self.vocab.index(label)

    def code(self, label: str | int) -> str:
        return self.vocab.code(label)

    def name(self, label: str | int) -> str:
        return self.vocab.name(label)

    def adjacency(self, source: str = "combined", self_loops: bool = False) -> sp.csr_matrix:
        """The ``[L, L]`` float32 symmetric CSR adjacency of ``source`` (a copy when
        ``self_loops`` sets the diagonal to 1)."""
        if source not in self._adj:
            raise InputError(
                f"graph has no edge source {source!r}; available: {', '.join(self._adj)}"
            )
        m = self._adj[source]
        if self_loops:
            m = m.tolil(copy=True)
            m.setdiag(1.0)
            m = canonical_csr(m, np.float32)
        return m

    def frequency(self, kind: str = "corpus") -> np.ndarray:
        """``[L]`` float64 counts: ``"corpus"`` (text mentions) or ``"annotation"`` (images);
        zeros when the graph was built without that kind of data."""
        if kind not in FREQUENCY_KINDS and kind not in self._freq:
            known = ", ".join(dict.fromkeys([*FREQUENCY_KINDS, *self._freq]))
            raise InputError(f"unknown frequency kind {kind!r}; choose one of: {known}")
        return self._freq.get(kind, np.zeros(len(self), dtype=np.float64))

    @property
    def frequency_kinds(self) -> list[str]:
        return list(self._freq)

    def summary(self) -> dict[str, Any]:
        """Node and edge counts per source (undirected edges, self-loops excluded)."""
        edges = {}
        for source, m in self._adj.items():
            diag = int(np.count_nonzero(m.diagonal()))
            edges[source] = int((m.nnz - diag) // 2)
        return {
            "labels": len(self),
            "embedding_dim": int(self._embeddings.shape[1]),
            "labels_with_embedding": int((~self._missing).sum()),
            "edges": edges,
            "labels_with_corpus_frequency": int((self.frequency("corpus") > 0).sum()),
            "labels_with_annotation_frequency": int((self.frequency("annotation") > 0).sum()),
        }

    def digest(self) -> str:
        """Stable SHA-256 (hex, 16 characters) of labels, adjacencies, embeddings, frequencies."""
        h = hashlib.sha256()
        h.update(self.vocab.digest().encode())
        for source in sorted(self._adj):
            m = self._adj[source]
            h.update(source.encode())
            for arr in (
                m.indptr.astype(np.int64),
                m.indices.astype(np.int64),
                m.data.astype(np.float32),
            ):
                h.update(np.ascontiguousarray(arr).tobytes())
        h.update(np.ascontiguousarray(self._embeddings).tobytes())
        h.update(np.ascontiguousarray(self._missing).tobytes())
        for kind in sorted(self._freq):
            h.update(kind.encode())
            h.update(np.ascontiguousarray(self._freq[kind]).tobytes())
        if self.annotation_pairs is not None:  # absent: the digest of earlier graphs
            m = self.annotation_pairs
            h.update(b"annotation_pairs")
            for arr in (m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data):
                h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()[:16]

    # ------------------------------------------------------------------ queries
    def association(self, a: str | int, b: str | int, source: str = "combined") -> float:
        """Edge weight between ``a`` and ``b`` in ``source`` (0 when there is no edge)."""
        m = self.adjacency(source)
        return float(m[self.index(a), self.index(b)])

    def neighbors(
        self, label: str | int, k: int = 10, source: str = "combined"
    ) -> list[tuple[str, float]]:
        """The ``k`` strongest neighbors ``(code, weight)`` of ``label`` (itself excluded),
        strongest first, ties by node order."""
        i = self.index(label)
        m = self.adjacency(source)
        lo, hi = m.indptr[i], m.indptr[i + 1]
        cols, vals = m.indices[lo:hi], m.data[lo:hi]
        keep = cols != i
        cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))[: max(int(k), 0)]
        codes = self.vocab.codes
        return [(codes[c], float(v)) for c, v in zip(cols[order], vals[order])]

    def rank(self, a: str | int, b: str | int, source: str = "combined") -> int | None:
        """1-based rank of ``b`` among ``a``'s neighbors in ``source`` (None: not a neighbor)."""
        i, j = self.index(a), self.index(b)
        m = self.adjacency(source)
        w = float(m[i, j])
        if w <= 0 or i == j:
            return None
        lo, hi = m.indptr[i], m.indptr[i + 1]
        cols, vals = m.indices[lo:hi], m.data[lo:hi]
        better = (vals > w) | ((vals == w) & (cols < j))
        better &= cols != i
        return int(better.sum()) + 1

    def cosine(self, a: str | int, b: str | int) -> float | None:
        """Cosine similarity of the two labels' vectors (None when either is missing)."""
        i, j = self.index(a), self.index(b)
        if self._missing[i] or self._missing[j] or self._embeddings.shape[1] == 0:
            return None
        u, v = self._embeddings[i], self._embeddings[j]
        den = float(np.linalg.norm(u) * np.linalg.norm(v))
        return float(u @ v / den) if den > 0 else None

    def log_prior(self) -> np.ndarray:
        """``[L]`` float64 log prior probability of each label (a distribution over labels).

        A mixture ``w * p_annotation + (1 - w) * p_corpus`` of the smoothed relative
        frequencies ``(f + s) / (sum f + s L)`` (``w`` = ``prior_annotation_weight``, ``s`` =
        ``prior_smoothing``); a kind with no counts drops out; uniform without any counts.
        """
        if self._log_prior_cache is not None:
            return self._log_prior_cache
        n = len(self)
        s = float(self.scoring["prior_smoothing"])
        parts: list[tuple[float, np.ndarray]] = []
        w_ann = float(self.scoring["prior_annotation_weight"])
        for kind, weight in (("annotation", w_ann), ("corpus", 1.0 - w_ann)):
            f = self._freq.get(kind)
            if f is None or f.sum() <= 0:
                continue
            parts.append((weight, (f + s) / (f.sum() + s * n)))
        if not parts:
            prior = np.full(n, 1.0 / max(n, 1))
        elif len(parts) == 1:
            prior = parts[0][1]
        else:
            prior = sum(w * p for w, p in parts) / sum(w for w, _ in parts)
        self._log_prior_cache = np.log(np.maximum(prior, 1e-300))
        return self._log_prior_cache

    def _assoc_sum(self, idx: Sequence[int]) -> np.ndarray:
        """``[L]`` sum of the scoring adjacency's rows ``idx`` (dense over one row only)."""
        m = self.adjacency(self.scoring["source"])
        if not idx:
            return np.zeros(len(self), dtype=np.float64)
        return np.asarray(m[list(idx)].sum(axis=0), dtype=np.float64).ravel()

    def _unique_indices(self, labels: Iterable[str | int]) -> list[int]:
        idx = self.vocab.indices(list(labels))
        seen: list[int] = []
        for i in idx:
            if i not in seen:
                seen.append(i)
        return seen

    def hypernyms(self) -> sp.csr_matrix:
        """``[L, L]`` is-a edges read off the label names, row child, column parent
        (:func:`labelgraph.name_heads.hypernym_matrix`; computed once per graph object)."""
        if self._hypernyms is None:
            self._hypernyms = hypernym_matrix(self.vocab.names)
        return self._hypernyms

    def completion_model(self) -> ConditionalCompletion:
        """The directional ``P(c | s)`` model of :meth:`complete` (mode ``"conditional"``):
        annotation pairs and frequencies, corpus frequencies, the ``text`` edges, the name-head
        hypernyms (:meth:`hypernyms`) and the scoring weights ``completion_text_weight``,
        ``completion_prior_weight``, ``completion_hypernym_weight``, ``prior_backoff``
        (:class:`~labelgraph.conditional_completion.ConditionalCompletion`)."""
        sc = self.scoring
        u = float(sc["completion_hypernym_weight"])
        if self.annotation_pairs is None and "annotation" in self._adj and not self._warned_pairs:
            self._warned_pairs = True
            logger.warning(
                "%s: the graph has annotation edges but no image pair counts (saved before "
                "graphs kept them), so directional completion uses text and prior only; rebuild "
                "it (`labelgraph build ... --resume` redoes only the graph stage)",
                self.path or "graph",
            )
        return ConditionalCompletion(
            self.annotation_pairs,
            self.frequency("annotation"),
            self.totals.get("annotation", 0.0),
            self.frequency("corpus"),
            self._adj.get("text"),
            text_weight=float(sc["completion_text_weight"]),
            prior_weight=float(sc["completion_prior_weight"]),
            prior_backoff=float(sc["prior_backoff"]),
            hypernyms=self.hypernyms() if u > 0 else None,
            hypernym_weight=u,
        )

    def completion_scores(self, labels: Iterable[str | int]) -> np.ndarray:
        """``[L]`` float64 score of every label accompanying ``labels`` (given ones included),
        by ``scoring["completion"]`` (see :meth:`complete`)."""
        idx = self._unique_indices(labels)
        if not idx:
            raise InputError("complete needs at least one label")
        if self.scoring["completion"] == "conditional":
            return self.completion_model().scores(idx)
        beta = float(self.scoring["association_weight"])
        return self.log_prior() + beta * self._assoc_sum(idx)

    def complete(self, labels: Iterable[str | int], k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` labels most likely to accompany ``labels`` (which are excluded).

        ``scoring["completion"] == "conditional"`` (default), directional::

            score(c) = sum_{s in labels} P(c | s)

        a mixture of the image conditional ``n_sc / n_s``, a text conditional, the label
        prior and the label's is-a parents read off the names
        (:mod:`labelgraph.conditional_completion`): ``complete(Shopkeeper)`` proposes
        Person, ``complete(Person)`` need not propose Shopkeeper, ``complete(Sports car)``
        proposes Car.

        ``"association"`` (the symmetric ablation), a naive-Bayes log-score in nats::

            score(c) = log prior(c) + beta * sum_{s in labels} A[s, c]

        with ``A`` the scoring adjacency (PMI units) and ``beta`` = ``association_weight``.
        Returns ``[(code, score)]``, best first.
        """
        idx = self._unique_indices(labels)
        score = self.completion_scores(idx)
        score[idx] = -np.inf
        k = min(int(k), len(self) - len(idx))
        if k <= 0:
            return []
        top = np.argpartition(-score, k - 1)[:k]
        top = top[np.lexsort((top, -score[top]))]
        codes = self.vocab.codes
        return [(codes[i], float(score[i])) for i in top]

    def conditional_log_scores(self, labels: Iterable[str | int]) -> dict[str, float]:
        """For each label ``i`` of the set: ``min(0, log prior(i) + beta * sum_{j != i} A[i, j])``,
        the naive-Bayes estimate of ``log P(i | rest of the set)`` (nats)."""
        idx = self._unique_indices(labels)
        beta = float(self.scoring["association_weight"])
        m = self.adjacency(self.scoring["source"])
        lp = self.log_prior()
        out = {}
        for i in idx:
            others = [j for j in idx if j != i]
            assoc = float(m[i, others].sum()) if others else 0.0
            out[self.vocab.codes[i]] = min(0.0, float(lp[i]) + beta * assoc)
        return out

    def plausibility(self, labels: Iterable[str | int]) -> float:
        """How plausible ``labels`` are together on one image (higher is more plausible).

        The mean over the set of ``log P(i | rest)`` from :meth:`conditional_log_scores`
        (a pseudo-log-likelihood per label, nats, <= 0): association with the other labels
        raises it, and a rare label lowers it unless strongly associated.
        """
        scores = self.conditional_log_scores(labels)
        if not scores:
            raise InputError("plausibility needs at least one label")
        return float(np.mean(list(scores.values())))

    def missing_pair_penalty(self, a: str | int, b: str | int) -> float:
        """Negative evidence (nats, <= 0) of two labels that images would be expected to show
        together but never do: ``log(0.5 / (E + 0.5))`` with ``E = f_a f_b / N`` the expected
        number of images with both (annotation frequencies ``f``, ``N`` images), when the
        ``annotation`` source has no edge between them; 0 otherwise (or without annotations).
        Scaled by ``scoring["negative_weight"]``."""
        w = float(self.scoring.get("negative_weight", 0.0))
        total = self.totals.get("annotation", 0.0)
        if not w or total <= 0 or "annotation" not in self._adj:
            return 0.0
        i, j = self.index(a), self.index(b)
        if i == j or self._adj["annotation"][i, j] > 0:
            return 0.0
        f = self.frequency("annotation")
        expected = f[i] * f[j] / total
        return w * math.log(0.5 / (expected + 0.5))

    def coherence(self, labels: Iterable[str | int]) -> dict[str, float]:
        """Mean association (nats) of each label of the set with the others, including the
        :meth:`missing_pair_penalty` of pairs images never show together."""
        idx = self._unique_indices(labels)
        m = self.adjacency(self.scoring["source"])
        out = {}
        for i in idx:
            others = [j for j in idx if j != i]
            if not others:
                out[self.vocab.codes[i]] = 0.0
                continue
            total = float(m[i, others].sum())
            total += sum(self.missing_pair_penalty(i, j) for j in others)
            out[self.vocab.codes[i]] = total / len(others)
        return out

    def odd_one_out(self, labels: Iterable[str | int]) -> str:
        """The label of the set least associated with the others (its code).

        The label with the lowest mean association with the rest (pure association, so a
        frequent intruder is not excused by its frequency); ties go to the lower
        :meth:`conditional_log_scores`, then to the later label.
        """
        idx = self._unique_indices(labels)
        if len(idx) < 3:
            raise InputError(f"odd-one-out needs at least 3 distinct labels, got {len(idx)}")
        coh = self.coherence(idx)
        cond = self.conditional_log_scores(idx)
        codes = [self.vocab.codes[i] for i in idx]
        order = sorted(range(len(codes)), key=lambda t: (coh[codes[t]], cond[codes[t]], -t))
        return codes[order[0]]

    # ------------------------------------------------------------------ delegations
    def evidence(self, a: str | int, b: str | int, max_examples: int = 5) -> dict[str, Any]:
        """Everything known about the pair ``a``, ``b`` (for ``labelgraph explain``): see
        :meth:`labelgraph.graph_evidence.GraphEvidence.pair` (the build's count files are
        read once per graph)."""
        if self._evidence is None:
            self._evidence = GraphEvidence(self)
        return self._evidence.pair(a, b, max_examples=max_examples)

    def subgraph(
        self,
        label: str | int,
        hops: int = 1,
        max_nodes: int | None = None,
        source: str = "combined",
    ) -> LabelGraph:
        """The graph restricted to labels within ``hops`` edges of ``label`` in ``source``
        (centre first): :func:`labelgraph.subgraph.subgraph`."""
        return subgraph(self, label, hops=hops, max_nodes=max_nodes, source=source)

    def restrict(self, nodes: Sequence[int]) -> LabelGraph:
        """The induced subgraph on ``nodes`` (label indices, in that order):
        :func:`labelgraph.subgraph.restrict`."""
        return restrict(self, nodes)

    def to_networkx(self, source: str = "combined") -> Any:
        """An undirected ``networkx.Graph``: :func:`labelgraph.graph_conversions.to_networkx`."""
        return to_networkx(self, source)

    def to_pyg(
        self, source: str = "combined", self_loops: bool = False, edge_attr: bool = False
    ) -> Any:
        """A ``torch_geometric.data.Data`` (``x [L, D]``, ``edge_index [2, E]``,
        ``edge_weight [E]``, ``missing [L]``; with ``edge_attr=True`` the union of every
        source's edges and ``edge_attr [E, S]``, one column per :attr:`sources`):
        :func:`labelgraph.graph_conversions.to_pyg`."""
        return to_pyg(self, source, self_loops=self_loops, edge_attr=edge_attr)

    def with_sources(
        self,
        adjacencies: Mapping[str, sp.spmatrix],
        frequencies: Mapping[str, np.ndarray] | None = None,
        totals: Mapping[str, float] | None = None,
        annotation_pairs: sp.spmatrix | None = None,
    ) -> LabelGraph:
        """A copy with some sources (and image pair counts) replaced and ``combined``
        recomputed: :func:`labelgraph.edge_rebuild.with_sources`."""
        from labelgraph.edge_rebuild import with_sources  # build side: loaded on use

        return with_sources(
            self,
            adjacencies,
            frequencies=frequencies,
            totals=totals,
            annotation_pairs=annotation_pairs,
        )

    def with_annotations(
        self, image_labels: Iterable[Iterable[str | int]] | None = None, counts: Any = None
    ) -> LabelGraph:
        """A copy whose annotation edges, annotation frequency and combined edges come from
        other images: :func:`labelgraph.edge_rebuild.with_annotations`."""
        from labelgraph.edge_rebuild import with_annotations  # build side: loaded on use

        return with_annotations(self, image_labels, counts=counts)
