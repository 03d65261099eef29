"""Plausibility-aware decoding: the constructed Shopkeeper case, lambda = 0 is exact, the CLI
round trip adapt -> predict stores and re-applies the step."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from _colour_model import ColourModel, colour_data, rule_outputs
from PIL import Image

from corpora.errors import InputError
from labelgraph import LabelGraph
from vision.adapt import ADAPTATION_MODES, AdaptationConfig, DecisionRule, adapt
from vision.adapt.plausibility_rescoring import PlausibilityRescoring, lift_matrix
from vision.adapt.thresholds import ClassThresholds
from vision.cli import main as vision_main
from vision.inference.submission import read_submission

PSH = ["/m/person", "/m/shopkeeper", "/m/horse"]


def _graph(codes=PSH, pmi: float = 2.0) -> LabelGraph:
    """Person -- Shopkeeper with PMI ``pmi`` nats; Horse has no edge."""
    return LabelGraph.from_edges(
        codes, ["Person", "Shopkeeper", "Horse"], {"text": ([0], [1], [pmi])}
    )


def test_lift_matrix_is_exp_pmi_minus_one_in_model_order():
    g = _graph()
    m = lift_matrix(g, ["/m/horse", "/m/shopkeeper", "/m/person", "/m/unknown"])
    assert m.shape == (4, 4) and m.nnz == 2
    assert m[1, 2] == pytest.approx(np.expm1(2.0)) and m[2, 1] == pytest.approx(np.expm1(2.0))
    assert m.diagonal().sum() == 0


def test_decoding_keeps_the_supported_label_and_drops_the_unsupported_one():
    scores = np.array([[0.95, 0.4, 0.4]])  # Person high, Shopkeeper and Horse moderate
    thr = ClassThresholds.constant(PSH, 0.5, 0)
    step = PlausibilityRescoring(lift_matrix(_graph(), PSH), weight=1.0, context=3)
    out = step.apply(scores)
    # Shopkeeper given {Person, Horse}: lift = 1 + 0.95 (e^2 - 1) / (0.95 + 0.4)
    lift = 1 + 0.95 * np.expm1(2.0) / 1.35
    z = np.log(0.4 / 0.6) + np.log(lift)
    assert out[0, 1] == pytest.approx(1 / (1 + np.exp(-z)))
    assert out[0, 2] == 0.4  # no support: the score stays exactly as it was
    assert thr.decide(out).tolist() == [[True, True, False]]
    assert thr.decide(scores).tolist() == [[True, False, False]]
    # lambda = 0 returns the scores themselves
    assert PlausibilityRescoring(step.lift, weight=0.0).apply(scores) is scores


def test_context_excludes_the_label_itself_and_low_scores():
    lift = lift_matrix(_graph(), PSH)
    # context 1: only Person; Person has no other context label -> unchanged
    out = PlausibilityRescoring(lift, weight=1.0, context=1).apply(np.array([[0.9, 0.3, 0.2]]))
    assert out[0, 0] == 0.9 and out[0, 2] == 0.2 and out[0, 1] > 0.3


def test_lambda_zero_reproduces_the_pipeline_without_the_mode_bit_for_bit():
    torch.manual_seed(0)
    model = ColourModel(3)
    images, targets = colour_data(30, 0)
    bank_images, bank_targets = colour_data(30, 1)
    test_images, _ = colour_data(20, 2)
    kw = {"bank_images": bank_images, "bank_targets": sp.csr_matrix(bank_targets)}
    base = adapt(
        model, images, targets, PSH, AdaptationConfig("knn,thresholds", inner_folds=3), **kw
    )
    cfg = AdaptationConfig(
        "knn,plausibility,thresholds",
        inner_folds=3,
        mode_options={"plausibility": {"weights": (0.0,)}},
    )
    with_mode = adapt(model, images, targets, PSH, cfg, graph=_graph(), **kw)
    assert with_mode.rule.step("plausibility").weight == 0.0
    np.testing.assert_array_equal(
        with_mode.rule.thresholds.thresholds, base.rule.thresholds.thresholds
    )
    assert with_mode.rule.thresholds.max_labels == base.rule.thresholds.max_labels
    s0, d0 = rule_outputs(base, test_images)
    s1, d1 = rule_outputs(with_mode, test_images)
    np.testing.assert_array_equal(s0, s1)
    np.testing.assert_array_equal(d0, d1)
    # the grid with 0 and positive lambdas records each candidate's out-of-fold F2
    cfg2 = AdaptationConfig("plausibility,thresholds", inner_folds=3)
    res = adapt(model, images, targets, PSH, cfg2, graph=_graph())
    assert res.stats["plausibility_weight"] in (0.0, 0.25, 0.5, 1.0, 2.0)
    assert "oof_f2_plausibility_weight_0" in res.stats


def test_mode_is_tagged_and_needs_a_graph():
    assert ADAPTATION_MODES.has_tag("plausibility", "uses_graph")
    assert "plausibility" in ADAPTATION_MODES.names(tag="uses_graph")
    cfg = AdaptationConfig("plausibility@annotation,thresholds")
    assert cfg.options_for("plausibility") == {"source": "annotation"}
    images, targets = colour_data(9, 0)
    with pytest.raises(InputError, match="needs a label graph"):
        adapt(ColourModel(3), images, targets, PSH, AdaptationConfig("plausibility,thresholds"))
    with pytest.raises(InputError, match="source 'annotation' is not in the graph"):
        adapt(ColourModel(3), images, targets, PSH, cfg, graph=_graph())


def test_step_saves_and_loads_with_the_decision_rule(tmp_path):
    step = PlausibilityRescoring(lift_matrix(_graph(), PSH), weight=0.5, context=2)
    rule = DecisionRule(PSH, ClassThresholds.constant(PSH, 0.5, 1), steps=[step])
    rule.save(tmp_path)
    back = DecisionRule.load(tmp_path).step("plausibility")
    assert back.weight == 0.5 and back.context == 2
    assert (back.lift != step.lift).nnz == 0


# ---------------------------------------------------------------- CLI round trip
COLOURS = {0: (230, 30, 30), 1: (30, 230, 30), 2: (30, 30, 230)}


def _fake_load_run(run_dir, which="best"):
    torch.manual_seed(0)
    meta = json.loads((run_dir / "fake_run.json").read_text())
    return ColourModel(3), {"codes": meta["codes"], "config": {"image_size": 16}, "epoch": 1}


def _write_images(folder, n, rng, offset=0):
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    for i in range(n):
        j = int(rng.integers(3))
        image_id = f"img{offset + i:04d}"
        noise = rng.integers(-20, 20, (16, 16, 3))
        arr = np.clip(np.array(COLOURS[j])[None, None] + noise, 0, 255).astype(np.uint8)
        Image.fromarray(arr).save(folder / f"{image_id}.png")
        labels[image_id] = [PSH[j]] + ([PSH[0]] if j == 1 else [])
    return labels


def test_adapt_then_predict_applies_the_plausibility_step(tmp_path, monkeypatch):
    import vision.checkpoint

    monkeypatch.setattr(vision.checkpoint, "load_run", _fake_load_run)
    rng = np.random.default_rng(0)
    run = tmp_path / "run"
    run.mkdir()
    (run / "fake_run.json").write_text(json.dumps({"codes": PSH}))
    (run / "config.yaml").write_text("image-size: 16\ngraph: identity\n")
    tune = _write_images(tmp_path / "tune", 30, rng)
    _write_images(tmp_path / "test", 12, rng, offset=100)
    with open(tmp_path / "tuning_labels.csv", "w") as fh:
        for k, v in tune.items():
            fh.write(f"{k},{' '.join(v)}\n")
    graph_dir = _graph().save(tmp_path / "graph")
    out = tmp_path / "adapted"
    args = ["adapt", "--run", str(run), "--tuning-labels", str(tmp_path / "tuning_labels.csv")]
    args += ["--images", str(tmp_path / "tune"), "--out", str(out), "--quiet", "--inner-folds"]
    args += ["2", "--mode", "plausibility,thresholds", "--graph", str(graph_dir)]
    assert vision_main([*args, "--plausibility-weights", "0.5", "--plausibility-context", "2"]) == 0
    manifest = json.loads((out / "adaptation.json").read_text())
    assert manifest["config"]["mode_options"] == {"plausibility": {"weights": [0.5], "context": 2}}
    assert manifest["train"]["graph"] == str(graph_dir)
    saved = (out / "config.yaml").read_text()
    assert "plausibility-weights" in saved and "graph:" in saved
    rule = DecisionRule.load(out)
    assert rule.step("plausibility").weight == 0.5 and rule.step("plausibility").context == 2
    # the saved config gives the same options back
    again = tmp_path / "again"
    assert vision_main(["adapt", "-c", str(out / "config.yaml"), "--out", str(again)]) == 0
    assert json.loads((again / "adaptation.json").read_text())["config"]["mode_options"] == {
        "plausibility": {"weights": [0.5], "context": 2}
    }

    sub, probs = tmp_path / "sub.csv", tmp_path / "scores.npz"
    pargs = ["predict", "--run", str(out), "--images", str(tmp_path / "test"), "--out", str(sub)]
    assert vision_main([*pargs, "--quiet", "--save-probs", str(probs)]) == 0
    assert len(read_submission(sub)) == 12
    with np.load(probs, allow_pickle=False) as z:
        scores = z["probs"]
    # the stored scores are the rescored ones: recompute them from the plain run's
    plain = tmp_path / "plain.npz"
    pargs2 = ["predict", "--run", str(run), "--images", str(tmp_path / "test")]
    pargs2 += ["--out", str(tmp_path / "p.csv"), "--quiet", "--save-probs", str(plain)]
    assert vision_main(pargs2) == 0
    with np.load(plain, allow_pickle=False) as z:
        p = z["probs"].astype(np.float64)
    expected = rule.step("plausibility").apply(p)
    assert not np.allclose(expected, p)
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    # --graph without a mode that reads it is an error
    assert vision_main([*args[:-3], "thresholds", "--graph", str(graph_dir)]) == 2


def test_lift_matrix_keeps_the_strongest_edges_of_each_row():
    codes = ["a", "b", "c", "d"]
    g = LabelGraph.from_edges(
        codes, None, {"text": ([0, 0, 0, 1], [1, 2, 3, 2], [1.0, 3.0, 2.0, 1.0])}
    )
    m = lift_matrix(g, codes, max_edges=2)
    assert sorted(m[0].indices.tolist()) == [2, 3]  # a's edges 3.0 (c) and 2.0 (d)
    assert m[2].nnz == 2 and lift_matrix(g, codes, max_edges=0)[0].nnz == 3
