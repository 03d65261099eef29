"""A picture of a label neighborhood (PNG or SVG) with matplotlib and a networkx layout.

Edge width grows with weight, node area with (log) corpus frequency, edge color says which
edge source(s) link the pair; the layout (:func:`labelgraph._view_layout.view_layout`:
Kamada-Kawai from a seeded spring start) is fixed, so the same graph gives the same picture.
Drawing goes through matplotlib's Agg canvas (no display needed, pyplot state untouched).
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: never open a window

import networkx as nx  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from corpora.atomic import atomic_path  # noqa: E402
from corpora.errors import InputError  # noqa: E402
from labelgraph._edge_colors import CATEGORY_COLORS, edge_category  # noqa: E402
from labelgraph._view_layout import view_layout  # noqa: E402

__all__ = ["draw_graph", "DRAW_FORMATS"]

logger = logging.getLogger(__name__)

DRAW_FORMATS = (".png", ".svg")


def draw_graph(
    g: nx.Graph,
    out: str | os.PathLike[str],
    title: str | None = None,
    seed: int = 0,
    size_inches: tuple[float, float] = (12.0, 9.0),
    dpi: int = 100,
    max_labels: int = 60,
) -> Path:
    """Draw ``g`` (from :func:`labelgraph.export.export_graph`) to ``out`` (``.png``/``.svg``).

    Args:
        g: node attrs ``label``, ``frequency``, ``center``; edge attrs ``weight``, ``sources``.
        out: output file; the suffix picks the format.
        title: figure title (default: the centre's name).
        seed: layout seed.
        size_inches: figure size in inches (width, height).
        dpi: PNG resolution in dots per inch.
        max_labels: name at most this many nodes (the centre and the most frequent).

    Returns:
        the written path.
    """
    out = Path(out)
    if out.suffix.lower() not in DRAW_FORMATS:
        raise InputError(f"{out}: the picture must end in {' or '.join(DRAW_FORMATS)}")
    if g.number_of_nodes() == 0:
        raise InputError("nothing to draw: the view has no nodes (lower --min-weight?)")
    nodes = list(g.nodes)
    center = [n for n in nodes if g.nodes[n].get("center")]
    pos = view_layout(g, seed)
    logf = [math.log1p(max(float(g.nodes[n].get("frequency", 0.0)), 0.0)) for n in nodes]
    top = max(logf) if logf and max(logf) > 0 else 1.0
    sizes = [60 + 900 * (f / top) for f in logf]
    weights = [abs(float(d.get("weight", 1.0))) for _, _, d in g.edges(data=True)]
    wmax = max(weights, default=1.0) or 1.0
    widths = [0.4 + 4.6 * w / wmax for w in weights]
    cats = [edge_category(_sources(d)) for _, _, d in g.edges(data=True)]
    colors = [CATEGORY_COLORS[c] for c in cats]

    fig = Figure(figsize=size_inches, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    ax.margins(0.08)
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color=colors, alpha=0.6)
    node_colors = ["#d62728" if n in center else "#c6dbef" for n in nodes]
    nx.draw_networkx_nodes(
        g,
        pos,
        ax=ax,
        node_size=sizes,
        node_color=node_colors,
        edgecolors="#3b5b92",
        linewidths=0.6,
    )
    if center:  # the centre on top, never smaller than a mid-size node
        nx.draw_networkx_nodes(
            g,
            pos,
            nodelist=center,
            ax=ax,
            node_size=[max(sizes[nodes.index(c)], 500) for c in center],
            node_color="#d62728",
            edgecolors="#7f0000",
            linewidths=1.0,
        )
    by_freq = sorted(range(len(nodes)), key=lambda i: -logf[i])
    named = {nodes[i] for i in by_freq[:max_labels]} - set(center)
    box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}
    nx.draw_networkx_labels(
        g,
        pos,
        labels={n: str(g.nodes[n].get("label", n)) for n in nodes if n in named},
        ax=ax,
        font_size=9,
        bbox=box,
    )
    nx.draw_networkx_labels(
        g,
        pos,
        labels={n: str(g.nodes[n].get("label", n)) for n in center},
        ax=ax,
        font_size=12,
        font_weight="bold",
        bbox={**box, "ec": "#d62728", "alpha": 0.9},
    )
    present = [c for c in CATEGORY_COLORS if c in cats]
    handles = [Line2D([0], [0], color=CATEGORY_COLORS[c], lw=3, label=c) for c in present]
    if handles:
        ax.legend(handles=handles, title="edge source", loc="lower right", fontsize=8, frameon=True)
    if title is None:
        title = str(g.nodes[center[0]].get("label", center[0])) if center else "label graph"
    ax.set_title(
        f"{title}: {g.number_of_nodes()} labels, {g.number_of_edges()} edges "
        "(width = weight, size = corpus frequency)",
        fontsize=11,
    )
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(
            tmp,
            format=out.suffix.lower().lstrip("."),
            metadata={"Software": None} if out.suffix.lower() == ".png" else {"Date": None},
        )
    logger.debug("drew %d nodes, %d edges to %s", g.number_of_nodes(), g.number_of_edges(), out)
    return out


def _sources(d: dict) -> list[str]:
    s = d.get("sources", [])
    if isinstance(s, str):
        return [x for x in s.split(";") if x]
    return list(s)
