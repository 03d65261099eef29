from __future__ import annotations

import json

import numpy as np
import pytest
from _lg_tiny_corpus import PARAGRAPHS, build_args, write_inputs

from labelgraph import LabelGraph
from labelgraph.cli import main
from labelgraph.cooccurrence import CooccurrenceCounts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("lgbuild")
    inputs = write_inputs(root / "in")
    out = root / "graph"
    assert main(build_args(inputs, out)) == 0
    return inputs, out


def test_build_writes_every_artifact(built):
    _, out = built
    for name in (
        "graph.json",
        "graph.npz",
        "manifest.json",
        "report.txt",
        "config.yaml",
        "never_seen.csv",
        "counts/text_counts.npz",
        "counts/annotation_counts.npz",
        "counts/examples.json",
        "embeddings/word2vec.bin",
        "work/stages.json",
    ):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["window"] == 10
    assert set(manifest["stages"]) == {"count", "merge", "annotations", "embeddings", "graph"}
    assert manifest["inputs"]["labels"]["sha256"]
    assert manifest["counts"]["labels_never_seen"] == 1  # Zebra
    assert "Zebra" in (out / "never_seen.csv").read_text()


def test_counts_match_the_hand_made_corpus(built):
    _, out = built
    c = CooccurrenceCounts.load(out / "counts" / "text_counts.npz")
    p, s, g, h, r = 0, 1, 2, 3, 4
    # sentences holding both: 6 x "shopkeeper ... person ... grocery store", 4 x "person ... shopkeeper"
    assert c.count("sentence", p, s) == 10
    assert c.count("sentence", s, g) == 6
    assert c.count("sentence", h, r) == 10
    assert c.count("sentence", s, h) == 0
    assert c.count("document", s, g) == 1 and c.count("document", s, h) == 0
    assert c.total("document") == 3
    assert c.mentions[g] == 9  # 6 + 3 "grocery store"
    assert c.meta["corpus"]["sentences"] == sum(n for para in PARAGRAPHS for _, n in para)


def test_embeddings_present_and_missing(built):
    _, out = built
    g = LabelGraph.load(out)
    assert g.embeddings.shape == (7, 8)
    assert g.missing.tolist() == [False, False, False, False, False, False, True]
    assert np.all(g.embeddings[6] == 0)
    assert g.cosine("Zebra", "Horse") is None


def test_combined_is_the_weighted_sum_of_sources(built):
    _, out = built
    g = LabelGraph.load(out)
    w = g.combination["weights"]
    assert w == {"text": 0.5, "annotation": 1.0, "embedding": 0.5}
    for a, b in [("Person", "Shopkeeper"), ("Horse", "Rider"), ("Shopkeeper", "Grocery store")]:
        expect = sum(w[s] * g.association(a, b, s) for s in ("text", "annotation", "embedding"))
        assert g.association(a, b) == pytest.approx(expect, rel=1e-5)
    assert g.association("Shopkeeper", "Horse", "text") == 0


def test_plausibility_orderings(built):
    _, out = built
    g = LabelGraph.load(out)
    assert g.plausibility(["Person", "Shopkeeper"]) > g.plausibility(["Horse", "Shopkeeper"])
    assert g.odd_one_out(["Person", "Shopkeeper", "Grocery store", "Horse"]) == "/m/h"
    top = [c for c, _ in g.complete(["Horse"], k=2)]
    assert "/m/r" in top


def test_evidence_has_counts_and_examples(built):
    _, out = built
    g = LabelGraph.load(out)
    ev = g.evidence("Shopkeeper", "Grocery store")
    assert ev["text"]["sentence"]["count_ab"] == 6
    assert ev["annotation"]["image"]["count_ab"] == 1
    assert ev["examples"] and all(
        "shopkeeper" in e and "grocery store" in e for e in ev["examples"]
    )
    assert len(ev["examples"]) <= 3


def test_resume_skips_finished_stages(built, tmp_path):
    inputs, out = built
    before = json.loads((out / "work" / "stages.json").read_text())
    assert main(build_args(inputs, out, "--resume")) == 0
    after = json.loads((out / "work" / "stages.json").read_text())
    for stage in ("merge", "annotations", "embeddings"):
        assert after[stage]["finished_at"] == before[stage]["finished_at"], stage
    assert after["count"]["reused_shards"] == after["count"]["shards"]
    # a changed parameter re-runs what depends on it
    assert main(build_args(inputs, out, "--resume", "--window", "3")) == 0
    again = json.loads((out / "work" / "stages.json").read_text())
    assert again["count"]["reused_shards"] == 0


