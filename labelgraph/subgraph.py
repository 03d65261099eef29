"""Smaller label graphs cut out of a larger one: a label's neighborhood, or given nodes.

Both return a new :class:`~labelgraph.label_graph.LabelGraph` (same class as the input) that
keeps every source, the embeddings, frequencies, totals, scoring and combination of the nodes
kept, and records the digest of the graph it was cut from (``manifest["subgraph_of"]``).
Also reachable as methods (``g.subgraph(...)``, ``g.restrict(...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from labelgraph.neighborhood import select_nodes

__all__ = ["subgraph", "restrict"]


def subgraph(
    graph: Any,
    label: str | int,
    hops: int = 1,
    max_nodes: int | None = None,
    source: str = "combined",
) -> Any:
    """``graph`` restricted to the labels within ``hops`` edges of ``label`` in ``source``.

    Nodes are ordered by hop distance, then by the descending weight of their strongest edge
    into the previous ring (ties: node order), as :func:`labelgraph.neighborhood.select_nodes`
    picks them; ``max_nodes`` keeps the first ones (at least the centre). The centre is always
    node 0 of the result; ``hops <= 0`` keeps the centre only.
    """
    nodes = select_nodes(
        graph,
        around=label,
        hops=max(int(hops), 0),
        max_nodes=None if max_nodes is None else max(int(max_nodes), 1),
        source=source,
    )
    return restrict(graph, nodes)


def restrict(graph: Any, nodes: Sequence[int]) -> Any:
    """The induced subgraph of ``graph`` on ``nodes`` (label indices, in that order)."""
    idx = np.asarray(nodes, dtype=np.int64)
    return type(graph)(
        graph.vocab.subset(list(idx)),
        {s: graph.adjacency(s)[idx][:, idx] for s in graph.sources},
        embeddings=graph.embeddings[idx],
        missing=graph.missing[idx],
        frequencies={k: graph.frequency(k)[idx] for k in graph.frequency_kinds},
        totals=graph.totals,
        scoring=graph.scoring,
        combination=graph.combination,
        annotation_pairs=None
        if graph.annotation_pairs is None
        else graph.annotation_pairs[idx][:, idx],
        manifest={
            **graph.manifest,
            "subgraph_of": graph.manifest.get("graph_digest", graph.digest()),
        },
    )
