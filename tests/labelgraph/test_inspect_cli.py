"""``labelgraph info | export | draw | evaluate`` end to end on a saved hand-made graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import networkx as nx
import pytest

from labelgraph.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from _inspect_graphs import shop_graph  # noqa: E402


@pytest.fixture()
def graph_dir(tmp_path):
    return shop_graph().save(tmp_path / "graph")


def test_info(graph_dir, capsys):
    assert main(["info", str(graph_dir)]) == 0
    out = capsys.readouterr().out
    assert "labels: 7" in out and "sources: text, embedding, combined" in out
    assert "built_by: LabelGraph.from_edges" in out
    # combined has 7 edges; sorted degrees 0,2,2,2,2,2,4: median 2, mean 2, p90 = 2 + 0.4 * 2
    line = next(x for x in out.splitlines() if x.strip().startswith("combined"))
    assert line.split() == ["combined", "6", "7", "0", "2.0", "2.00", "2.8", "4", "1"]
    assert "labels never seen in the corpus: 1 (Unicorn <script>)" in out
    assert "embeddings: dim 4, 6 labels with a vector, 1 missing" in out
    # the summary comes first, the manifest after it
    lines = out.splitlines()
    manifest = lines.index("manifest (what was built, from what, with which parameters):")
    summary = [i for i, x in enumerate(lines) if x.startswith(("labels:", "label frequencies:"))]
    assert summary and max(summary) < manifest
    assert lines.index(next(x for x in lines if "built_by:" in x)) > manifest


def test_export_formats_and_around(graph_dir, tmp_path, capsys):
    out = tmp_path / "n.graphml"
    argv = [
        "export",
        str(graph_dir),
        "--format",
        "graphml",
        "--out",
        str(out),
        "--around",
        "Shopkeeper",
        "--hops",
        "2",
    ]
    assert main(argv) == 0
    # Shopkeeper, Person, Grocery store + Horse, Cat; edges 0-1, 0-2, 1-2, 0-3, 0-4
    captured = capsys.readouterr()
    assert "5 nodes, 5 edges" in captured.out
    # the result is said once: the CLI prints it, the library does not log it again
    assert (captured.out + captured.err).count(str(out)) == 1
    back = nx.read_graphml(out)
    assert {back.nodes[n]["label"] for n in back} == {
        "Shopkeeper",
        "Person",
        "Grocery store",
        "Horse",
        "Cat",
    }
    js = tmp_path / "all.json"
    assert (
        main(
            ["export", str(graph_dir), "--format", "json", "--out", str(js), "--min-weight", "1.0"]
        )
        == 0
    )
    data = json.loads(js.read_text(encoding="utf-8"))
    assert sorted(e["weight"] for e in data["links"]) == [1.0, 1.5, 1.9, 2.3]
    assert not any(n["center"] for n in data["nodes"])  # whole-graph view has no centre


def test_export_html_refusal_is_one_line_exit_2(graph_dir, tmp_path, capsys, monkeypatch):
    import labelgraph.exporters.html_page as hp

    monkeypatch.setattr(hp, "MAX_HTML_NODES", 3)
    monkeypatch.setattr(hp.render_html_page, "__defaults__", ("label graph", 3, 0))
    rc = main(["export", str(graph_dir), "--format", "html", "--out", str(tmp_path / "p.html")])
    err = capsys.readouterr().err
    assert rc == 2 and "labelgraph: error: the view has 6 nodes" in err and "--around" in err
    assert not (tmp_path / "p.html").exists()
    assert (
        main(
            [
                "export",
                str(graph_dir),
                "--format",
                "html",
                "--out",
                str(tmp_path / "p.html"),
                "--around",
                "Shopkeeper",
            ]
        )
        == 0
    )


def test_draw_cli(graph_dir, tmp_path, capsys):
    out = tmp_path / "s.png"
    assert (
        main(
            ["draw", str(graph_dir), "shopkeeper", "--out", str(out), "--hops", "2", "--dpi", "40"]
        )
        == 0
    )
    assert out.stat().st_size > 1000
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count(str(out)) == 1
    assert main(["draw", str(graph_dir), "Nonexistent label", "--out", str(out)]) == 2
    assert "Nonexistent" in capsys.readouterr().err


def test_evaluate_cli_table_and_json(graph_dir, tmp_path, capsys):
    sim = tmp_path / "sim.tsv"
    sim.write_text("cat\tdog\t8\nperson\tshopkeeper\t5\nhorse\tcat\t3\n", encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("label_a,label_b,images\nperson,horse,5\ncat,dog,2\n", encoding="utf-8")
    sets = tmp_path / "sets.csv"
    sets.write_text(
        "i1,/m/0 /m/1\ni2,/m/0 /m/2\ni3,/m/3 /m/5\ni4,/m/0 /m/1 /m/2\n", encoding="utf-8"
    )
    js = tmp_path / "eval.json"
    argv = [
        "evaluate",
        str(graph_dir),
        "--similarity",
        str(sim),
        "--cooccurrence",
        str(pairs),
        "--label-sets",
        str(sets),
        "--folds",
        "2",
        "--json",
        str(js),
        "--quiet",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for word in (
        "similarity",
        "cooccurrence",
        "completion",
        "intruder",
        "recall@10",
        "frequency prior",
        "chance",
    ):
        assert word in out
    rows = json.loads(js.read_text(encoding="utf-8"))["rows"]
    sim_row = next(
        r for r in rows if r["task"] == "similarity" and r["method"] == "embedding cosine"
    )
    assert sim_row["coverage"] == "3/3 pairs"
    assert main(["evaluate", str(graph_dir)]) == 2
    assert "nothing to evaluate" in capsys.readouterr().err


def test_info_says_the_completion_weights(tmp_path, capsys):
    """The summary names the completion the graph scores with, its P(c|s) weights (the is-a
    weight included) and how many name-head is-a parents it has."""
    from labelgraph.label_graph import LabelGraph

    def info(scoring):
        g = LabelGraph.from_edges(
            ["/m/car", "/m/sports", "/m/tree"],
            ["Car", "Sports car", "Tree"],
            edges={"text": ([0], [2], [1.0])},
            scoring=scoring,
        )
        folder = g.save(tmp_path / f"g{len(list(tmp_path.iterdir()))}")
        assert main(["info", str(folder)]) == 0
        return capsys.readouterr().out

    out = info({"completion_hypernym_weight": 0.25})
    line = next(x for x in out.splitlines() if x.startswith("completion:"))
    assert line == (
        "completion: conditional, P(c|s) weights: text 0.1, prior 0.001, is-a parents 0.25 "
        "(1 name-head is-a edge)"
    )
    assert "is-a parents 0 (off; 1 name-head is-a edge)" in info({"completion_hypernym_weight": 0})
    assert "completion: association (log prior + PMI sum)\n" in info({"completion": "association"})
