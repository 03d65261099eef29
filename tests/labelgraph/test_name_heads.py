"""Is-a edges read off label names, and the hypernym part of directional completion."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _lg_tiny_corpus import build_args, write_inputs

from corpora.errors import InputError
from labelgraph import LabelGraph
from labelgraph.conditional_completion import ConditionalCompletion
from labelgraph.evaluation.completion_fit import best_weights, completion_weight_scores
from labelgraph.name_heads import hypernym_matrix, name_head_hypernyms

NAMES = [
    "Car",  # 0
    "Sports car",  # 1
    "Carrot",  # 2
    "Car wash",  # 3
    "Wash",  # 4
    "Cup of tea",  # 5
    "Tea",  # 6
    "Seal",  # 7
    "Seal (animal)",  # 8
    "Harbor seal",  # 9
    "Mixed nuts",  # 10
    "Nut",  # 11
    "Boeing 737",  # 12
    "737",  # 13
    "Electric guitar",  # 14
    "Guitar",  # 15
    "Salt and pepper",  # 16
    "Pepper",  # 17
]


def _named(pairs):
    return {(NAMES[c], NAMES[p]) for c, p in pairs}


def test_name_heads_found_and_not_found():
    found = _named(name_head_hypernyms(NAMES))
    assert found == {
        ("Sports car", "Car"),
        ("Car wash", "Wash"),  # the lexical head, kept (documented false-positive class)
        ("Harbor seal", "Seal"),  # both labels named "seal"
        ("Harbor seal", "Seal (animal)"),
        ("Mixed nuts", "Nut"),  # plural head
        ("Electric guitar", "Guitar"),
    }
    # not a head: a prefix (Car wash is no Car), part of a word (Carrot is no Car), a word
    # after "of"/"and", digits, the same normalised name, one-word names
    assert ("Car wash", "Car") not in found and ("Carrot", "Car") not in found
    assert not {("Cup of tea", "Tea"), ("Salt and pepper", "Pepper"), ("Boeing 737", "737")} & found
    assert ("Seal", "Seal (animal)") not in found and ("Seal (animal)", "Seal") not in found
    assert ("Mixed nuts", "Nut") not in _named(name_head_hypernyms(NAMES, plurals=False))


def test_hypernym_matrix_is_directed_child_to_parent():
    m = hypernym_matrix(NAMES)
    assert m.shape == (len(NAMES), len(NAMES)) and m.nnz == 6
    assert m[1, 0] == 1 and m[0, 1] == 0  # Sports car -> Car only


def _model(u: float, hypernyms=True) -> ConditionalCompletion:
    pairs = np.array([[0, 2, 1], [2, 0, 0], [1, 0, 0]], dtype=float)
    return ConditionalCompletion(
        pairs,
        np.array([3.0, 2.0, 1.0]),
        4,
        np.array([5.0, 1.0, 2.0]),
        np.array([[0, 0.5, 0], [0.5, 0, 1.0], [0, 1.0, 0]]),
        text_weight=0.1,
        prior_weight=0.05,
        hypernyms=np.array([[0, 0, 0], [1, 0, 1], [0, 0, 0]]) if hypernyms else None,
        hypernym_weight=u,
    )


def test_hypernym_part_by_hand_and_u_zero_bit_for_bit():
    base, m = _model(0.0, hypernyms=False), _model(0.3)
    p1 = base.conditional(1)
    np.testing.assert_allclose(m.conditional(1), 0.7 * p1 + 0.3 * np.array([0.5, 0, 0.5]))
    assert m.conditional(1).sum() == pytest.approx(0.7 * p1.sum() + 0.3)
    assert np.array_equal(m.conditional(0), base.conditional(0))  # label 0 has no parent
    for s in range(3):  # u = 0: the three-part mixture, exactly
        assert np.array_equal(_model(0.0).conditional(s), base.conditional(s))
    assert m.parents(1).tolist() == [0, 2] and m.parents(0).tolist() == []
    with pytest.raises(ValueError, match=r"hypernym weight must be in \[0, 1\], got 1.5"):
        _model(1.5)


def _car_graph(u: float) -> LabelGraph:
    names = ["Car", "Sports car", "Road", "Person", "Carrot"]
    g = LabelGraph.from_edges(
        [f"/m/{i}" for i in range(5)],
        names,
        {"text": ([2], [3], [1.0])},
        frequencies={"corpus": np.array([5.0, 5, 40, 100, 30])},
        scoring={"completion_hypernym_weight": u},
    )
    images = [["Sports car", "Road"], ["Sports car", "Person"], ["Person", "Road"], ["Carrot"]]
    return g.with_annotations(images)


def test_complete_sports_car_proposes_car_and_stays_directional():
    g = _car_graph(0.3)
    # Car, never annotated with a sports car, comes third (after Road and Person, each on half
    # of the sports-car images), ahead of Carrot; last without the is-a part
    assert [c for c, _ in g.complete(["Sports car"], k=4)] == ["/m/3", "/m/2", "/m/0", "/m/4"]
    assert [c for c, _ in _car_graph(0.0).complete(["Sports car"], k=4)][-1] == "/m/0"
    p0 = _car_graph(0.0).completion_scores(["Sports car"])[0]
    assert g.completion_scores(["Sports car"])[0] == pytest.approx(0.7 * p0 + 0.3)
    # Car's conditional does not favour its child: the same with and without the part
    for given in (["Car"], ["Carrot"]):
        assert (
            g.completion_scores(given).tolist() == _car_graph(0.0).completion_scores(given).tolist()
        )
    h = _car_graph(0.0)
    model = h.completion_model()
    assert model.hypernyms is None  # u = 0: the graph passes no hypernym edges at all
    assert np.array_equal(
        h.completion_scores(["Sports car", "Road"]),
        model.conditional(1) + model.conditional(2),
    )


def test_hypernym_weight_saved_and_old_graphs_complete_without_it(tmp_path):
    g = _car_graph(0.3)
    folder = g.save(tmp_path / "g")
    assert LabelGraph.load(folder).scoring["completion_hypernym_weight"] == 0.3
    meta = json.loads((folder / "graph.json").read_text())
    del meta["scoring"]["completion_hypernym_weight"]  # as saved before the option
    (folder / "graph.json").write_text(json.dumps(meta))
    old = LabelGraph.load(folder)
    assert old.scoring["completion_hypernym_weight"] == 0.0
    assert old.complete(["Sports car"], k=2) == _car_graph(0.0).complete(["Sports car"], k=2)


def test_inner_cv_grid_has_the_hypernym_weight():
    kinds = ["Red", "Blue", "Fast", "Old", "Small", "Big", "Toy", "Race"]
    names = ["Car", "Person", "Road", *(f"{k} car" for k in kinds)]
    g = LabelGraph.from_edges([f"/m/{i}" for i in range(len(names))], names, {})
    # Person, on more images than Car, leads the prior; each kind of car is seen once, with
    # Car: only its name can tell, on a held-out image, that a Toy car comes with a Car
    sets = [[1, 2]] * 12 + [[0, 3 + i] for i in range(len(kinds))]
    scores, queries = completion_weight_scores(
        g, sets, inner_folds=2, k=1, text_weights=(0.0, 0.1), prior_weights=(0.01,)
    )
    assert queries == 2 * len(sets)
    assert sorted({u for _, _, u in scores}) == [0.0, 0.03, 0.1, 0.3]
    w, v, u = best_weights(scores)
    assert u > 0
    assert best_weights(scores, hypernym_weight=0.0)[2] == 0.0
    assert best_weights(scores, text_weight=0.0, hypernym_weight=0.0)[:3:2] == (0.0, 0.0)
    with pytest.raises(ValueError, match="no weights in the grid with text weight 0.5"):
        best_weights(scores, text_weight=0.5)


def test_build_flag_reaches_graph_manifest_and_config(tmp_path, capsys):
    from labelgraph.cli import main

    inputs = write_inputs(tmp_path / "in")
    out = tmp_path / "g"
    args = build_args(inputs, out, "--no-embeddings", "--completion-hypernym-weight", "0.2")
    assert main(args) == 0
    capsys.readouterr()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["completion_hypernym_weight"] == 0.2
    assert manifest["stages"]["graph"]["name_head_hypernyms"] == 0  # no compound names here
    assert "completion-hypernym-weight: 0.2" in (out / "config.yaml").read_text()
    assert LabelGraph.load(out).scoring["completion_hypernym_weight"] == 0.2
    bad = build_args(inputs, tmp_path / "bad", "--no-embeddings", "--completion-hypernym-weight")
    assert main([*bad, "-0.1"]) == 2
    err = capsys.readouterr().err
    assert "--completion-hypernym-weight -0.1 must be in [0, 1]" in err
    assert not (tmp_path / "bad" / "graph.json").exists()


def test_builder_refuses_a_bad_hypernym_weight(tmp_path):
    from labelgraph.build_config import BuildConfig
    from labelgraph.graph_builder import GraphBuilder

    inputs = write_inputs(tmp_path / "in")
    config = BuildConfig(
        corpus=[str(inputs["corpus"])],
        labels=str(inputs["labels"]),
        out=str(tmp_path / "g"),
        completion_hypernym_weight=2.0,
    )
    with pytest.raises(InputError, match=r"--completion-hypernym-weight 2.0 must be in \[0, 1\]"):
        GraphBuilder(config)
