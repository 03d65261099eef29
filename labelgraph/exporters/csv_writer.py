"""``csv`` export: an edge list."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from corpora.atomic import atomic_write
from labelgraph.export import LIST_SEPARATOR, register_exporter

__all__ = ["write_csv"]


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
