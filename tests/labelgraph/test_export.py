"""labelgraph.export: views re-read with networkx and compared."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import networkx as nx
import pytest

from corpora.errors import InputError
from labelgraph.export import create_exporter, export_file, export_graph, list_export_formats
from labelgraph.neighborhood import select_nodes

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from _inspect_graphs import shop_graph  # noqa: E402


def test_select_nodes_around_hops_max_min_weight():
    g = shop_graph()
    # Shopkeeper's ring: Person (2.3), Grocery store (1.5)
    assert select_nodes(g, around="Shopkeeper").tolist() == [1, 0, 2]
    # two hops add Person's other neighbours: Horse (0.25) and Cat (0.1), strongest first
    assert select_nodes(g, around="shopkeeper", hops=2).tolist() == [1, 0, 2, 3, 4]
    assert select_nodes(g, around="Shopkeeper", hops=2, max_nodes=4).tolist() == [1, 0, 2, 3]
    assert select_nodes(g, around="Shopkeeper", hops=2, min_weight=1.2).tolist() == [1, 0, 2]
    # whole graph: every linked node by strength; Unicorn (isolated) left out
    assert sorted(select_nodes(g).tolist()) == [0, 1, 2, 3, 4, 5]
    # strengths: Shopkeeper 2.3 + 1.5 = 3.8 > Person 2.3 + 1.0 + 0.25 + 0.1 = 3.65
    assert select_nodes(g, max_nodes=2).tolist() == [1, 0]
    with pytest.raises(InputError, match="no edge source 'nope'"):
        select_nodes(g, source="nope")


def _expected(g):
    view = export_graph(g, select_nodes(g, around="Shopkeeper", hops=2))
    assert view.nodes["/m/1"]["center"] and view.nodes["/m/1"]["label"] == "Shopkeeper"
    e = view.edges["/m/0", "/m/1"]
    assert e["weight"] == pytest.approx(2.3) and e["weight_text"] == 2.0
    assert e["weight_embedding"] == pytest.approx(0.3) and e["sources"] == ["text", "embedding"]
    return view


def test_gexf_round_trip(tmp_path):
    view = _expected(shop_graph())
    out = export_file(view, tmp_path / "g.gexf", "gexf")
    back = nx.read_gexf(out)
    assert set(back.nodes) == set(view.nodes)
    # Gephi shows the display name as node label
    assert {n: back.nodes[n]["label"] for n in back} == {n: view.nodes[n]["label"] for n in view}
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in view.edges}
    for a, b, d in view.edges(data=True):
        assert back.edges[a, b]["weight"] == pytest.approx(d["weight"])
        assert back.edges[a, b]["sources"] == ";".join(d["sources"])
    assert back.nodes["/m/0"]["frequency"] == 100.0


def test_graphml_round_trip_scalars_only(tmp_path):
    view = _expected(shop_graph())
    out = export_file(view, tmp_path / "g.graphml", "graphml")
    back = nx.read_graphml(out)
    assert set(back.nodes) == set(view.nodes)
    for n, d in view.nodes(data=True):
        b = back.nodes[n]
        assert (b["label"], b["code"], b["frequency"], b["missing"], b["center"]) == (
            d["label"],
            d["code"],
            d["frequency"],
            d["missing"],
            d["center"],
        )
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in view.edges}
    for a, b, d in view.edges(data=True):
        got = back.edges[a, b]
        assert got["weight"] == pytest.approx(d["weight"])
        assert got["weight_text"] == pytest.approx(d["weight_text"])
        assert got["sources"] == ";".join(d["sources"])  # list encoded as a scalar string
    # the in-memory view still has lists (JSON keeps them)
    assert isinstance(view.edges["/m/0", "/m/1"]["sources"], list)


def test_json_node_link_and_csv(tmp_path):
    view = _expected(shop_graph())
    data = json.loads(export_file(view, tmp_path / "g.json", "json").read_text(encoding="utf-8"))
    back = nx.node_link_graph(data, edges="links")
    assert nx.utils.graphs_equal(back, view)
    rows = list(
        csv.DictReader((export_file(view, tmp_path / "g.csv", "csv")).open(encoding="utf-8"))
    )
    assert len(rows) == view.number_of_edges()
    row = next(r for r in rows if {r["source"], r["target"]} == {"/m/0", "/m/1"})
    assert float(row["weight"]) == pytest.approx(2.3) and row["sources"] == "text;embedding"
    assert {row["source_name"], row["target_name"]} == {"Person", "Shopkeeper"}


def test_unknown_format_lists_choices():
    assert {"gexf", "graphml", "json", "csv", "html"} <= set(list_export_formats())
    with pytest.raises(InputError, match="unknown export format 'dot'; choose one of: csv, gexf"):
        create_exporter("dot")
