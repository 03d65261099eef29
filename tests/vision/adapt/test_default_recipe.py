"""The default recipe (``vision train`` + ``vision adapt`` with no further flag, then
``vision predict``) runs end to end at a tiny size, and the benchmark takes the same defaults."""

from __future__ import annotations

import argparse
import importlib.util
import json

import yaml

from vision.adapt import AdaptationConfig
from vision.cli import main as vision_main
from vision.inference.submission import read_submission
from vision.train import TrainConfig


def test_default_recipe_end_to_end_tiny(tmp_path):
    data, run, adapted = tmp_path / "data", tmp_path / "run", tmp_path / "adapted"
    assert vision_main(["synth", "--out", str(data), "--images", "40", "--test-images", "16",
                        "--tuning-images", "10", "--labels", "6", "--image-size", "16",
                        "--quiet"]) == 0  # fmt: skip
    # the defaults, made tiny: 1 epoch, 16 pixels
    assert vision_main(["train", "--data", str(data), "--graph", "identity", "--out", str(run),
                        "--epochs", "1", "--image-size", "16", "--quiet"]) == 0  # fmt: skip
    config = yaml.safe_load((run / "config.yaml").read_text())
    for key in ("backbone", "augment", "lr", "batch_size", "head"):
        assert config[key.replace("_", "-")] == getattr(TrainConfig, key), key
    assert vision_main(["adapt", "--run", str(run), "--tuning-labels",
                        str(data / "tuning_labels.csv"), "--images", str(data / "test"),
                        "--out", str(adapted), "--quiet"]) == 0  # fmt: skip
    manifest = json.loads((adapted / "adaptation.json").read_text())
    defaults = AdaptationConfig()
    assert manifest["modes"] == list(defaults.modes) == ["knn", "thresholds"]
    assert manifest["config"]["knn_space"] == defaults.knn_space == "both"
    assert json.loads((adapted / "decision.json").read_text())["knn"]["space"] == "both"
    sub = tmp_path / "sub.csv"
    assert vision_main(["predict", "--run", str(adapted), "--images", str(data / "test"),
                        "--out", str(sub), "--sample-submission",
                        str(data / "sample_submission.csv"), "--quiet"]) == 0  # fmt: skip
    assert all(read_submission(sub).values())
    # batch-norm statistics from the unlabeled test images, from the command line
    bn = tmp_path / "adapted-bn"
    assert vision_main(["adapt", "--run", str(run), "--tuning-labels",
                        str(data / "tuning_labels.csv"), "--images", str(data / "test"),
                        "--mode", "bn-stats,knn@both,thresholds", "--target-images",
                        str(data / "test"), "--out", str(bn), "--quiet"]) == 0  # fmt: skip
    manifest = json.loads((bn / "adaptation.json").read_text())
    assert manifest["modes"] == ["bn-stats", "knn", "thresholds"]
    assert manifest["train"]["bias_em_images"] == 16 - 10  # the tuning images left out
    assert (bn / "adapted_model.pt").is_file()
    assert vision_main(["predict", "--run", str(bn), "--images", str(data / "test"),
                        "--out", str(sub), "--sample-submission",
                        str(data / "sample_submission.csv"), "--quiet"]) == 0  # fmt: skip


def test_the_benchmark_takes_the_config_defaults(repo_root, tmp_path):
    spec = importlib.util.spec_from_file_location("bench_emoji", repo_root / "bench" / "emoji.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = bench.main.__globals__["argparse"].ArgumentParser  # the module imports argparse
    assert args is argparse.ArgumentParser
    ns = argparse.Namespace(
        data=tmp_path, quiet=True, backbone=None, image_size=None, epochs=None, lr=None,
        batch_size=None, loss=None, augment=None, max_images=None,
    )  # fmt: skip
    cfg = bench.train_config(ns, "linear", 0, "identity", tmp_path)
    default = TrainConfig(data=str(tmp_path), out=cfg.out, quiet=True)
    assert cfg.to_dict() == default.to_dict()
    ev = bench.Evaluator.__new__(bench.Evaluator)
    assert repr(ev.adaptation_config("default")) == repr(AdaptationConfig())
    assert bench.DEFAULT_TTA == "none"
    assert "default" in bench.DEFAULT_CONFIGS


def test_the_benchmark_graph_verdict_and_leave_one_style_out(repo_root):
    spec = importlib.util.spec_from_file_location("bench_emoji", repo_root / "bench" / "emoji.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = argparse.Namespace(configs=["default", "knn@both,plausibility,thresholds"], tta=["none"])

    def results(free: list[float], graph: list[float]) -> dict:
        return {"linear": {s: {"default": {"none": f}, "knn@both,plausibility,thresholds":
                               {"none": g}} for s, (f, g) in enumerate(zip(free, graph))}}  # fmt: skip

    assert bench.uses_graph(("linear", "knn@both,plausibility,thresholds", "none"))
    assert bench.uses_graph(("gcn", "default", "none"))
    assert not bench.uses_graph(("linear", "default", "none"))
    close = {"a": results([0.60, 0.61], [0.61, 0.62]), "b": results([0.58, 0.59], [0.58, 0.60])}
    line = bench.graph_helps(close, args)
    assert line.startswith("graph helps: no (graph-using best linear/knn@both,plausibility")
    assert "+- 0.020 vs graph-free best linear/default/tta=none 0.595 +- 0.010)" in line
    far = {"a": results([0.60, 0.61], [0.70, 0.71]), "b": results([0.58, 0.59], [0.68, 0.69])}
    assert bench.graph_helps(far, args).startswith("graph helps: yes (")
    args.configs = ["default"]
    assert bench.graph_helps(far, args).startswith(
        "graph helps: no (no graph-using pipeline was run vs graph-free best"
    )
    args.configs = ["default", "knn@both,plausibility,thresholds"]
    loso = bench.leave_one_style_out(far, args)
    assert "| a | linear/knn@both,plausibility,thresholds/tta=none | 0.705" in loso


def test_the_benchmark_compares_with_and_without_the_graph_by_default(repo_root):
    """With no flags, a graph is built and a graph-using pipeline runs beside the graph-free
    defaults, so the last line is a real comparison, not "no graph-using pipeline was run"."""
    spec = importlib.util.spec_from_file_location("bench_emoji", repo_root / "bench" / "emoji.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = bench.get_args_parser().parse_args([])
    assert args.graph == "build"
    configs = [*args.configs, *args.extra_configs]
    pipelines = [(h, c, "none") for h in args.heads for c in configs]
    assert any(bench.uses_graph(p) for p in pipelines)
    assert any(not bench.uses_graph(p) for p in pipelines)
