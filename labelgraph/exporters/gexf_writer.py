"""``gexf`` export: GEXF 1.2 for Gephi, laid out and coloured as ``labelgraph draw`` draws it.

Gephi reads the ``viz`` namespace of GEXF 1.2 as the starting picture, so the file opens ready to
read:

* ``viz:position`` of each node from :func:`labelgraph._view_layout.view_layout` (seeded: the
  same view and seed give the same file), scaled by :data:`POSITION_SCALE`; ``viz:size`` grows
  with the log corpus frequency; ``viz:color`` red for the centre of the view, light blue
  otherwise;
* ``viz:color`` of each edge by the edge source(s) that link the pair, the colours of the
  drawing's edge legend (:data:`labelgraph._edge_colors.CATEGORY_COLORS`), also written as the
  edge attribute ``category`` (Gephi can partition by it); ``viz:thickness`` grows with weight.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx

from corpora.atomic import atomic_path
from labelgraph._edge_colors import CATEGORY_COLORS, edge_category
from labelgraph._view_layout import view_layout
from labelgraph.export import encode_scalars, register_exporter

__all__ = ["write_gexf", "POSITION_SCALE", "NODE_COLOR", "CENTER_COLOR"]

#: layout coordinates (about [-1, 1]) times this: Gephi's default zoom shows a few hundred units
POSITION_SCALE = 1000.0
NODE_COLOR = "#c6dbef"
CENTER_COLOR = "#d62728"


def _rgb(hex_color: str) -> dict[str, int | float]:
    h = hex_color.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


def _sources(d: dict) -> list[str]:
    s = d.get("sources", [])
    return [x for x in s.split(";") if x] if isinstance(s, str) else list(s)


def with_viz(g: nx.Graph, seed: int = 0) -> nx.Graph:
    """A copy of ``g`` (from :func:`labelgraph.export.export_graph`) with ``viz`` attributes
    (positions, sizes, colours, thickness) and the edge attribute ``category``."""
    h = g.copy()
    pos = view_layout(h, seed) if h.number_of_nodes() else {}
    logf = {n: math.log1p(max(float(d.get("frequency", 0.0)), 0.0)) for n, d in h.nodes(data=True)}
    top = max(logf.values(), default=0.0) or 1.0
    for n, d in h.nodes(data=True):
        x, y = pos[n]
        d["viz"] = {
            "position": {
                "x": round(float(x) * POSITION_SCALE, 3),
                "y": round(float(y) * POSITION_SCALE, 3),
                "z": 0.0,
            },
            "size": round(4.0 + 16.0 * logf[n] / top, 3),
            "color": _rgb(CENTER_COLOR if d.get("center") else NODE_COLOR),
        }
    wmax = max((abs(float(d.get("weight", 1.0))) for _, _, d in h.edges(data=True)), default=1.0)
    wmax = wmax or 1.0
    for _, _, d in h.edges(data=True):
        category = edge_category(_sources(d))
        d["category"] = category
        d["viz"] = {
            "color": _rgb(CATEGORY_COLORS[category]),
            "thickness": round(0.4 + 4.6 * abs(float(d.get("weight", 1.0))) / wmax, 3),
        }
    return h


@register_exporter("gexf")
def write_gexf(g: nx.Graph, path: Path, seed: int = 0) -> None:
    """GEXF 1.2 (Gephi): display names as node labels, ``weight`` as edge weight, layout
    positions and colours by edge source (``viz``; ``seed``: layout seed, default 0)."""
    with atomic_path(path) as tmp:
        nx.write_gexf(with_viz(encode_scalars(g), seed=seed), tmp)
