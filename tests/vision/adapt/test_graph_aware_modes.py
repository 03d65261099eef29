"""Graph-aware adaptation (issue 12): neighbour-borrowed thresholds and kNN label transfer
propagated along the label graph. Constructed cases, the "off" settings bit for bit, and the
CLI round trip adapt -> predict without the graph."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from _colour_model import ColourModel, colour_data, rule_outputs

from corpora.errors import InputError
from labelgraph import LabelGraph
from vision.adapt import ADAPTATION_MODES, AdaptationConfig, DecisionRule, KNNTransfer, adapt
from vision.adapt.adaptation_inputs import AdaptationInputs
from vision.adapt.label_propagation import propagate_labels
from vision.adapt.modes.neighbour_thresholds_mode import NeighbourThresholdsMode
from vision.adapt.modes.thresholds_mode import ThresholdsMode
from vision.adapt.neighbour_borrowing import borrow_from_neighbours, neighbour_mean
from vision.adapt.thresholds import ClassThresholds
from vision.cli import main as vision_main
from vision.inference.submission import read_submission
from vision.label_graph_matrices import conditional_matrix, edge_matrix

ABC = ["/m/a", "/m/b", "/m/c"]


def _graph(codes=ABC) -> LabelGraph:
    """a -- b (PMI 2 nats), b -- c (PMI 1); c has no edge with a."""
    return LabelGraph.from_edges(codes, None, {"text": ([0, 1], [1, 2], [2.0, 1.0])})


# ---------------------------------------------------------------- neighbour-borrowed thresholds
def test_neighbour_threshold_is_the_pmi_weighted_mean_over_neighbours_with_positives():
    edges = edge_matrix(_graph(), ABC, "text")
    assert edges[0, 1] == 2.0 and edges[1, 2] == 1.0 and edges[0, 2] == 0
    t = np.array([0.3, 0.9, 0.5])
    nbr = neighbour_mean(t, np.array([4, 0, 3]), edges)
    assert nbr[1] == pytest.approx((2 * 0.3 + 1 * 0.5) / 3)
    assert np.isnan(nbr[0]) and np.isnan(nbr[2])
    # kappa 0 is the thresholds themselves; a large kappa gives the neighbours' threshold
    assert borrow_from_neighbours(t, np.array([4, 0, 3]), nbr, 0.0, 5.0) is t
    far = borrow_from_neighbours(t, np.array([4, 0, 3]), nbr, 1e12, 5.0)
    assert far[1] == pytest.approx(nbr[1]) and far[0] == 0.3 and far[2] == 0.5
    # a label with one positive (n + s = 6) moves by kappa / (6 + kappa)
    one = borrow_from_neighbours(t, np.array([4, 1, 3]), nbr, 6.0, 5.0)
    assert one[1] == pytest.approx((0.9 + nbr[1]) / 2)
    # labels with enough positives keep theirs
    assert borrow_from_neighbours(t, np.array([4, 2, 3]), nbr, 6.0, 5.0)[1] == 0.9


def _scores_targets(n: int = 60, seed: int = 0):
    """Scores of 3 labels; a (low scores) and c (high scores) have positives, b none (it
    borrows from a and c)."""
    rng = np.random.default_rng(seed)
    targets = np.zeros((n, 3), dtype=np.float32)
    targets[rng.random(n) < 0.4, 0] = 1
    targets[rng.random(n) < 0.3, 2] = 1
    scores = rng.random((n, 3)) * 0.2
    scores[:, 0] += 0.25 * targets[:, 0]
    scores[:, 2] += 0.6 + 0.2 * targets[:, 2]
    return scores, targets


def _inputs(graph):
    return AdaptationInputs(ColourModel(3), codes=list(ABC), graph=graph)


def test_label_without_tuning_positives_takes_its_neighbours_threshold_at_large_kappa():
    scores, targets = _scores_targets()
    kw = {"inner_folds": 3, "seed": 0}
    opts = {"count_rules": False, "unseen_candidates": (), "unseen_threshold": 0.9}
    base = ThresholdsMode(**opts).fit(scores, targets, ABC, stats={}, **kw)
    mode = NeighbourThresholdsMode(**opts, kappas=(1e9,), source="text")
    stats: dict = {}
    thr = mode.fit(scores, targets, ABC, stats=stats, inputs=_inputs(_graph()), **kw)
    t = base.thresholds
    assert t[1] == 0.9 and t[0] < t[2]
    assert thr.thresholds[1] == pytest.approx((2 * t[0] + 1 * t[2]) / 3, abs=1e-6)
    assert thr.thresholds[0] == t[0] and thr.thresholds[2] == t[2]
    assert stats["neighbour_kappa"] == 1e9 and stats["neighbour_thresholds_changed"] == 1


def test_kappa_zero_is_the_thresholds_mode_bit_for_bit():
    scores, targets = _scores_targets(seed=1)
    kw = {"inner_folds": 3, "seed": 0}
    base = ThresholdsMode().fit(scores, targets, ABC, stats={}, **kw)
    off = NeighbourThresholdsMode(kappas=(0.0,), source="text")
    thr = off.fit(scores, targets, ABC, stats={}, inputs=_inputs(_graph()), **kw)
    np.testing.assert_array_equal(thr.thresholds, base.thresholds)
    assert (thr.min_labels, thr.max_labels) == (base.min_labels, base.max_labels)
    # the grid records each kappa's cross-validated F2 and the chosen one
    stats: dict = {}
    grid = NeighbourThresholdsMode(source="text")
    grid.fit(scores, targets, ABC, stats=stats, inputs=_inputs(_graph()), **kw)
    assert stats["neighbour_kappa"] in grid.kappas
    assert {f"oof_f2_neighbour_kappa_{k:g}" for k in grid.kappas} <= set(stats)


# ---------------------------------------------------------------- neighbour-borrowed prior shift
def test_label_without_tuning_positives_takes_its_neighbours_prior_shift_at_large_kappa():
    from vision.adapt.modes.bias_mode import BiasMode
    from vision.adapt.modes.neighbour_bias_mode import NeighbourBiasMode

    _, targets = _scores_targets()
    prior = np.array([0.2, 0.1, 0.05])
    inputs = AdaptationInputs(ColourModel(3), source_prior=prior, codes=list(ABC), graph=_graph())
    images = torch.zeros(len(targets), 3, 4, 4)
    offset = BiasMode().fit(inputs.model, images, targets, inputs)
    mode = NeighbourBiasMode(kappas=(0.0, 1e9), source="text")
    fit = mode.fit(inputs.model, images, targets, inputs)
    far = mode.step(fit, {"kappa": 1e9}).offset
    assert far[1] == pytest.approx((2 * offset[0] + 1 * offset[2]) / 3)
    assert far[0] == offset[0] and far[2] == offset[2]
    assert mode.step(fit, {"kappa": 0.0}).offset is fit[0]
    np.testing.assert_array_equal(fit[0], offset)


def test_neighbour_bias_at_kappa_zero_is_the_bias_pipeline_bit_for_bit():
    torch.manual_seed(0)
    model = ColourModel(3)
    images, targets = colour_data(30, 0)
    bank_images, bank_targets = colour_data(30, 1)
    test_images, _ = colour_data(20, 2)
    kw = {
        "bank_images": bank_images,
        "bank_targets": sp.csr_matrix(bank_targets),
        "source_prior": np.array([0.5, 0.2, 0.3]),
    }
    base = adapt(
        model, images, targets, ABC, AdaptationConfig("bias,knn,thresholds", inner_folds=3), **kw
    )
    cfg = AdaptationConfig(
        "neighbour-bias@text,knn,thresholds",
        inner_folds=3,
        mode_options={"neighbour-bias": {"kappas": (0.0,)}},
    )
    off = adapt(model, images, targets, ABC, cfg, graph=_graph(), **kw)
    assert off.stats["bias_neighbour_kappa"] == 0.0
    np.testing.assert_array_equal(off.rule.logit_offset, base.rule.logit_offset)
    for a, b in zip(rule_outputs(base, test_images), rule_outputs(off, test_images)):
        np.testing.assert_array_equal(a, b)
    grid = adapt(
        model, images, targets, ABC,
        AdaptationConfig("neighbour-bias@text,knn,thresholds", inner_folds=3), graph=_graph(), **kw,
    )  # fmt: skip
    assert grid.stats["bias_neighbour_kappa"] in (0.0, 1.0, 3.0, 10.0, 30.0, 100.0)
    assert "oof_f2_neighbour_bias_kappa_100" in grid.stats
    with pytest.raises(InputError, match="'neighbour-bias' is a variant of 'bias'"):
        AdaptationConfig("bias,neighbour-bias")


# ---------------------------------------------------------------- propagated kNN transfer
def test_conditional_matrix_is_the_graph_conditional_on_its_edges():
    g = _graph()
    c = conditional_matrix(g, ABC, "text")
    p = np.exp(g.log_prior())
    z_a = 1 + p[1] * np.expm1(2.0)
    assert c[0, 1] == pytest.approx(p[1] * np.exp(2.0) / z_a, rel=1e-6)
    assert c[0, 2] == 0 and c.diagonal().sum() == 0
    assert np.all(np.asarray(c.sum(axis=1)).ravel() <= 1 + 1e-6)
    assert conditional_matrix(g, ABC, "text", max_edges=1)[1].nnz == 1  # b's likeliest only


def test_propagation_raises_implied_labels_and_mu_zero_is_the_identity():
    c = sp.csr_matrix(np.array([[0, 0.5, 0], [0, 0, 0], [0, 0, 0]], dtype=np.float32))
    k = np.array([[0.8, 0.1, 0.0], [0.9, 0.9, 0.2]], dtype=np.float32)
    out = propagate_labels(k, c, 2.0)
    np.testing.assert_allclose(out, [[0.8, 0.1 + 2 * 0.4, 0.0], [0.9, 1.0, 0.2]], rtol=1e-6)
    assert out.dtype == np.float32
    assert propagate_labels(k, c, 0.0) is k


def test_propagation_sparse_and_dense_products_agree_across_blocks(monkeypatch):
    """Mostly-zero kNN votes take the sparse product, dense ones the dense product; both give
    the same scores, in blocks of any size (here 7 rows)."""
    import vision.adapt.label_propagation as lp

    rng = np.random.default_rng(0)
    n_labels = 40
    c = sp.random(n_labels, n_labels, density=0.1, format="csr", random_state=1, dtype=np.float32)
    c.setdiag(0)
    c.eliminate_zeros()
    votes = sp.random(30, n_labels, density=0.05, format="csr", random_state=2).toarray()
    dense = rng.random((30, n_labels))
    monkeypatch.setattr(lp, "BLOCK_ROWS", 7)
    for k in (votes.astype(np.float32), votes, dense):
        expected = np.minimum(
            1.0, k.astype(np.float64) + 0.3 * (k.astype(np.float64) @ c.toarray())
        )
        results = []
        for fraction in (0.0, 1.0):  # 0: always the dense product, 1: always the sparse one
            monkeypatch.setattr(lp, "SPARSE_FRACTION", fraction)
            out = propagate_labels(k, c, 0.3)
            assert out.dtype == k.dtype and out.shape == k.shape
            results.append(out)
        tol = 1e-6 if k.dtype == np.float32 else 1e-12
        for out in results:
            np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize(
    "mode, option, noun",
    [
        ("neighbour-thresholds", "kappas", "kappa"),
        ("neighbour-bias", "kappas", "kappa"),
        ("knn-propagation", "graph_weights", "graph weight"),
        ("plausibility", "weights", "weight"),
    ],
)
def test_candidate_grids_are_checked_alike(mode, option, noun):
    with pytest.raises(InputError, match=f"^the {mode} mode needs at least one candidate {noun}$"):
        ADAPTATION_MODES.create(mode, **{option: ()})
    with pytest.raises(InputError, match=rf"^{mode} {noun}s must be >= 0, got \[1.0, -1.0\]$"):
        ADAPTATION_MODES.create(mode, **{option: (1.0, -1.0)})
    made = ADAPTATION_MODES.create(mode, **{option: (0, 2)})
    assert getattr(made, option) == (0.0, 2.0)


def test_off_settings_reproduce_the_graph_free_pipeline_bit_for_bit(tmp_path):
    torch.manual_seed(0)
    model = ColourModel(3)
    images, targets = colour_data(30, 0)
    bank_images, bank_targets = colour_data(30, 1)
    test_images, _ = colour_data(20, 2)
    kw = {"bank_images": bank_images, "bank_targets": sp.csr_matrix(bank_targets)}
    base = adapt(
        model, images, targets, ABC, AdaptationConfig("knn,thresholds", inner_folds=3), **kw
    )
    cfg = AdaptationConfig(
        "knn-propagation,neighbour-thresholds@text",
        inner_folds=3,
        mode_options={
            "knn-propagation": {"graph_weights": (0.0,), "source": "text"},
            "neighbour-thresholds": {"kappas": (0.0,)},
        },
    )
    off = adapt(model, images, targets, ABC, cfg, graph=_graph(), **kw)
    assert off.stats["knn_graph_weight"] == 0.0 and off.stats["neighbour_kappa"] == 0.0
    assert off.rule.knn.propagation is None
    np.testing.assert_array_equal(off.rule.thresholds.thresholds, base.rule.thresholds.thresholds)
    assert off.rule.thresholds.max_labels == base.rule.thresholds.max_labels
    for a, b in zip(rule_outputs(base, test_images), rule_outputs(off, test_images)):
        np.testing.assert_array_equal(a, b)
    # the default grids choose among their candidates and record them
    on = adapt(
        model, images, targets, ABC,
        AdaptationConfig("knn-propagation,neighbour-thresholds", inner_folds=3),
        graph=LabelGraph.from_edges(ABC, None, {"combined": ([0, 1], [1, 2], [2.0, 1.0])}), **kw,
    )  # fmt: skip
    assert on.stats["knn_graph_weight"] in (0.0, 0.05, 0.1, 0.25, 0.5)
    assert "oof_f2_knn_weight_0.5_temperature_0.05_graph_0.1" in on.stats


def test_knn_step_with_propagation_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    c = conditional_matrix(_graph(), ABC, "text")
    labels = sp.csr_matrix(np.eye(3, dtype=np.float32)[[0, 1, 2, 0]])
    step = KNNTransfer(rng.random((4, 5)), labels, 2, 0.05, 0.5, "features", c, 2.0)
    rule = DecisionRule(ABC, ClassThresholds.constant(ABC, 0.5, 1), steps=[step])
    rule.save(tmp_path)
    meta = json.loads((tmp_path / "decision.json").read_text())
    assert meta["knn"]["propagation"] == {"weight": 2.0, "edges": int(c.nnz)}
    back = DecisionRule.load(tmp_path).knn
    assert back.propagation_weight == 2.0 and (back.propagation != c).nnz == 0
    q = rng.random((3, 5))
    np.testing.assert_allclose(back.scores(q), step.scores(q), rtol=1e-6)
    assert not np.array_equal(step.scores(q), KNNTransfer(rng.random((4, 5)), labels).scores(q))


def test_modes_are_tagged_need_a_graph_and_knn_variants_exclude_each_other():
    graph_modes = ADAPTATION_MODES.names(tag="uses_graph")
    assert {"plausibility", "neighbour-thresholds", "knn-propagation", "neighbour-bias"} <= set(
        graph_modes
    )
    cfg = AdaptationConfig("knn-propagation@pixels,neighbour-thresholds@annotation")
    assert cfg.knn_space == "pixels"
    assert cfg.options_for("neighbour-thresholds")["source"] == "annotation"
    with pytest.raises(InputError, match="'knn-propagation' is a variant of 'knn'"):
        AdaptationConfig("knn,knn-propagation,thresholds")
    with pytest.raises(InputError, match="at most one of"):
        AdaptationConfig("thresholds,neighbour-thresholds")
    with pytest.raises(
        InputError,
        match=r"'annotation' \(knn-propagation@SPACE sets the kNN "
        r"space: .*the graph's edge source is --knn-propagation-source",
    ):
        AdaptationConfig("knn-propagation@annotation").create_modes()
    images, targets = colour_data(9, 0)
    # one check serves every graph-reading mode: the same wording for each
    for modes in ("neighbour-thresholds", "knn-propagation", "neighbour-bias", "plausibility"):
        with pytest.raises(InputError, match=f"--mode {modes} needs a label graph"):
            adapt(ColourModel(3), images, targets, ABC, AdaptationConfig(modes))
        mode = ADAPTATION_MODES.create(modes, source="annotation")
        with_graph = AdaptationInputs(ColourModel(3), codes=ABC, graph=_graph())
        with pytest.raises(InputError, match=f"^{modes} source 'annotation' is not in the graph"):
            mode.check(with_graph)
        with pytest.raises(InputError, match=f"^--mode {modes} needs the model's label codes"):
            mode.check(AdaptationInputs(ColourModel(3), graph=_graph()))
    with pytest.raises(InputError, match="source 'annotation' is not in the graph"):
        adapt(ColourModel(3), images, targets, ABC, cfg, graph=_graph())


# ---------------------------------------------------------------- CLI round trip
@pytest.fixture(scope="module")
def synth_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    data, run = root / "data", root / "run"
    assert vision_main(["synth", "--out", str(data), "--images", "48", "--test-images", "24",
                        "--tuning-images", "12", "--labels", "6", "--image-size", "16",
                        "--quiet"]) == 0  # fmt: skip
    assert vision_main(["train", "--data", str(data), "--graph", "identity", "--out", str(run),
                        "--backbone", "test_cnn", "--image-size", "16", "--epochs", "1",
                        "--batch-size", "16", "--quiet"]) == 0  # fmt: skip
    return data, run


def test_adapt_records_the_graph_modes_and_predict_needs_no_graph(synth_run, tmp_path):
    from corpora.formats.classes_trainable import read_classes_trainable

    data, run = synth_run
    codes = read_classes_trainable(data / "classes-trainable.csv")
    n = len(codes)
    edges = ([i for i in range(n - 1)], [i + 1 for i in range(n - 1)], [1.5] * (n - 1))
    graph_dir = LabelGraph.from_edges(codes, None, {"combined": edges}).save(tmp_path / "graph")
    out = tmp_path / "adapted"
    args = ["adapt", "--run", str(run), "--tuning-labels", str(data / "tuning_labels.csv"),
            "--images", str(data / "test"), "--mode", "neighbour-bias,knn-propagation@both,neighbour-thresholds",
            "--out", str(out), "--inner-folds", "2", "--train-data", str(data), "--quiet",
            "--graph", str(graph_dir), "--knn-propagation-graph-weights", "1",
            "--neighbour-thresholds-kappas", "1000000", "--neighbour-bias-kappas", "3"]  # fmt: skip
    assert vision_main(args) == 0
    manifest = json.loads((out / "adaptation.json").read_text())
    assert manifest["modes"] == ["neighbour-bias", "knn-propagation", "neighbour-thresholds"]
    assert manifest["config"]["mode_options"] == {
        "neighbour-bias": {"kappas": [3.0]},
        "knn-propagation": {"graph_weights": [1.0]},
        "neighbour-thresholds": {"kappas": [1000000.0]},
    }
    assert manifest["fit"]["knn_graph_weight"] == 1.0
    assert manifest["fit"]["neighbour_kappa"] == 1e6
    assert manifest["fit"]["bias_neighbour_kappa"] == 3.0
    assert manifest["train"]["graph"] == str(graph_dir)
    assert json.loads((out / "decision.json").read_text())["knn"]["propagation"]["weight"] == 1.0
    shutil.rmtree(graph_dir)  # predict reads the stored steps, not the graph
    sub = tmp_path / "sub.csv"
    pred = ["predict", "--run", str(out), "--images", str(data / "test"), "--out", str(sub),
            "--sample-submission", str(data / "sample_submission.csv"), "--quiet"]  # fmt: skip
    assert vision_main(pred) == 0
    assert list(read_submission(sub)) == list(read_submission(data / "sample_submission.csv"))


def _adapt_args(data, run, out, *more):
    return ["adapt", "--run", str(run), "--tuning-labels", str(data / "tuning_labels.csv"),
            "--images", str(data / "test"), "--out", str(out), "--inner-folds", "2",
            "--train-data", str(data), "--quiet", *more]  # fmt: skip


def test_a_graph_of_other_labels_is_an_error_and_a_partial_one_a_warning(
    synth_run, tmp_path, capsys
):
    from corpora.formats.classes_trainable import read_classes_trainable

    data, run = synth_run
    codes = read_classes_trainable(data / "classes-trainable.csv")
    other = LabelGraph.from_edges(["/x/1", "/x/2"], None, {"combined": ([0], [1], [1.0])})
    other_dir = other.save(tmp_path / "other")
    args = _adapt_args(data, run, tmp_path / "a", "--mode", "neighbour-thresholds")
    assert vision_main([*args, "--graph", str(other_dir)]) == 2
    err = capsys.readouterr().err
    assert f"holds none of the run's {len(codes)} label codes" in err
    assert "class-descriptions.csv" in err and "Traceback" not in err
    part = LabelGraph.from_edges(codes[:2], None, {"combined": ([0], [1], [1.0])})
    part_dir = part.save(tmp_path / "part")
    assert vision_main([*args, "--graph", str(part_dir)]) == 0
    captured = capsys.readouterr()
    assert f"holds 2 of the run's {len(codes)} labels" in captured.err
    # the chosen settings are printed, not only stored in adaptation.json
    chosen = next(x for x in captured.out.splitlines() if x.startswith("fitted on the tuning"))
    assert "neighbour_kappa " in chosen and "oof_" not in chosen


def test_a_deleted_run_graph_or_graph_identity_says_what_to_pass(synth_run, tmp_path, capsys):
    import yaml

    data, run = synth_run
    moved = tmp_path / "run"
    shutil.copytree(run, moved)
    config = yaml.safe_load((moved / "config.yaml").read_text())
    config["graph"] = str(tmp_path / "gone")
    (moved / "config.yaml").write_text(yaml.safe_dump(config))
    args = _adapt_args(data, moved, tmp_path / "a", "--mode", "knn-propagation")
    assert vision_main(args) == 2
    err = capsys.readouterr().err
    assert "the run's graph" in err and "does not exist" in err and "pass --graph DIR" in err
    # an explicit --graph identity is not "the run was trained without one"
    assert vision_main([*args, "--graph", "identity"]) == 2
    err = capsys.readouterr().err
    assert "--graph identity is no label graph, and --mode knn-propagation reads one" in err
    assert "trained without" not in err


def test_a_mode_option_flag_without_its_mode_is_an_error_not_ignored(capsys):
    from corpora.cli_common import parse_args
    from vision.cli import get_args_parser
    from vision.cli._adapt import config_from_args

    base = ["adapt", "--run", "r", "--tuning-labels", "t.csv", "--images", "i"]

    def cfg(*argv):
        return config_from_args(parse_args(get_args_parser(), [*base, *argv]))

    with pytest.raises(
        InputError,
        match=r"^--neighbour-thresholds-kappas is read by the "
        r"neighbour-thresholds mode, which --mode knn,thresholds does not hold",
    ):
        cfg("--neighbour-thresholds-kappas", "1", "3")
    with pytest.raises(
        InputError,
        match=r"^--neighbour-bias-kappas, --knn-propagation-graph-"
        r"weights are read by the neighbour-bias/knn-propagation modes, which "
        r"--mode thresholds does not hold; add them",
    ):
        cfg("--mode", "thresholds", "--knn-propagation-graph-weights", "1",
            "--neighbour-bias-kappas", "2")  # fmt: skip
    ok = cfg("--mode", "neighbour-thresholds", "--neighbour-thresholds-kappas", "1")
    assert ok.mode_options == {"neighbour-thresholds": {"kappas": [1.0]}}
    assert vision_main([*base, "--bn-stats-strength", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "--bn-stats-strength is read by the bn-stats mode" in err and "Traceback" not in err
