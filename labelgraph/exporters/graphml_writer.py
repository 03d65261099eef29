"""``graphml`` export: GraphML with scalar attributes."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from corpora.atomic import atomic_path
from labelgraph.export import encode_scalars, register_exporter

__all__ = ["write_graphml"]


@register_exporter("graphml")
def write_graphml(g: nx.Graph, path: Path) -> None:
    """GraphML with scalar attributes only (lists such as ``sources`` are ``;``-joined)."""
    with atomic_path(path) as tmp:
        nx.write_graphml(encode_scalars(g), tmp)
