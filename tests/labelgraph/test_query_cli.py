from __future__ import annotations

import csv
import io
import json

import pytest
from _lg_tiny_corpus import build_args, write_inputs

from labelgraph.cli import main


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lgquery")
    out = root / "graph"
    assert main(build_args(write_inputs(root / "in"), out)) == 0
    return str(out)


def test_neighbors_formats_and_sources(graph_dir, capsys):
    assert main(["neighbors", graph_dir, "horse", "-k", "2", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) <= 2 and rows[0]["code"] == "/m/r" and rows[0]["rank"] == 1
    assert main(["neighbors", graph_dir, "/m/s", "--source", "text", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["name"] for r in rows} == {"Person", "Grocery store"}
    weights = [float(r["weight"]) for r in rows]
    assert weights == sorted(weights, reverse=True)
    assert main(["neighbors", graph_dir, "Rider"]) == 0
    assert "Horse" in capsys.readouterr().out


def test_unknown_label_suggests_close_names(graph_dir, capsys):
    assert main(["neighbors", graph_dir, "Shopkeper"]) == 2
    err = capsys.readouterr().err
    assert "unknown label 'Shopkeper'" in err and "Shopkeeper" in err
    assert main(["neighbors", graph_dir, "Horse", "--source", "nope"]) == 2
    assert "no edge source 'nope'" in capsys.readouterr().err


def test_score_sorts_most_plausible_first(graph_dir, capsys):
    assert (
        main(["score", graph_dir, "Horse,Shopkeeper", "Person,Shopkeeper", "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["set"] for r in rows] == ["Person,Shopkeeper", "Horse,Shopkeeper"]
    assert rows[0]["plausibility"] > rows[1]["plausibility"]


def test_odd_one_out_and_complete(graph_dir, capsys):
    assert main(["odd-one-out", graph_dir, "Person,Shopkeeper,Grocery store,Horse"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("Horse (/m/h)")
    assert main(["complete", graph_dir, "Person,Shopkeeper", "-k", "3", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    codes = [r["code"] for r in rows]
    assert "/m/p" not in codes and "/m/s" not in codes
    assert codes[0] == "/m/g"
    assert main(["odd-one-out", graph_dir, "Person,Horse"]) == 2
    assert "at least 3" in capsys.readouterr().err


def test_complete_is_directional_and_the_ablation_reachable(graph_dir, capsys):
    # tuning images: Shopkeeper on 2, both with Person; Person on 5, 2 with Shopkeeper
    assert main(["complete", graph_dir, "Shopkeeper", "-k", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "Person"
    assert main(["complete", graph_dir, "Person", "--format", "json"]) == 0
    rows = {r["name"]: r["score"] for r in json.loads(capsys.readouterr().out)}
    assert rows["Shopkeeper"] < 0.5  # P(Shopkeeper | Person) is small
    args = ["complete", graph_dir, "Shopkeeper", "--completion", "association", "--format", "json"]
    assert main(args) == 0
    assert all(r["score"] < 0 for r in json.loads(capsys.readouterr().out))  # log-scores


def test_tables_are_aligned_without_trailing_spaces(graph_dir, capsys):
    """The README prints these tables as they come out: aligned columns, no padding at the end."""
    assert main(["score", graph_dir, "Person,Shopkeeper", "Horse,Shopkeeper"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "plausibility  set"
    assert lines[1].endswith("Person,Shopkeeper") and lines[2].endswith("Horse,Shopkeeper")
    assert main(["neighbors", graph_dir, "Shopkeeper", "-k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("# neighbours of Shopkeeper (/m/s), source combined")
    assert all(line == line.rstrip() for line in lines)
