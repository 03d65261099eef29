"""GEXF export for Gephi: viz:position from a seeded layout and viz:color by edge source (the
drawing's legend colours), checked by parsing the XML."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from labelgraph._edge_colors import CATEGORY_COLORS
from labelgraph.export import export_file, export_graph
from labelgraph.exporters.gexf_writer import CENTER_COLOR, NODE_COLOR
from labelgraph.neighborhood import select_nodes

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from _inspect_graphs import shop_graph  # noqa: E402

GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"


def _hex(el: ET.Element) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(el.get(c)) for c in "rgb"))


def _view():
    g = shop_graph()
    return export_graph(g, select_nodes(g, around="Shopkeeper", hops=2))


def test_nodes_have_positions_sizes_and_colours(tmp_path):
    out = export_file(_view(), tmp_path / "v.gexf", "gexf")
    root = ET.parse(out).getroot()
    nodes = root.findall(f".//{GEXF}node")
    assert len(nodes) == 5
    xy = []
    for node in nodes:
        pos = node.find(f"{VIZ}position")
        assert pos is not None, node.get("id")
        x, y = float(pos.get("x")), float(pos.get("y"))
        assert abs(x) <= 1000.0 + 1e-6 and abs(y) <= 1000.0 + 1e-6
        xy.append((round(x, 3), round(y, 3)))
        assert float(node.find(f"{VIZ}size").get("value")) > 0
        want = CENTER_COLOR if node.get("id") == "/m/1" else NODE_COLOR
        assert _hex(node.find(f"{VIZ}color")) == want
    assert len(set(xy)) == len(xy)  # laid out, not stacked on one point
    # same view and seed -> same file; another seed -> other positions
    again = export_file(_view(), tmp_path / "w.gexf", "gexf")
    assert again.read_bytes() == out.read_bytes()
    other = export_file(_view(), tmp_path / "s.gexf", "gexf", seed=1)
    assert other.read_bytes() != out.read_bytes()


def test_edges_are_coloured_by_source_like_the_drawing_legend(tmp_path):
    view = _view()
    out = export_file(view, tmp_path / "v.gexf", "gexf")
    root = ET.parse(out).getroot()
    # the category attribute id, from the edge attribute declarations
    decl = {
        a.get("title"): a.get("id")
        for attrs in root.iter(f"{GEXF}attributes")
        if attrs.get("class") == "edge"
        for a in attrs.findall(f"{GEXF}attribute")
    }
    seen = {}
    for edge in root.findall(f".//{GEXF}edge"):
        values = {v.get("for"): v.get("value") for v in edge.iter(f"{GEXF}attvalue")}
        category = values[decl["category"]]
        colour = _hex(edge.find(f"{VIZ}color"))
        assert colour == CATEGORY_COLORS[category]
        assert float(edge.find(f"{VIZ}thickness").get("value")) > 0
        seen[frozenset((edge.get("source"), edge.get("target")))] = category
    # Person-Shopkeeper: text and embedding; Shopkeeper-Grocery store: text only
    assert seen[frozenset(("/m/0", "/m/1"))] == "several sources"
    assert seen[frozenset(("/m/1", "/m/2"))] == "text"
    # networkx reads it back with the viz data
    back = nx.read_gexf(out)
    assert set(back.nodes["/m/1"]["viz"]["position"]) == {"x", "y", "z"}


def test_large_views_lay_out_the_core_and_place_the_rest(monkeypatch):
    import labelgraph._view_layout as vl

    monkeypatch.setattr(vl, "MAX_SPRING_NODES", 4)
    g = nx.Graph()
    g.add_weighted_edges_from(
        [("a", "b", 5.0), ("b", "c", 4.0), ("c", "d", 3.0), ("a", "d", 3.0), ("d", "e", 0.5)]
    )
    g.add_weighted_edges_from([("e", "f", 0.2), ("x", "y", 0.1)])  # f two hops out; x-y apart
    pos = vl.view_layout(g, seed=0)
    assert set(pos) == set(g.nodes)
    assert vl.view_layout(g, seed=0) == pos  # deterministic
    near = lambda u, v: max(abs(pos[u][0] - pos[v][0]), abs(pos[u][1] - pos[v][1]))  # noqa: E731
    assert near("e", "d") < 0.2 and near("f", "e") < 0.2  # beside the strongest placed neighbor
    for node in ("x", "y"):  # no path to the core: on the outer ring
        assert abs((pos[node][0] ** 2 + pos[node][1] ** 2) ** 0.5 - 1.2) < 1e-9