def test_bad_inputs_exit_2(tmp_path, capsys):
    inputs = write_inputs(tmp_path / "in")
    args = build_args(inputs, tmp_path / "o")
    args[args.index("--labels") + 1] = str(tmp_path / "missing.csv")
    assert main(args) == 2
    assert "does not exist" in capsys.readouterr().err


def test_with_annotations_recomputes_annotation_and_combined(built):
    _, out = built
    g = LabelGraph.load(out)
    same = g.with_annotations(
        [
            ["/m/p", "/m/s", "/m/g"],
            ["/m/p", "/m/s"],
            ["/m/h", "/m/r"],
            ["/m/p", "/m/h"],
            ["/m/p"],
            ["Person", "grocery store"],
        ]
    )
    assert (same.adjacency("annotation") != g.adjacency("annotation")).nnz == 0
    np.testing.assert_array_equal(same.frequency("annotation"), g.frequency("annotation"))
    # drop the images holding Shopkeeper: its annotation edges vanish, combined follows
    fold = g.with_annotations([["/m/h", "/m/r"], ["/m/p", "/m/h"], ["/m/p"], ["/m/p", "/m/g"]])
    assert fold.association("Person", "Shopkeeper", "annotation") == 0
    assert fold.frequency("annotation")[1] == 0
    w = g.combination["weights"]
    expect = sum(w[s] * fold.association("Person", "Shopkeeper", s) for s in ("text", "embedding"))
    assert fold.association("Person", "Shopkeeper") == pytest.approx(expect, rel=1e-5)
    assert g.association("Person", "Shopkeeper") > fold.association("Person", "Shopkeeper")


def test_mlgcn_annotation_edges_from_the_cli(tmp_path):
    from labelgraph.annotations import mlgcn_adjacency
    from labelgraph.sparse_matrices import symmetrize

    inputs = write_inputs(tmp_path / "in")
    out = tmp_path / "g"
    args = build_args(
        inputs,
        out,
        "--annotation-edges",
        "mlgcn",
        "--tau",
        "0.3",
        "--p",
        "0.25",
        "--no-embeddings",
        "--top-k",
        "0",
    )
    assert main(args) == 0
    g = LabelGraph.load(out)
    counts = CooccurrenceCounts.load(out / "counts" / "annotation_counts.npz")
    expect = symmetrize(mlgcn_adjacency(counts, tau=0.3, p=0.25), "mean").toarray()
    np.fill_diagonal(expect, 0)
    np.testing.assert_allclose(g.adjacency("annotation").toarray(), expect, rtol=1e-6)
    assert "embedding" not in g.sources and g.missing.all()


def test_issue12_options_reach_the_saved_config_and_evaluate(tmp_path, capsys):
    inputs = write_inputs(tmp_path / "in")
    out = tmp_path / "g"
    extra = [
        "--context",
        "document",
        "--text-edges",
        "joint:kappa=0.2",
        "--completion",
        "association",
        "--completion-text-weight",
        "0.2",
        "--no-embeddings",
    ]
    assert main(build_args(inputs, out, *extra)) == 0
    capsys.readouterr()
    params = json.loads((out / "manifest.json").read_text())["parameters"]
    assert params["text_edges"] == "joint:kappa=0.2" and params["completion"] == "association"
    config = (out / "config.yaml").read_text()
    assert "text-edges: joint:kappa=0.2" in config and "completion-text-weight: 0.2" in config
    g = LabelGraph.load(out)
    assert g.scoring["completion"] == "association"
    assert g.scoring["completion_text_weight"] == 0.2
    assert g.annotation_pairs is not None and g.annotation_pairs[0, 1] == 2  # Person+Shopkeeper
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("label_a,label_b,images\nperson,shopkeeper,3\nhorse,rider,2\n")
    args = ["evaluate", str(out), "--cooccurrence", str(pairs), "--pair-scorers", "text joint"]
    assert main([*args, "--quiet"]) == 0
    table = capsys.readouterr().out
    assert "text joint" in table and "text PPMI" not in table
    sets = tmp_path / "sets.csv"
    sets.write_text("i1,/m/p /m/s\ni2,/m/h /m/r\ni3,/m/p /m/g\ni4,/m/p /m/s\n")
    args = ["evaluate", str(out), "--label-sets", str(sets), "--folds", "2", "--inner-folds", "0"]
    assert main([*args, "--quiet"]) == 0
    assert "graph, PMI sum" not in capsys.readouterr().out  # association mode: no ablations
