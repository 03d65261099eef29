"""``json`` export: networkx node-link JSON."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from corpora.atomic import atomic_write
from labelgraph.export import register_exporter

__all__ = ["write_json"]


@register_exporter("json")
def write_json(g: nx.Graph, path: Path) -> None:
    """networkx node-link JSON (``nodes`` and ``links``).

    Read it back with ``nx.node_link_graph(data, edges="links")``.
    """
    data = nx.node_link_data(g, edges="links")
    with atomic_write(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
