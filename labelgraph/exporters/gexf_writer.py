"""``gexf`` export: GEXF 1.2 for Gephi."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from corpora.atomic import atomic_path
from labelgraph.export import encode_scalars, register_exporter

__all__ = ["write_gexf"]


@register_exporter("gexf")
def write_gexf(g: nx.Graph, path: Path) -> None:
    """GEXF 1.2 (Gephi): display names as node labels, ``weight`` as edge weight."""
    with atomic_path(path) as tmp:
        nx.write_gexf(encode_scalars(g), tmp)
