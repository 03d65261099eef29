"""Export a view of a label graph for other programs: GEXF, GraphML, JSON node-link, CSV, HTML.

:func:`export_graph` turns the chosen nodes of a LabelGraph into a :class:`networkx.Graph`:

* nodes keyed by label code, with ``label`` (display name: Gephi shows it), ``code``,
  ``frequency`` (corpus), ``annotation_frequency``, ``missing`` (no embedding) and ``center``;
* edges of ``source`` (default ``combined``) with ``weight``, one ``weight_<source>`` per
  other edge source (0.0 where that source has no edge) and ``sources``, the list of edge
  sources that link the pair; with ``examples=N``, also ``examples``, up to N example
  sentences of the pair kept by the build (``counts/examples.json``; [] where none).

Writers ``fn(view, path, **options)`` are the catalogue :data:`EXPORTERS` (one entry per format
name, its options the writer's keyword parameters); they live in :mod:`labelgraph.exporters`, one
module each, and register themselves with :func:`register_exporter` (this module never imports
them; ``import labelgraph`` does). :func:`create_exporter` is the factory, :func:`export_file`
writes a view.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from corpora.catalogue import Catalogue
from labelgraph.graph_evidence import GraphEvidence
from labelgraph.neighborhood import filtered_adjacency

__all__ = [
    "EXPORTERS",
    "Exporter",
    "export_graph",
    "encode_scalars",
    "create_exporter",
    "list_export_formats",
    "register_exporter",
    "LIST_SEPARATOR",
    "export_file",
]

logger = logging.getLogger(__name__)

LIST_SEPARATOR = ";"

#: ``fn(view, path, **options)``: writes ``view`` (from :func:`export_graph`) to ``path``
Exporter = Callable[..., None]

#: format name -> writer
EXPORTERS: Catalogue[None] = Catalogue("export format")


def register_exporter(fmt: str, **kwargs: Any) -> Callable[[Exporter], Exporter]:
    """Decorator adding a writer ``fn(nx_graph, path, **options)`` under format name ``fmt``.

    ``kwargs``: ``help``, ``aliases``, ``tags`` of :meth:`Catalogue.register`, and
    ``check_size=fn(n_nodes)`` for a format that refuses views above a size (raising
    ``InputError``); ``labelgraph export`` calls it before building the view.
    """
    return EXPORTERS.register(fmt, **kwargs)


def list_export_formats() -> list[str]:
    """Format names accepted by :func:`create_exporter`, sorted."""
    return EXPORTERS.names()


def create_exporter(fmt: str) -> Exporter:
    """The writer for ``fmt``.

    Raises:
        InputError: ``unknown export format 'x'; choose one of: csv, gexf, ...``.
    """
    return EXPORTERS.get(fmt).factory


def _f32(x: float) -> float:
    """A float32 weight as the shortest float that round-trips it (0.3, not 0.30000001192...)."""
    return float(f"{float(x):.7g}")


def _frequency(graph: Any, kind: str, num: int) -> np.ndarray:
    return np.asarray(graph.frequency(kind), dtype=np.float64).reshape(num)


def export_graph(
    graph: Any,
    nodes: Sequence[int],
    source: str = "combined",
    min_weight: float = 0.0,
    center: bool = True,
    examples: int = 0,
) -> nx.Graph:
    """The subgraph on ``nodes`` (vocabulary indices) as a networkx graph.

    Args:
        graph: a LabelGraph.
        nodes: ``[N]`` vocabulary indices, e.g. from :func:`labelgraph.neighborhood.select_nodes`.
        source: edge source that defines the edges and their ``weight``.
        min_weight: edges of ``source`` below this weight are left out.
        center: mark ``nodes[0]`` as the centre of the view (node attribute ``center``).
        examples: example sentences per edge (edge attribute ``examples``) [0: none, no
            attribute].
    """
    nodes = [int(i) for i in nodes]
    labels = list(graph.labels)
    num = len(labels)
    freq = _frequency(graph, "corpus", num)
    ann = _frequency(graph, "annotation", num)
    missing = np.asarray(graph.missing, dtype=bool)
    g = nx.Graph(source=source, min_weight=float(min_weight))
    for rank, i in enumerate(nodes):
        g.add_node(
            labels[i],
            label=str(graph.name(labels[i])),
            code=labels[i],
            frequency=float(freq[i]),
            annotation_frequency=float(ann[i]),
            missing=bool(missing[i]),
            center=bool(center and rank == 0),
        )
    idx = np.asarray(nodes, dtype=np.int64)
    main = sp.triu(filtered_adjacency(graph, source, min_weight)[idx][:, idx], k=1).tocoo()
    rows, cols = main.row, main.col
    if len(rows) == 0:  # no edge (scipy returns a matrix, not an array, for empty indices)
        return g
    others = [s for s in graph.sources if s != source]
    other_w = {
        s: np.asarray(graph.adjacency(s).tocsr()[idx[rows], idx[cols]], dtype=np.float64).ravel()
        for s in others
    }
    evidence = GraphEvidence(graph) if examples > 0 else None
    for e, (a, b, w) in enumerate(zip(rows.tolist(), cols.tolist(), main.data.tolist())):
        attrs: dict[str, Any] = {"weight": _f32(w)}
        linked = [source] if source != "combined" else []
        for s, ws in other_w.items():
            attrs[f"weight_{s}"] = _f32(ws[e])
            if ws[e] != 0 and s != "combined":
                linked.append(s)
        attrs["sources"] = linked
        if evidence is not None:
            attrs["examples"] = [
                str(x) for x in evidence.examples_of(int(idx[a]), int(idx[b]), examples)
            ]
        g.add_edge(labels[idx[a]], labels[idx[b]], **attrs)
    return g


def encode_scalars(g: nx.Graph) -> nx.Graph:
    """A copy whose list/tuple attributes are joined with ``;`` (GraphML and GEXF hold scalars)."""
    h = g.copy()

    def enc(d: dict[str, Any]) -> None:
        for key, value in list(d.items()):
            if isinstance(value, (list, tuple)):
                d[key] = LIST_SEPARATOR.join(str(v) for v in value)

    enc(h.graph)
    for _, d in h.nodes(data=True):
        enc(d)
    for _, _, d in h.edges(data=True):
        enc(d)
    return h


def export_file(g: nx.Graph, path: str | os.PathLike[str], fmt: str, **options: Any) -> Path:
    """Write ``g`` to ``path`` in format ``fmt`` (atomically) and return the path; ``options``
    are the writer's (e.g. ``title`` of ``html``), checked by name."""
    path = Path(path)
    EXPORTERS.create(fmt, g, path, **options)
    logger.debug(
        "wrote %s (%d nodes, %d edges) to %s", fmt, g.number_of_nodes(), g.number_of_edges(), path
    )
    return path
