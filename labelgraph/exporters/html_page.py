"""``html`` export: a self-contained page of a label neighborhood; opens offline, search by name.

The layout is computed here (networkx spring layout, fixed seed) and drawn in the browser on a
canvas by inline JavaScript (no CDN, no external file): pan, zoom, click or search a label to
list its neighbors; a clickable legend turns each edge source on and off (an edge shows while
any of its sources is on; colours as in ``labelgraph draw``), a slider hides edges lighter than
a weight, and hovering an edge shows its weight per source and, where the build kept them,
example sentences (the view's ``examples`` edge attribute, see
:func:`labelgraph.export.export_graph`). The status line says how many edges are shown, and the
page keeps that number in ``document.body.dataset.visibleEdges``.
"""

from __future__ import annotations

import html
import json
import logging
import math
from pathlib import Path

import networkx as nx

from corpora.atomic import atomic_write
from corpora.errors import InputError
from labelgraph._edge_colors import CATEGORY_COLORS, edge_category
from labelgraph.export import register_exporter

__all__ = ["render_html_page", "write_html_page", "check_html_size", "MAX_HTML_NODES"]

logger = logging.getLogger(__name__)

MAX_HTML_NODES = 1000
#: the legend entry of edges that no single source has (added by combination)
COMBINED_ONLY = "combined only"
_TEMPLATE = Path(__file__).with_name("_html_page_template.html")


def check_html_size(n: int, max_nodes: int | None = None) -> None:
    """Refuse (``InputError``) a view of ``n`` nodes that is empty or above the page limit."""
    max_nodes = MAX_HTML_NODES if max_nodes is None else max_nodes
    if n > max_nodes:
        raise InputError(
            f"the view has {n:,} nodes; the HTML page shows at most {max_nodes:,}: narrow it with "
            "--around LABEL (and --hops 1 or 2), --max-nodes N or a higher --min-weight W"
        )
    if n == 0:
        raise InputError("the view has no nodes; lower --min-weight or pick another --around label")


def render_html_page(
    g: nx.Graph, title: str = "label graph", max_nodes: int = MAX_HTML_NODES, seed: int = 0
) -> str:
    """The page as a string.

    Args:
        g: graph from :func:`labelgraph.export.export_graph` (node attrs ``label``, ``code``,
            ``frequency``, ``center``; edge attrs ``weight``, ``weight_<source>``,
            ``sources``, optional ``examples``; graph attr ``source``).
        title: page title.
        max_nodes: refuse (``InputError``) above this many nodes.
        seed: layout seed (same graph and seed -> same page).
    """
    check_html_size(g.number_of_nodes(), max_nodes)
    order = list(g.nodes)
    pos = nx.spring_layout(g, seed=seed, weight="weight") if len(order) > 1 else {order[0]: (0, 0)}
    at = {n: i for i, n in enumerate(order)}
    max_f = max(
        (math.log1p(max(g.nodes[n].get("frequency", 0.0), 0.0)) for n in order), default=0.0
    )
    nodes = []
    for n in order:
        d = g.nodes[n]
        f = math.log1p(max(d.get("frequency", 0.0), 0.0))
        nodes.append(
            {
                "label": str(d.get("label", n)),
                "code": str(d.get("code", n)),
                "freq": d.get("frequency", 0.0),
                "center": bool(d.get("center", False)),
                "x": round(float(pos[n][0]), 5),
                "y": round(float(-pos[n][1]), 5),
                "r": round(3 + 9 * (f / max_f if max_f > 0 else 0.0), 2),
            }
        )
    categories = list(CATEGORY_COLORS)
    view_source = str(g.graph.get("source", "combined"))
    weight_names = [view_source] + sorted(
        {
            k[len("weight_") :]
            for _, _, d in g.edges(data=True)
            for k in d
            if k.startswith("weight_")
        }
        - {view_source}
    )
    toggles: list[str] = []  # edge sources present in the view, in first-seen order
    edges = []
    for a, b, d in g.edges(data=True):
        sources = _as_list(d.get("sources", [])) or [COMBINED_ONLY]
        for s in sources:
            if s not in toggles:
                toggles.append(s)
        weights = [d.get("weight", 1.0)] + [d.get(f"weight_{s}", 0.0) for s in weight_names[1:]]
        edge = {
            "s": at[a],
            "t": at[b],
            "w": round(float(d.get("weight", 1.0)), 6),
            "c": categories.index(edge_category(sources)),
            "src": sources,
            "ws": [round(float(x), 6) for x in weights],
        }
        examples = _as_list(d.get("examples", []))
        if examples:
            edge["ex"] = [str(x) for x in examples]
        edges.append(edge)
    order = [c for c in categories if c in toggles] + [t for t in toggles if t not in categories]
    data = {
        "nodes": nodes,
        "edges": edges,
        "colors": list(CATEGORY_COLORS.values()),
        "categories": categories,
        "toggles": order,
        "toggleColors": [CATEGORY_COLORS.get(t, CATEGORY_COLORS["several sources"]) for t in order],
        "weightNames": weight_names,
    }
    # JSON inside <script>: "</" must not close the element.
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    template = _TEMPLATE.read_text(encoding="utf-8")
    return template.replace("__TITLE__", html.escape(title)).replace("__DATA__", payload)


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [s for s in value.split(";") if s]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


@register_exporter("html", check_size=check_html_size, tags=("examples",))
def write_html_page(g: nx.Graph, path: Path, title: str | None = None, seed: int = 0) -> None:
    """Self-contained HTML page (offline; pan, zoom, search by label name, source toggles,
    weight slider, edge tooltips).

    Writes :func:`render_html_page` to ``path`` atomically; ``title`` defaults to the view's
    ``title`` attribute, else the file name; ``seed``: layout seed [0].
    """
    page = render_html_page(g, title=title or g.graph.get("title", Path(path).stem), seed=seed)
    with atomic_write(path) as fh:
        fh.write(page)
