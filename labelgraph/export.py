"""Export a view of a label graph for other programs: GEXF, GraphML, JSON node-link, CSV, HTML.

:func:`export_graph` turns the chosen nodes of a LabelGraph into a :class:`networkx.Graph`:

* nodes keyed by label code, with ``label`` (display name: Gephi shows it), ``code``,
  ``frequency`` (corpus), ``annotation_frequency``, ``missing`` (no embedding) and ``center``;
* edges of ``source`` (default ``combined``) with ``weight``, one ``weight_<source>`` per
  other edge source (0.0 where that source has no edge) and ``sources``, the list of edge
  sources that link the pair.

Writers are registered by format name; :func:`create_exporter` is the factory.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError
from labelgraph.neighbourhood import filtered_adjacency

__all__ = [
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

Exporter = Callable[[nx.Graph, Path], None]
_EXPORTERS: dict[str, Exporter] = {}


def register_exporter(fmt: str) -> Callable[[Exporter], Exporter]:
    """Decorator adding a writer ``fn(nx_graph, path)`` under format name ``fmt``."""

    def deco(fn: Exporter) -> Exporter:
        _EXPORTERS[fmt] = fn
        return fn

    return deco


def list_export_formats() -> list[str]:
    """Format names accepted by :func:`create_exporter`."""
    import labelgraph.html_page  # noqa: F401  (registers "html")

    return sorted(_EXPORTERS)


def create_exporter(fmt: str) -> Exporter:
    """The writer for ``fmt`` (``InputError`` naming the known formats otherwise)."""
    formats = list_export_formats()
    if fmt not in _EXPORTERS:
        raise InputError(f"unknown export format {fmt!r}; choose one of: {', '.join(formats)}")
    return _EXPORTERS[fmt]


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
) -> nx.Graph:
    """The subgraph on ``nodes`` (vocabulary indices) as a networkx graph.

    Args:
        graph: a LabelGraph.
        nodes: ``[N]`` vocabulary indices, e.g. from :func:`labelgraph.neighbourhood.select_nodes`.
        source: edge source that defines the edges and their ``weight``.
        min_weight: edges of ``source`` below this weight are left out.
        center: mark ``nodes[0]`` as the centre of the view (node attribute ``center``).
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
    for e, (a, b, w) in enumerate(zip(rows.tolist(), cols.tolist(), main.data.tolist())):
        attrs: dict[str, Any] = {"weight": _f32(w)}
        linked = [source] if source != "combined" else []
        for s, ws in other_w.items():
            attrs[f"weight_{s}"] = _f32(ws[e])
            if ws[e] != 0 and s != "combined":
                linked.append(s)
        attrs["sources"] = linked
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


@register_exporter("gexf")
def write_gexf(g: nx.Graph, path: Path) -> None:
    """GEXF 1.2 (Gephi): display names as node labels, ``weight`` as edge weight."""
    with atomic_path(path) as tmp:
        nx.write_gexf(encode_scalars(g), tmp)


@register_exporter("graphml")
def write_graphml(g: nx.Graph, path: Path) -> None:
    """GraphML with scalar attributes only (lists such as ``sources`` are ``;``-joined)."""
    with atomic_path(path) as tmp:
        nx.write_graphml(encode_scalars(g), tmp)


@register_exporter("json")
def write_json(g: nx.Graph, path: Path) -> None:
    """networkx node-link JSON (``nodes`` and ``links``); read back with
    ``nx.node_link_graph(data, edges="links")``."""
    data = nx.node_link_data(g, edges="links")
    with atomic_write(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)


@register_exporter("csv")
def write_csv(g: nx.Graph, path: Path) -> None:
    """Edge list: one row per edge with codes, names, ``weight``, per-source weights, sources."""
    weight_cols = sorted(
        {k for _, _, d in g.edges(data=True) for k in d if k.startswith("weight_")}
    )
    with atomic_write(path, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["source", "target", "source_name", "target_name", "weight", *weight_cols, "sources"]
        )
        for a, b, d in g.edges(data=True):
            w.writerow(
                [
                    a,
                    b,
                    g.nodes[a]["label"],
                    g.nodes[b]["label"],
                    repr(d["weight"]),
                    *[repr(d.get(c, 0.0)) for c in weight_cols],
                    LIST_SEPARATOR.join(d.get("sources", [])),
                ]
            )


def export_file(g: nx.Graph, path: str | os.PathLike[str], fmt: str) -> Path:
    """Write ``g`` to ``path`` in format ``fmt`` (atomically) and return the path."""
    path = Path(path)
    create_exporter(fmt)(g, path)
    logger.info(
        "wrote %s (%d nodes, %d edges) to %s", fmt, g.number_of_nodes(), g.number_of_edges(), path
    )
    return path
