"""The evidence behind a graph's edges (``labelgraph explain``): :class:`GraphEvidence`.

A built graph folder keeps, beside the graph files, the raw material of its edges in
``counts/`` (written by :class:`~labelgraph.graph_builder.GraphBuilder`):

* ``text_counts.npz``: label co-occurrence per sentence, token window and document
  (:class:`~labelgraph.cooccurrence.CooccurrenceCounts`);
* ``annotation_counts.npz``: co-occurrence over images (builds with annotations);
* ``examples.json``: example sentences of strong pairs (``{"pairs": {"A|B": [...]}}``, codes
  in node order).

:class:`GraphEvidence` reads them lazily (each file at most once, only when asked for) and puts together what is
known about one pair of labels; graphs without a folder (or without ``counts/``) still give the
weights, ranks, cosine and frequencies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labelgraph.association import pair_statistics
from labelgraph.cooccurrence import CooccurrenceCounts

__all__ = ["GraphEvidence", "COUNTS_DIR"]

#: sub-folder of a built graph that holds the count files
COUNTS_DIR = "counts"


class GraphEvidence:
    """Evidence reader over a graph and the count files of its build.

    Args:
        graph: a :class:`~labelgraph.label_graph.LabelGraph`; its ``path`` (the graph folder,
            or None) locates ``counts/``.
    """

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        path = getattr(graph, "path", None)
        self.counts_dir: Path | None = Path(path) / COUNTS_DIR if path is not None else None
        self._store: dict[str, Any] = {}

    def _file(self, name: str) -> Any:
        """The content of ``counts/<name>`` (read once; None when absent)."""
        if name not in self._store:
            d = self.counts_dir
            path = d / name if d is not None else None
            value: Any = None
            if path is not None and path.is_file():
                if name.endswith(".json"):
                    value = json.loads(path.read_text(encoding="utf-8"))
                else:
                    value = CooccurrenceCounts.load(path)
            self._store[name] = value
        return self._store[name]

    @property
    def text_counts(self) -> CooccurrenceCounts | None:
        """The build's text co-occurrence counts (None when not stored)."""
        return self._file("text_counts.npz")

    @property
    def annotation_counts(self) -> CooccurrenceCounts | None:
        """The build's image co-occurrence counts (None when not stored)."""
        return self._file("annotation_counts.npz")

    @property
    def examples(self) -> dict[str, list[Any]]:
        """``"A|B"`` (codes, A before B in node order) -> example sentences ({} when none);
        reads ``examples.json`` only."""
        return (self._file("examples.json") or {}).get("pairs", {})

    def examples_of(self, a: str | int, b: str | int, max_examples: int = 5) -> list[Any]:
        """Up to ``max_examples`` example sentences of the pair (either order; [] when none)."""
        g = self.graph
        i, j = g.index(a), g.index(b)
        lo, hi = (i, j) if i < j else (j, i)
        codes = g.vocab.codes
        return list(self.examples.get(f"{codes[lo]}|{codes[hi]}", []))[: max(int(max_examples), 0)]

    def pair(self, a: str | int, b: str | int, max_examples: int = 5) -> dict[str, Any]:
        """Everything known about the pair ``a``, ``b``.

        Keys: ``a``/``b`` (code and name), ``weights`` (edge weight per source), ``rank``
        (1-based rank of ``b`` among ``a``'s neighbors per source, or None), ``cosine``,
        ``text`` (per context: ``count_a``, ``count_b``, ``count_ab``, ``total``, ``pmi``,
        ``ppmi``, ``npmi``, ``p_b_given_a``; None without stored counts), ``annotation`` (same
        for images, or None), ``frequency`` (per kind, for a and b), ``examples`` (up to
        ``max_examples`` sentences where both labels occur, sampled while counting; [] when
        none were kept).
        """
        g = self.graph
        i, j = g.index(a), g.index(b)
        codes, names = g.vocab.codes, g.vocab.names
        out: dict[str, Any] = {
            "a": {"code": codes[i], "name": names[i]},
            "b": {"code": codes[j], "name": names[j]},
            "weights": {s: float(g.adjacency(s)[i, j]) for s in g.sources},
            "rank": {s: g.rank(i, j, s) for s in g.sources},
            "cosine": g.cosine(i, j),
            "frequency": {
                kind: {"a": float(f[i]), "b": float(f[j])}
                for kind, f in ((k, g.frequency(k)) for k in g.frequency_kinds)
            },
            "text": None,
            "annotation": None,
            "examples": [],
        }
        for part, counts in (("text", self.text_counts), ("annotation", self.annotation_counts)):
            if counts is not None:
                out[part] = {ctx: pair_statistics(counts, ctx, i, j) for ctx in counts.contexts}
        out["examples"] = self.examples_of(i, j, max_examples)
        return out
