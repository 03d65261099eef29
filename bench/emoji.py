"""The emoji style-shift benchmark: train on Google's emoji art, adapt with 100 tuning images,
predict 1,671 Twitter test images, score with the competition metric (mean per-image F2).

One run computes, in the same process and on the same split:

* the floors: best top-k most frequent labels (k = 1..10, frequencies from the training labels
  and, separately, from the tuning labels) and copying the labels of the nearest training image
  in 16x16 pixel space;
* for each head (``--heads``) and seed (``--seeds``): the trained run without adaptation (its
  best validation threshold, empty rows filled with the top label) and each adaptation
  (``--configs``; modes of ``vision adapt`` joined by ``,``; ``knn@pixels`` / ``knn@both``
  choose the kNN space, as in ``vision adapt --mode``), with each TTA (``--tta``);
* ensembles over every trained run: majority vote of the members' decisions, and the mean of
  their scores decided with the members' mean thresholds;
* a table of mean and spread (max - min over seeds) per configuration and head, and a plain
  statement of whether the graph heads beat ``linear`` by more than the seed spread.

Training uses the package's ``Trainer`` with a style-shift augmentation (``--augment style``:
random resized crops, flips, strong colour jitter, greyscale, blur, posterize, equalize) in
place of the default preset; the number of epochs is set from ``--minutes-per-model`` by timing
a few training steps first (``--epochs`` overrides). Finished runs are reused when their
configuration is unchanged, so an interrupted benchmark resumes.

Example (reduced, a few minutes on 2 cores)::

    python bench/emoji.py --heads linear gcn --seeds 0 1 --minutes-per-model 2 \\
        --backbone compact_cnn --image-size 32 --graph build --out runs/bench-emoji-small

Results: ``OUT/results.json`` (every number) and ``OUT/results.md`` (the table).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "emoji-google-to-twitter"
DEFAULT_CONFIGS = [
    "none",
    "thresholds",
    "bias,thresholds",
    "knn,thresholds",
    "knn@pixels,thresholds",
    "knn@both,thresholds",
    "last-layer,thresholds",
    "head,thresholds",
    "last-layer,knn@both,thresholds",
]

logger = logging.getLogger("bench.emoji")


# ----------------------------------------------------------------------------- helpers
def _spread(values: list[float]) -> float:
    return float(max(values) - min(values)) if len(values) > 1 else 0.0


def _labels_f2(
    ids: list[str],
    decisions: np.ndarray,
    scores: np.ndarray,
    codes: list[str],
    solution: dict[str, list[str]],
) -> float:
    from vision.inference import labels_from_decisions
    from vision.metrics import mean_f2

    labels, _ = labels_from_decisions(ids, decisions, codes, scores, fallback_k=1)
    return mean_f2(solution, labels)


# ----------------------------------------------------------------------------- floors
def floors(data: Path, codes: list[str], solution: dict, tuning: dict) -> dict[str, Any]:
    """Top-k frequent labels (train and tuning frequencies) and 1-NN in 16x16 pixels."""
    from vision.data import ImageFolderDataset, load_targets, targets_matrix
    from vision.metrics import mean_f2

    df = load_targets(data)  # DEFAULT_LABEL_POLICY
    ids, targets, _ = targets_matrix(df, codes)
    test_ids = list(solution)
    out: dict[str, Any] = {}
    freq = np.asarray((targets > 0).sum(0)).ravel()
    order = np.argsort(-freq, kind="stable")
    topk_train = [
        mean_f2(solution, {i: [codes[j] for j in order[:k]] for i in test_ids})
        for k in range(1, 11)
    ]
    tune_counts = Counter(c for labels in tuning.values() for c in labels)
    topk_tune = [
        mean_f2(solution, {i: [c for c, _ in tune_counts.most_common(k)] for i in test_ids})
        for k in range(1, 11)
    ]
    out["topk_train_freq"] = {"best_k": int(np.argmax(topk_train)) + 1, "f2": max(topk_train)}
    out["topk_tuning_freq"] = {"best_k": int(np.argmax(topk_tune)) + 1, "f2": max(topk_tune)}

    def pixels(folder: Path, image_ids: list[str]) -> np.ndarray:
        ds = ImageFolderDataset(folder, image_ids, image_size=16, check_images="none")
        assert ds.image_ids == list(image_ids), ds.bad[:3]
        return np.stack([ds.base_image(i).astype(np.float32).ravel() / 255 for i in range(len(ds))])

    a, b = pixels(data / "train", ids), pixels(data / "test", test_ids)
    d = (b**2).sum(1)[:, None] - 2 * b @ a.T + (a**2).sum(1)[None, :]
    nn_idx = d.argmin(1)
    pred = {
        test_ids[i]: [codes[j] for j in targets[nn_idx[i]].indices] for i in range(len(test_ids))
    }
    out["pixel_1nn_16x16"] = {"f2": mean_f2(solution, pred)}
    return out


# ----------------------------------------------------------------------------- training
def _graph_dir(args: argparse.Namespace, out: Path) -> str:
    """``identity``, a given LabelGraph folder, or one built with ``labelgraph build``."""
    if args.graph in ("identity", None):
        return "identity"
    if args.graph != "build":
        return args.graph
    gdir = out / "graph"
    if (gdir / "manifest.json").is_file():
        return str(gdir)
    from gensim.test.utils import datapath

    corpus = args.graph_corpus or [
        datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    ]
    cmd = [
        sys.executable, "-m", "labelgraph", "build", "--corpus", *corpus,
        "--labels", str(args.data / "class-descriptions.csv"),
        "--trainable", str(args.data / "classes-trainable.csv"),
        "--annotations", str(args.data / "train_human_labels.csv"),
        "--out", str(gdir), "--resume",
    ]  # fmt: skip
    if args.quiet:
        cmd.append("--quiet")
    logger.info("building the label graph: %s", " ".join(cmd))
    subprocess.run(cmd, check=True)
    return str(gdir)


def _epochs_for_budget(cfg: Any, data: Any, graph: Any, minutes: float, max_epochs: int) -> int:
    """Epochs that fit ``minutes``: time 3 training steps of the real model on real batches."""
    from vision.models import MultiLabelClassifier

    model = MultiLabelClassifier.from_args(cfg.model_args(len(data.codes)), graph)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    n = min(cfg.batch_size, len(data.train))
    t_load = time.perf_counter()
    items = [data.train[i] for i in range(n)]  # decode + augmentation, as the loader does
    t_load = (time.perf_counter() - t_load) / n
    batch = torch.stack([it[0] for it in items])
    target = torch.stack([it[1] for it in items])
    model.train()
    t0 = 0.0
    for step in range(4):
        if step == 1:
            t0 = time.perf_counter()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(batch), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    per_image = (time.perf_counter() - t0) / 3 / n + t_load
    # training pass + a validation pass (forward only, about a third of a step)
    epoch_s = per_image * (len(data.train) + (len(data.val) if data.val else 0) * 0.4)
    epochs = int(max(1, min(max_epochs, minutes * 60 // max(epoch_s, 1e-6))))
    logger.info("budget %.1f min: ~%.1f s/epoch -> %d epochs", minutes, epoch_s, epochs)
    return epochs


def train_config(args: argparse.Namespace, head: str, seed: int, graph: str, out: Path) -> Any:
    """The run's :class:`~vision.train.TrainConfig`: the package defaults (those of
    ``vision train``), overridden only by the flags given here (``--backbone``, ``--image-size``,
    ``--epochs``, ``--lr``, ``--batch-size``, ``--loss``, ``--augment``, ``--max-images``)."""
    from vision.train import TrainConfig

    given = {
        "backbone": args.backbone, "image_size": args.image_size, "epochs": args.epochs,
        "lr": args.lr, "batch_size": args.batch_size, "loss": args.loss,
        "augment": args.augment, "max_images": args.max_images,
    }  # fmt: skip
    return TrainConfig(
        data=str(args.data),
        out=str(out / "runs" / f"{head}-seed{seed}"),
        graph=graph,
        head=head,
        seed=seed,
        quiet=args.quiet,
        **{k: v for k, v in given.items() if v is not None},
    )


def train_run(args: argparse.Namespace, head: str, seed: int, graph: str, out: Path) -> Path:
    """Train (or reuse) one run; returns its folder."""
    from vision.train import Trainer, build_graph_inputs, load_training_data

    cfg = train_config(args, head, seed, graph, out)
    run_dir = Path(cfg.out)
    spec = {
        "head": head, "seed": seed, "graph": graph, "backbone": cfg.backbone,
        "image_size": cfg.image_size, "minutes": args.minutes_per_model,
        "epochs": cfg.epochs if not args.minutes_per_model else None, "augment": cfg.augment,
        "lr": cfg.lr, "batch_size": cfg.batch_size, "loss": cfg.loss,
        "max_images": cfg.max_images,
    }  # fmt: skip
    spec_path = run_dir / "bench_spec.json"
    pending = run_dir / "bench_spec.pending.json"
    if (run_dir / "best.pt").is_file() and spec_path.is_file():
        if json.loads(spec_path.read_text()) == spec:
            logger.info("reusing finished run %s", run_dir)
            return run_dir
    resume = (
        (run_dir / "last.pt").is_file()
        and pending.is_file()
        and json.loads(pending.read_text())["spec"] == spec
    )
    if run_dir.exists() and not resume:
        shutil.rmtree(run_dir)  # a benchmark run made with other settings, or never started
    cfg.cache_dir = str(out / "cache" / f"s{seed}-{cfg.image_size}")
    data = load_training_data(
        cfg.data, None, cfg.label_policy, cfg.val_fraction, cfg.seed, cfg.image_size,
        cfg.max_images, cfg.cache_dir, progress=not args.quiet, augment=cfg.augment,
    )  # fmt: skip
    if resume:
        cfg.epochs, cfg.resume = int(json.loads(pending.read_text())["epochs"]), True
        logger.info("resuming %s (%d epochs)", run_dir, cfg.epochs)
    elif args.minutes_per_model:
        from vision.models import is_graph_head

        gi = build_graph_inputs(cfg, list(data.codes)) if is_graph_head(head) else None
        cfg.epochs = _epochs_for_budget(cfg, data, gi, args.minutes_per_model, cfg.epochs)
    run_dir.mkdir(parents=True, exist_ok=True)
    pending.write_text(json.dumps({"spec": spec, "epochs": cfg.epochs}))
    t0 = time.perf_counter()
    Trainer(cfg, data).fit()
    seconds = time.perf_counter() - t0
    logger.info("trained %s: %d epochs in %.0f s", run_dir.name, cfg.epochs, seconds)
    spec_path.write_text(json.dumps(spec))
    (run_dir / "bench_train_time.json").write_text(
        json.dumps({**spec, "train_seconds": seconds, "trained_epochs": cfg.epochs})
    )
    return run_dir


# ----------------------------------------------------------------------------- evaluation
class Evaluator:
    """Everything shared by the runs: ids, tuning tensors per image size, the kNN bank, priors."""

    def __init__(self, args: argparse.Namespace, codes: list[str]) -> None:
        from corpora.formats.label_sets import read_solution, read_tuning_labels
        from vision.adapt import tuning_matrix
        from vision.data import load_targets, targets_matrix

        self.args = args
        self.codes = codes
        self.solution = read_solution(args.data / "test_solutions.csv")
        self.test_ids = list(self.solution)
        tuning = read_tuning_labels(args.data / "tuning_labels.csv")
        self.tuning = tuning
        self.tune_ids, self.tune_targets, self.unknown = tuning_matrix(
            tuning, codes, False, "tuning_labels.csv"
        )
        df = load_targets(args.data)  # DEFAULT_LABEL_POLICY
        self.train_ids, self.train_targets, _ = targets_matrix(df, codes)
        self.prior = np.asarray(self.train_targets.mean(0)).ravel()
        self._tensors: dict[tuple, Any] = {}

    def tensors(self, image_size: int, normalize: bool) -> tuple[torch.Tensor, torch.Tensor, Any]:
        """(tuning images, bank images, bank targets) for one input size."""
        from vision.adapt import load_images

        key = (image_size, normalize)
        if key not in self._tensors:
            tune, kept, bad = load_images(
                self.args.data / "test", self.tune_ids, image_size, normalize
            )
            assert not bad and kept == self.tune_ids, bad[:3]
            ids, targets = self.train_ids, self.train_targets
            if self.args.bank_limit and len(ids) > self.args.bank_limit:
                keep = np.sort(
                    np.random.default_rng(0).choice(len(ids), self.args.bank_limit, False)
                )
                ids, targets = [ids[i] for i in keep], targets[keep]
            bank, kept, bad = load_images(self.args.data / "train", ids, image_size, normalize)
            assert not bad, bad[:3]
            self._tensors[key] = (tune, bank, targets)
        return self._tensors[key]

    def test_images(self, image_size: int, normalize: bool) -> torch.Tensor:
        """The scored test images, decoded once per input size ``[N, 3, S, S]``."""
        from vision.adapt import load_images

        key = ("test", image_size, normalize)
        if key not in self._tensors:
            images, kept, bad = load_images(
                self.args.data / "test", self.test_ids, image_size, normalize
            )
            assert not bad and kept == self.test_ids, bad[:3]
            self._tensors[key] = images
        return self._tensors[key]

    def test_predictions(self, model: Any, image_size: int, normalize: bool) -> dict[str, Any]:
        """``{tta: (probs [N, L], features [N, F])}`` on the scored test images."""
        from vision.inference import Predictor

        images = self.test_images(image_size, normalize)
        preds = {}
        for tta in self.args.tta:
            p = Predictor(model, image_size, tta=tta, progress=False, normalize=normalize)
            preds[tta] = p.predict_tensor(images)
        return preds

    def evaluate_run(self, run_dir: Path) -> tuple[dict[str, dict[str, float]], dict]:
        """F2 of every configuration x TTA for one run; also returns the kept scores."""
        from vision.adapt import (
            AdaptationConfig,
            AdaptedRun,
            DecisionRule,
            adapt,
            embed,
            parse_unseen_threshold,
            pixel_vectors,
        )

        run = AdaptedRun.load(run_dir, "best")
        if run.codes != self.codes:
            raise SystemExit(f"{run_dir}: label codes differ from the benchmark's")

        t0 = time.perf_counter()
        tune, bank, bank_targets = self.tensors(run.image_size, run.normalize)
        base_preds = self.test_predictions(run.model, run.image_size, run.normalize)
        bank_features = embed(run.model, bank).numpy()
        logger.info(
            "%s: test predictions and bank features (%.0f s)",
            run_dir.name,
            time.perf_counter() - t0,
        )
        results: dict[str, dict[str, float]] = {}
        kept: dict = {}
        for config in self.args.configs:
            t0 = time.perf_counter()
            if config == "none":
                rule = DecisionRule.default(self.codes, run.default_threshold)
                preds = base_preds
            else:
                unseen, unseen_candidates = parse_unseen_threshold(self.args.unseen_threshold)
                cfg = AdaptationConfig(
                    modes=config,  # vision adapt --mode words; knn@SPACE sets knn_space
                    epochs=self.args.adapt_epochs,
                    seed=0,
                    inner_folds=self.args.inner_folds,
                    knn_temperatures=tuple(self.args.knn_temperatures),
                    unseen_threshold=unseen,
                    unseen_candidates=unseen_candidates,
                )
                res = adapt(
                    run.model, tune, self.tune_targets, self.codes, cfg,
                    source_prior=self.prior, bank_images=bank, bank_targets=bank_targets,
                    bank_features=bank_features,
                )  # fmt: skip
                rule = res.rule
                preds = (
                    self.test_predictions(res.model, run.image_size, run.normalize)
                    if cfg.weight_mode
                    else base_preds
                )
            results[config] = {}
            pixels = pixel_vectors(self.test_images(run.image_size, run.normalize))
            for tta, (probs, feats) in preds.items():
                scores = rule.scores(probs, feats, pixels)
                decisions = rule.decide(scores)
                f2 = _labels_f2(self.test_ids, decisions, scores, self.codes, self.solution)
                results[config][tta] = f2
                kept[(config, tta)] = (scores.astype(np.float32), decisions, rule.thresholds)
            logger.info(
                "%s %s: %s (%.0f s)", run_dir.name, config,
                ", ".join(f"{t} {v:.4f}" for t, v in results[config].items()), time.perf_counter() - t0,
            )  # fmt: skip
        return results, kept

    def ensembles(self, members: list[dict]) -> dict[str, dict[str, float]]:
        """Majority vote and mean-of-scores ensembles over all members, per configuration/TTA."""
        from vision.adapt import ClassThresholds
        from vision.inference import create_vote

        out: dict[str, dict[str, float]] = {}
        for config in self.args.configs:
            for tta in self.args.tta:
                parts = [m[(config, tta)] for m in members if (config, tta) in m]
                if len(parts) < 2:
                    continue
                scores = [p[0] for p in parts]
                maj = create_vote("majority")(scores, [p[1] for p in parts])
                f2_maj = _labels_f2(
                    self.test_ids, maj.decisions, maj.scores, self.codes, self.solution
                )
                mean = create_vote("mean")(scores, None)
                thr = parts[0][2]
                avg = ClassThresholds(
                    thr.codes, np.mean([p[2].thresholds for p in parts], 0), thr.global_threshold,
                    thr.min_labels, thr.max_labels,
                )  # fmt: skip
                f2_mean = _labels_f2(
                    self.test_ids, avg.decide(mean.scores), mean.scores, self.codes, self.solution
                )
                out.setdefault(config, {})[f"{tta}/majority"] = f2_maj
                out.setdefault(config, {})[f"{tta}/mean"] = f2_mean
        return out


# ----------------------------------------------------------------------------- report
def table(results: dict, floors_: dict, ensembles: dict, args: argparse.Namespace) -> str:
    lines = [
        "| pipeline | TTA | " + " | ".join(args.heads) + " |",
        "|---|---|" + "---|" * len(args.heads),
    ]
    for name, row in floors_.items():
        extra = f" (k={row['best_k']})" if "best_k" in row else ""
        lines.append(
            f"| floor: {name}{extra} | - | "
            + " | ".join([f"{row['f2']:.3f}"] * len(args.heads))
            + " |"
        )
    verdicts = []
    for config in args.configs:
        for tta in args.tta:
            cells, stats = [], {}
            for head in args.heads:
                vals = [
                    results[head][s][config][tta] for s in args.seeds if s in results.get(head, {})
                ]
                if not vals:
                    cells.append("-")
                    continue
                stats[head] = (float(np.mean(vals)), _spread(vals), len(vals))
                cells.append(f"{np.mean(vals):.3f} ± {_spread(vals):.3f} (n={len(vals)})")
            lines.append(f"| {config} | {tta} | " + " | ".join(cells) + " |")
            if "linear" in stats:
                m_l, s_l, _ = stats["linear"]
                for head in ("gcn", "rerank"):
                    if head in stats:
                        m_g, s_g, n_g = stats[head]
                        diff = m_g - m_l
                        spread = max(s_l, s_g)
                        if min(n_g, stats["linear"][2]) < 2:
                            verdict = "undecided: fewer than 2 seeds, no spread to compare with"
                        elif diff > spread:
                            verdict = "BEATS linear by more than the seed spread"
                        else:
                            verdict = "does NOT beat linear by more than the seed spread"
                        verdicts.append(
                            f"- {config}, TTA {tta}: {head} - linear = {diff:+.3f}; "
                            f"seed spread {spread:.3f}: {verdict}"
                        )
    for config, row in ensembles.items():
        for key, f2 in row.items():
            lines.append(
                f"| ensemble of all runs: {config} | {key} | "
                + " | ".join([f"{f2:.3f}"] * len(args.heads))
                + " |"
            )
    text = "\n".join(lines)
    text += "\n\nSpread = max - min over seeds. Ensemble rows repeat one number across the head columns.\n"
    text += "\nGraph heads vs linear:\n" + (
        "\n".join(verdicts) if verdicts else "- (linear or graph heads not run)"
    )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = parser.add_argument_group("data/output")
    g.add_argument("--data", type=Path, default=DEFAULT_DATA)
    g.add_argument("--out", type=Path, default=REPO / "runs" / "bench-emoji")
    g.add_argument("--quiet", action="store_true")
    g.add_argument("--floors-only", action="store_true", help="compute the floors and stop")
    m = parser.add_argument_group("models")
    m.add_argument("--heads", nargs="+", default=["linear", "gcn", "rerank"])
    m.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    m.add_argument("--backbone", default=None, help="default: vision train's")
    m.add_argument("--image-size", type=int, default=None, help="default: vision train's")
    m.add_argument(
        "--minutes-per-model",
        type=float,
        default=None,
        help="training budget per model: epochs timed to fit it, at most the config's epochs "
        "(default: no budget, the epochs of vision train or --epochs)",
    )
    m.add_argument("--epochs", type=int, default=None, help="default: vision train's")
    m.add_argument("--max-images", type=int, default=None, help="train on at most this many images")
    m.add_argument("--lr", type=float, default=None, help="default: vision train's")
    m.add_argument("--batch-size", type=int, default=None, help="default: vision train's")
    m.add_argument("--loss", default=None, help="default: vision train's")
    m.add_argument("--augment", default=None, help="a transform preset; default: vision train's")
    m.add_argument("--train-only", action="store_true", help="train (or reuse) the runs and stop")
    m.add_argument("--graph", default="identity", help="identity, a LabelGraph folder, or 'build'")
    m.add_argument("--graph-corpus", nargs="+", default=None, help="corpus for --graph build")
    a = parser.add_argument_group("adaptation/prediction")
    a.add_argument(
        "--configs", nargs="+", default=DEFAULT_CONFIGS, help="'none' or vision adapt modes"
    )
    a.add_argument("--tta", nargs="+", default=["none", "flip"])
    a.add_argument("--adapt-epochs", type=int, default=15)
    a.add_argument("--inner-folds", type=int, default=5)
    a.add_argument("--bank-limit", type=int, default=0, help="max training images in the kNN bank")
    a.add_argument("--knn-temperatures", type=float, nargs="+", default=[0.02, 0.05, 0.1])
    a.add_argument(
        "--unseen-threshold", default="auto", help="number, 'global' or 'auto' (as vision adapt)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        force=True,
    )
    logger.setLevel(logging.INFO)  # the benchmark's own progress lines, even with --quiet
    if not args.data.is_dir():
        print(f"benchmark data not found at {args.data} (needs ../shared/data)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    from corpora.formats.classes_trainable import read_classes_trainable

    codes = read_classes_trainable(args.data / "classes-trainable.csv")
    t_start = time.perf_counter()
    ev = Evaluator(args, codes)
    fl = floors(args.data, codes, ev.solution, ev.tuning)
    print("floors:", json.dumps(fl))
    if args.floors_only:
        return 0
    graph = _graph_dir(args, args.out)
    if args.train_only:
        for head in args.heads:
            for seed in args.seeds:
                train_run(args, head, seed, graph if head != "linear" else "identity", args.out)
        return 0
    results: dict[str, dict[int, dict]] = {}
    members = []
    train_info = {}
    for head in args.heads:
        for seed in args.seeds:
            run_dir = train_run(
                args, head, seed, graph if head != "linear" else "identity", args.out
            )
            train_info[f"{head}-seed{seed}"] = (
                json.loads((run_dir / "bench_train_time.json").read_text())
                if (run_dir / "bench_train_time.json").is_file()
                else {}
            )
            res, kept = ev.evaluate_run(run_dir)
            results.setdefault(head, {})[seed] = res
            members.append(kept)
            (args.out / "results.partial.json").write_text(
                json.dumps({"floors": fl, "results": results}, indent=1)
            )
    ens = ev.ensembles(members)
    text = table(results, fl, ens, args)
    print(text)
    payload = {
        "command": " ".join([sys.executable, *sys.argv]),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "graph": graph,
        "floors": fl,
        "results": results,
        "ensembles": ens,
        "training": train_info,
        "unknown_tuning_labels": ev.unknown,
        "seconds": time.perf_counter() - t_start,
    }
    (args.out / "results.json").write_text(json.dumps(payload, indent=1))
    (args.out / "results.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
