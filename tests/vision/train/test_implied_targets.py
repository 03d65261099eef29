"""Graph-aware soft targets (``vision train --implied-targets``): the transform, its settings,
the trainer and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import yaml

from corpora.cli_common import parse_args
from corpora.errors import InputError
from vision.checkpoint import load_run
from vision.cli import get_args_parser
from vision.cli import main as vision_main
from vision.cli._train import config_from_args
from vision.data import targets_matrix
from vision.train import TrainConfig, Trainer, load_training_data
from vision.train.implied_targets import ImpliedTargets, implication_matrix, imply_targets

SHOP, PERSON, CAT = "/m/shop", "/m/person", "/m/cat"
CODES = [SHOP, PERSON, CAT]


@pytest.fixture(scope="module")
def shop_graph():
    """Shopkeeper and Person share one annotation edge ``A`` with ``exp(A) = 1.8``; image
    frequencies 1 : 9 : 8 give ``p(Person) = 0.5``, ``p(Shopkeeper) = 1/18``, so
    ``P(Person | Shopkeeper) = 0.9`` and ``P(Shopkeeper | Person) = 0.1``."""
    from labelgraph import LabelGraph

    return LabelGraph.from_edges(
        CODES,
        ["Shopkeeper", "Person", "Cat"],
        edges={"annotation": ([0], [1], [np.log(1.8)])},
        frequencies={"annotation": np.array([1.0, 9.0, 8.0])},
    )


def _targets(rows: list[tuple[str, str, float]], ids: list[str]):
    df = pd.DataFrame(rows, columns=["ImageID", "LabelName", "Target"])
    return targets_matrix(df, CODES, image_ids=ids)


def test_implication_is_directional_and_sparse(shop_graph):
    p = implication_matrix(shop_graph, CODES, "annotation", min_prob=0.5)
    assert sp.issparse(p) and p.shape == (3, 3)
    assert p[0, 1] == pytest.approx(0.9, rel=1e-5)  # Shopkeeper -> Person
    assert p.nnz == 1  # Person -> Shopkeeper is 0.1 < min_prob; no diagonal
    low = implication_matrix(shop_graph, CODES, "annotation", min_prob=0.05)
    assert low[1, 0] == pytest.approx(0.1, rel=1e-5)
    # the model's codes in another order, one of them absent from the graph
    q = implication_matrix(shop_graph, [PERSON, "/m/absent", SHOP], "annotation", min_prob=0.5)
    assert q.nnz == 1 and q[2, 0] == pytest.approx(0.9, rel=1e-5)


def test_completion_source_follows_the_model_order(shop_graph):
    """The ``completion`` source maps graph labels to the model's codes like the edge sources
    (it once used graph indices as model indices)."""
    model = shop_graph.completion_model()
    codes = [CAT, "/m/absent", PERSON, SHOP]  # another order, one code absent from the graph
    p = implication_matrix(shop_graph, codes, "completion", min_prob=1e-6, max_per_label=0)
    assert p.shape == (4, 4) and p.nnz > 0
    graph_index = {c: i for i, c in enumerate(shop_graph.labels)}
    for i, j in zip(*p.nonzero()):
        assert codes[i] != "/m/absent" and codes[j] != "/m/absent" and i != j
        expected = model.conditional(graph_index[codes[i]])[graph_index[codes[j]]]
        assert p[i, j] == pytest.approx(expected, rel=1e-5)
    assert p[1].nnz == 0 and p[:, 1].nnz == 0


def test_shopkeeper_gains_person_person_gains_nothing(shop_graph):
    ids, t, hard = _targets(
        [
            ("a", SHOP, 1.0),  # Shopkeeper only: gains Person at beta * 0.9
            ("b", PERSON, 1.0),  # Person only: gains nothing (P(Shop | Person) = 0.1)
            ("c", SHOP, 1.0),
            ("c", PERSON, 0.0),  # a verified negative stays 0
            ("d", SHOP, 1.0),
            ("d", PERSON, 1.0),  # already positive: unchanged
            ("e", CAT, 1.0),
        ],
        ["a", "b", "c", "d", "e"],
    )
    out = ImpliedTargets("graph", weight=0.5, min_prob=0.5).apply(t, shop_graph, CODES, hard)
    assert sp.isspmatrix_csr(out) and out.dtype == np.float32
    expected = np.array(
        [[1, 0.45, 0], [0, 1, 0], [1, 0, 0], [1, 1, 0], [0, 0, 1]], dtype=np.float32
    )
    np.testing.assert_allclose(out.toarray(), expected, rtol=1e-6)
    # positives exactly as read
    assert (out.multiply(t > 0) != t).nnz == 0


def test_max_over_sources_weight_and_cap():
    t = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]], dtype=np.float32))
    imp = sp.csr_matrix(
        np.array([[0, 0, 0.6, 0.7], [0, 0, 0.9, 0], [0, 0, 0, 0], [0, 0, 0, 0]], dtype=np.float32)
    )
    out = imply_targets(t, imp, weight=1.0).toarray()
    np.testing.assert_allclose(out[0], [1, 1, 0.9, 0.7])  # max over Shop-like sources, not sum
    np.testing.assert_allclose(out[1], [1, 0, 0.6, 0.7])
    np.testing.assert_array_equal(out[2], 0)  # no positives: nothing implied
    half = imply_targets(t, imp, weight=0.5).toarray()
    np.testing.assert_allclose(half[0], [1, 1, 0.45, 0.35])


def test_max_per_label_keeps_the_strongest(shop_graph):
    from labelgraph import LabelGraph

    g = LabelGraph.from_edges(
        CODES,
        edges={"annotation": ([0, 0], [1, 2], [np.log(1.8), np.log(1.9)])},
        frequencies={"annotation": np.array([1.0, 9.0, 8.0])},
    )
    both = implication_matrix(g, CODES, "annotation", 0.5, max_per_label=0)
    one = implication_matrix(g, CODES, "annotation", 0.5, max_per_label=1)
    assert both.getrow(0).nnz == 2 and one.getrow(0).nnz == 1
    assert one[0, 1] == pytest.approx(0.9, rel=1e-5)  # 0.9 > 8/18 * 1.9 = 0.844


def test_none_returns_the_targets_themselves(shop_graph):
    ids, t, hard = _targets([("a", SHOP, 1.0), ("b", PERSON, 1.0)], ["a", "b"])
    assert ImpliedTargets("none").apply(t, shop_graph, CODES, hard) is t


def test_settings_are_checked():
    with pytest.raises(InputError, match="--implied-targets must be one of none, graph"):
        ImpliedTargets("parents")
    with pytest.raises(InputError, match=r"--implied-weight must be in \(0, 1\]"):
        ImpliedTargets("graph", weight=1.5)
    with pytest.raises(InputError, match=r"--implied-min-prob must be in \(0, 1\]"):
        ImpliedTargets("graph", min_prob=0)


def test_unknown_source_names_the_available_ones(shop_graph):
    with pytest.raises(InputError, match="'wordnet' is not in the graph; available: completion"):
        implication_matrix(shop_graph, CODES, "wordnet")


def test_identity_graph_is_refused():
    with pytest.raises(InputError, match="needs a label graph: pass --graph DIR"):
        TrainConfig(data="d", out="o", graph="identity", implied_targets="graph")
    argv = ["train", "--data", "d", "--out", "o", "--graph", "identity"]
    args = parse_args(get_args_parser(), [*argv, "--implied-targets", "graph"])
    with pytest.raises(InputError, match="needs a label graph: pass --graph DIR"):
        config_from_args(args)


def test_flags_reach_train_config():
    base = ["train", "--data", "d", "--out", "o", "--graph", "g"]
    cfg = config_from_args(parse_args(get_args_parser(), base))
    assert (cfg.implied_targets, cfg.implied_weight, cfg.implied_min_prob) == ("none", 0.5, 0.5)
    assert (cfg.implied_max_per_label, cfg.implied_source) == (10, "annotation")
    flags = [
        "--implied-targets", "graph", "--implied-weight", "0.3", "--implied-min-prob", "0.7",
        "--implied-max-per-label", "4", "--implied-source", "completion",
    ]  # fmt: skip
    cfg = config_from_args(parse_args(get_args_parser(), [*base, *flags]))
    assert cfg.implied() == ImpliedTargets("graph", 0.3, 0.7, 4, "completion")


@pytest.fixture
def micro_graph_dir(tmp_path):
    from _micro_data import CODES as MICRO

    from labelgraph import LabelGraph

    g = LabelGraph.from_edges(
        MICRO,
        edges={"annotation": ([0], [1], [np.log(1.8)])},
        frequencies={"annotation": np.array([1.0, 9.0, 8.0])},
    )
    return g.save(tmp_path / "graph")


def _cfg(data, out, graph, **kw) -> TrainConfig:
    return TrainConfig(
        data=str(data),
        out=str(out),
        graph=str(graph),
        backbone="test_cnn",
        image_size=16,
        epochs=1,
        batch_size=8,
        quiet=True,
        **kw,
    )


def test_trainer_adds_soft_targets_to_the_training_split_only(
    micro_data, micro_graph_dir, tmp_path
):
    cfg = _cfg(micro_data, tmp_path / "off", micro_graph_dir)
    data = load_training_data(cfg.data, val_fraction=0.25, image_size=16, progress=False)
    before = data.train.targets.copy()
    val_before = data.val.targets.copy()
    Trainer(cfg, data)  # none: the very same targets
    assert (data.train.targets != before).nnz == 0 and data.train.targets.dtype == before.dtype

    cfg = _cfg(micro_data, tmp_path / "on", micro_graph_dir, implied_targets="graph")
    data = load_training_data(cfg.data, val_fraction=0.25, image_size=16, progress=False)
    Trainer(cfg, data)
    t = data.train.targets.toarray()
    b = before.toarray()
    red_only = (b[:, 0] > 0) & (b[:, 1] == 0)
    assert red_only.any()
    np.testing.assert_allclose(t[red_only, 1], 0.45, rtol=1e-6)
    np.testing.assert_array_equal(t[~red_only], b[~red_only])  # green implies nothing
    np.testing.assert_array_equal(t[b > 0], b[b > 0])
    assert (data.val.targets != val_before).nnz == 0
    assert (data.train_targets != before).nnz == 0  # what pos_weight="auto" counts


def test_cli_records_the_settings(micro_data, micro_graph_dir, tmp_path, capsys):
    out = tmp_path / "run"
    argv = [
        "train", "--data", str(micro_data), "--graph", str(micro_graph_dir), "--out", str(out),
        "--backbone", "test_cnn", "--image-size", "16", "--epochs", "1", "--batch-size", "8",
        "--implied-targets", "graph", "--implied-weight", "0.4", "--quiet",
    ]  # fmt: skip
    rc = vision_main(argv)
    res = capsys.readouterr()
    assert rc == 0, res.err[-2000:]
    assert json.loads(res.out.strip().splitlines()[-1])["epoch"] == 1
    saved = yaml.safe_load((out / "config.yaml").read_text())
    assert saved["implied-targets"] == "graph" and saved["implied-weight"] == 0.4
    assert saved["implied-source"] == "annotation" and saved["implied-max-per-label"] == 10
    _, ckpt = load_run(out)
    assert ckpt["config"]["implied_targets"] == "graph"
    assert ckpt["config"]["implied_weight"] == 0.4


def test_graph_without_the_run_labels_is_refused(shop_graph):
    """A graph built over other labels (Open Images codes for an emoji run) would add no soft
    target at all: an error naming the fix, not a run identical to ``none``."""
    ids, t, hard = _targets([("a", "/e/1", 1.0)], ["a"])
    codes = ["/e/1", "/e/2", "/e/3"]
    with pytest.raises(InputError, match="holds none of the run's 3 label codes.*--labels"):
        ImpliedTargets("graph").apply(t, shop_graph, codes, hard)


def test_no_soft_target_added_warns(shop_graph, caplog):
    """Nothing implied at this --implied-min-prob: a warning saying what to change."""
    ids, t, hard = _targets([("a", SHOP, 1.0), ("b", PERSON, 1.0)], ["a", "b"])
    with caplog.at_level("WARNING", logger="vision.train.implied_targets"):
        out = ImpliedTargets("graph", min_prob=0.95).apply(t, shop_graph, CODES, hard)
    assert (out != t).nnz == 0
    assert "no soft target added" in caplog.text
    assert "--implied-min-prob" in caplog.text and "--implied-source" in caplog.text


def _bench(repo_root):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_emoji", repo_root / "bench" / "emoji.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_bench_train_options_typo_names_the_field(repo_root, tmp_path):
    """``bench/emoji.py --train-options implied_wieght=0.3``: one line with the close name
    (it was a TypeError traceback from TrainConfig)."""
    bench = _bench(repo_root)
    argv = ["--data", str(tmp_path), "--out", str(tmp_path / "out"), "--graph", "identity"]
    with pytest.raises(SystemExit, match="'implied_wieght' is not a TrainConfig field.*"
                       "did you mean implied_weight"):  # fmt: skip
        bench.main([*argv, "--train-options", "implied_wieght=0.3"])


def test_bench_train_options_are_checked_before_any_work(repo_root, tmp_path, capsys):
    """``implied_targets=graph`` with ``--graph identity``: the settings' one-line error and
    exit status 2 before anything is built (it was an InputError traceback)."""
    bench = _bench(repo_root)
    out = tmp_path / "out"
    argv = ["--data", str(tmp_path), "--out", str(out), "--graph", "identity"]
    assert bench.main([*argv, "--train-options", "implied_targets=graph"]) == 2
    err = capsys.readouterr().err
    assert "--implied-targets graph needs a label graph: pass --graph DIR" in err
    assert "Traceback" not in err and not out.exists()
    assert bench.main([*argv, "--train-options", "implied_targets=graph", "implied_weight=0"]) == 2
    assert "--implied-weight must be in (0, 1]" in capsys.readouterr().err


def test_resume_with_other_implied_settings_warns(micro_data, micro_graph_dir, tmp_path, caplog):
    """``--resume`` with other ``--implied-*`` settings trains the remaining epochs on other
    targets: a warning naming both settings (it was silent)."""
    import logging

    def warnings() -> str:
        return " ".join(
            r.getMessage()
            for r in caplog.records
            if r.levelno >= logging.WARNING and r.name == "vision.train.trainer"
        )

    out = tmp_path / "run"
    Trainer(_cfg(micro_data, out, micro_graph_dir, implied_targets="graph")).fit()
    caplog.clear()
    with caplog.at_level("WARNING", logger="vision.train.trainer"):
        Trainer(_cfg(micro_data, out, micro_graph_dir, implied_targets="graph", resume=True))
    assert "implied" not in warnings()  # the same settings: nothing to say
    with caplog.at_level("WARNING", logger="vision.train.trainer"):
        Trainer(
            _cfg(micro_data, out, micro_graph_dir, implied_targets="graph", implied_weight=0.9,
                 resume=True)
        )  # fmt: skip
    assert "trained with implied targets graph (annotation, beta 0.5" in warnings()
    assert "now graph (annotation, beta 0.9" in warnings()
