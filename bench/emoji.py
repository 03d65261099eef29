"""The emoji style-shift benchmark: train on one vendor's emoji art, adapt with 100 tuning
images of another vendor's, predict its test images, score with the competition metric (mean
per-image F2). Any split in that layout (``../shared/data/emoji-google-to-twitter``,
``emoji-google-to-facebook``, ...) works; ``--data`` takes one or more.

Per split, in the same process:

* the floors: best top-k most frequent labels (k = 1..10, from the training labels and,
  separately, from the tuning labels) and copying the labels of the nearest image in 16x16
  pixels (training images, or training + tuning images; Euclidean or mean-centred cosine);
  the targets are measured against the highest, ``pixel_1nn_16x16_cos_with_tuning``;
* for each head (``--heads``) and seed (``--seeds``): a run trained with ``vision train``'s
  defaults (``TrainConfig``; the flags here override them only when given), then each
  adaptation (``--configs``): ``none`` (the run's validation threshold), ``default``
  (``AdaptationConfig()``: what ``vision adapt`` does with no flag) or ``vision adapt --mode``
  words (``knn@pixels``, ``bn-stats,knn@both,thresholds``, any registered mode), every other
  setting at its default; modes that use unlabeled target images (``bias``' EM, ``bn-stats``)
  get the test images, as ``vision adapt --target-images`` would; each TTA (``--tta``,
  default ``vision predict``'s);
* optionally (``--ensembles``) majority-vote and mean-of-scores ensembles over the runs.

Across the splits: the table of the defaults against the floors (one column per split, mean
and spread over seeds), leave-one-style-out (the pipeline of best mean F2 on the other
splits, scored on the held-out one), the cost of each option (training seconds per epoch,
adaptation seconds), and, last, one line ``graph helps: yes|no (...)``: the best pipeline
that uses the label graph (a graph head, or an adaptation mode tagged ``uses_graph``) against
the best that does not, "yes" when the difference exceeds both seed spreads. By default a
label graph is built once per split (``--graph build``: the gensim Wikipedia sample plus the
split's training annotations; ``--graph-corpus`` for another corpus) and the graph-using
``knn@both,plausibility,thresholds`` runs beside the defaults (``--extra-configs``), so the
line compares the two.

Finished runs are reused when their settings are unchanged (an interrupted benchmark
resumes), and so are the evaluations (``RUN/bench_eval/``, keyed by the checkpoint, the
settings and the source of ``vision/adapt``, ``vision/inference``, ``vision/models``).

Example (the README's table; ~10 min per run and 1-3 min per evaluation on one core)::

    python bench/emoji.py --data ../shared/data/emoji-google-to-twitter \
        ../shared/data/emoji-google-to-facebook --seeds 0 1 2 --out runs/emoji --quiet

Results: ``OUT[/SPLIT]/results.json`` (every number), ``OUT[/SPLIT]/results.md`` (the table
of a split), ``OUT/summary.md`` (the tables across splits).
"""

from __future__ import annotations

import argparse
import hashlib
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
DEFAULT_DATA = [REPO.parent / "shared" / "data" / "emoji-google-to-twitter"]
#: the adaptations scored by default: ``default`` is ``vision adapt`` with no flag
#: (``AdaptationConfig()``), the others the candidates it was chosen among
DEFAULT_CONFIGS = [
    "none",
    "default",
    "thresholds",
    "knn@features,thresholds",
    "knn@pixels,thresholds",
    "bias,knn@both,thresholds",
    "bn-stats,knn@both,thresholds",
]
#: ``vision predict``'s default test-time augmentation
DEFAULT_TTA = "none"

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
#: the floor the issue-#17 targets are measured against (the stricter of the 1-NN floors)
REFERENCE_FLOOR = "pixel_1nn_16x16_cos_with_tuning"


def floors(data: Path, codes: list[str], solution: dict, tuning: dict) -> dict[str, Any]:
    """Top-k frequent labels (train and tuning frequencies) and copying the labels of the
    nearest image in 16x16 pixels (``ImageFolderDataset.base_image``, RGB in [0, 1]):

    * ``pixel_1nn_16x16``: nearest training image, squared Euclidean distance;
    * ``pixel_1nn_16x16_with_tuning``: the same with the tuning images (and their labels)
      added to the pool;
    * ``*_cos``: mean-centred cosine similarity instead (the package's ``knn@pixels`` space);
      :data:`REFERENCE_FLOOR` (cosine, with tuning images) is the highest on both shared
      splits and the one the targets are measured against.
    """
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

    tune_ids = list(tuning)
    train_labels = [[codes[j] for j in targets[r].indices] for r in range(len(ids))]
    pool_labels = train_labels + [list(tuning[i]) for i in tune_ids]
    a, b = pixels(data / "train", ids), pixels(data / "test", test_ids)
    t = pixels(data / "test", tune_ids)

    def nn_f2(pool: np.ndarray, labels: list[list[str]], cosine: bool) -> float:
        if cosine:
            q = b - b.mean(1, keepdims=True)
            p = pool - pool.mean(1, keepdims=True)
            q /= np.linalg.norm(q, axis=1, keepdims=True) + 1e-9
            p /= np.linalg.norm(p, axis=1, keepdims=True) + 1e-9
            d = -q @ p.T
        else:
            d = (b**2).sum(1)[:, None] - 2 * b @ pool.T + (pool**2).sum(1)[None, :]
        nn_idx = d.argmin(1)
        return mean_f2(solution, {test_ids[i]: labels[nn_idx[i]] for i in range(len(test_ids))})

    both = np.concatenate([a, t])
    for suffix, cosine in (("", False), ("_cos", True)):
        out[f"pixel_1nn_16x16{suffix}"] = {"f2": nn_f2(a, train_labels, cosine)}
        out[f"pixel_1nn_16x16{suffix}_with_tuning"] = {"f2": nn_f2(both, pool_labels, cosine)}
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
        **_train_options(args),
    )


def _train_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--train-options FIELD=VALUE ...`` as TrainConfig fields (values read as YAML).

    Raises:
        SystemExit: an item is not ``FIELD=VALUE`` or names no TrainConfig field (the message
            suggests the closest field).
    """
    import difflib

    import yaml

    from vision.train import TrainConfig

    fields = TrainConfig.field_names()
    out = {}
    for item in getattr(args, "train_options", None) or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--train-options takes FIELD=VALUE, not {item!r}")
        key = key.strip().replace("-", "_")
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = (
                f"did you mean {close[0]}?"
                if close
                else "see the fields of vision.train.TrainConfig"
            )
            raise SystemExit(f"--train-options: {key!r} is not a TrainConfig field; {hint}")
        out[key] = yaml.safe_load(value)
    return out


def _check_train_options(args: argparse.Namespace) -> None:
    """Build one run's TrainConfig before any work, so that settings it refuses
    (``implied_targets=graph`` with ``--graph identity``, ``implied_weight=0``) end the
    benchmark at once with their one-line message.

    Raises:
        InputError: the TrainConfig refuses the settings.
    """
    graph = "identity" if args.graph == "identity" else str(args.graph)
    train_config(args, args.heads[0], args.seeds[0], graph, args.out)


def _trains_with_graph(args: argparse.Namespace) -> bool:
    """Whether the training settings read the label graph whatever the head (graph-aware
    targets, ``implied_targets=graph``)."""
    return _train_options(args).get("implied_targets", "none") != "none"


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
    if _train_options(args):  # absent otherwise, so the runs made before the flag are reused
        spec["train_options"] = _train_options(args)
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
    start_epoch = 0
    if resume:  # the time below covers the resumed epochs only
        start_epoch = int(torch.load(run_dir / "last.pt", weights_only=False)["epoch"])
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
        json.dumps(
            {**spec, "train_seconds": seconds, "trained_epochs": max(1, cfg.epochs - start_epoch)}
        )
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
        self.graph_dir: str | None = None  # set by run_split: --graph resolved
        self._graph: Any = None

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

    def adaptation_config(self, config: str) -> Any:
        """The :class:`AdaptationConfig` of a ``--configs`` word: ``default`` is
        ``AdaptationConfig()`` as ``vision adapt`` uses it with no flag; otherwise the modes
        of ``vision adapt --mode``, every other setting at its default."""
        from vision.adapt import AdaptationConfig

        return AdaptationConfig() if config == "default" else AdaptationConfig(modes=config)

    def label_graph(self) -> Any:
        """The LabelGraph of ``--graph`` (a folder, or ``build``), for the modes that read one."""
        if self._graph is None:
            if self.graph_dir in (None, "identity"):
                raise SystemExit(
                    "an adaptation mode of --configs reads the label graph: give --graph DIR "
                    "(a LabelGraph folder) or --graph build"
                )
            from labelgraph import LabelGraph

            self._graph = LabelGraph.load(self.graph_dir)
        return self._graph

    def _cache_key(
        self, run_dir: Path, config: str, cfg: Any, unlabeled: bool, graph: str | None
    ) -> str:
        """What an evaluation of ``config`` on ``run_dir`` depends on: the checkpoint, the
        adaptation settings, the TTAs, the bank, and the source of the adaptation and
        inference code (a change there recomputes)."""
        code = hashlib.sha256()
        for sub in ("vision/adapt", "vision/inference", "vision/models"):
            for f in sorted((REPO / sub).rglob("*.py")):
                code.update(f.read_bytes())
        ckpt = run_dir / "best.pt"
        key = {
            "config": config, "cfg": repr(cfg), "tta": list(self.args.tta),
            "bank_limit": self.args.bank_limit, "unlabeled": unlabeled,
            "checkpoint": [ckpt.stat().st_size, ckpt.stat().st_mtime_ns],
            "code": code.hexdigest(), "split": str(self.args.data.resolve()), "graph": graph,
        }  # fmt: skip
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]

    def evaluate_run(self, run_dir: Path) -> tuple[dict[str, dict[str, float]], dict, dict]:
        """F2 of every configuration x TTA for one run; also returns the kept scores and the
        seconds each adaptation took. Results are kept in ``RUN/bench_eval/`` and reused while
        the run, the settings and the code are unchanged."""
        from vision.adapt import (
            ADAPTATION_MODES,
            AdaptedRun,
            DecisionRule,
            adapt,
            embed,
            pixel_vectors,
        )

        run = AdaptedRun.load(run_dir, "best")
        if run.codes != self.codes:
            raise SystemExit(f"{run_dir}: label codes differ from the benchmark's")
        cache = run_dir / "bench_eval"
        cache.mkdir(exist_ok=True)
        results: dict[str, dict[str, float]] = {}
        kept: dict = {}
        seconds: dict[str, float] = {}
        base_preds = bank_features = None
        for config in self.args.configs:
            cfg = None if config == "none" else self.adaptation_config(config)
            unlabeled = cfg is not None and any(
                ADAPTATION_MODES.get(m).factory.uses_unlabeled_images for m in cfg.modes
            )
            graph = (
                self.label_graph()
                if cfg is not None
                and any(
                    getattr(ADAPTATION_MODES.get(m).factory, "needs_graph", False)
                    for m in cfg.modes
                )
                else None
            )
            key = self._cache_key(
                run_dir, config, cfg, unlabeled, graph.digest() if graph else None
            )
            path = cache / f"{key}.npz"
            if path.is_file():
                with np.load(path, allow_pickle=False) as z:
                    meta = json.loads(str(z["meta"]))
                    results[config], seconds[config] = meta["f2"], meta["seconds"]
                    for tta in self.args.tta:
                        kept[(config, tta)] = (
                            z[f"{tta}/scores"],
                            z[f"{tta}/decisions"],
                            meta["thresholds"][tta],
                        )
                logger.info("%s %s: reused %s", run_dir.name, config, path.name)
                continue
            if base_preds is None:
                t0 = time.perf_counter()
                tune, bank, bank_targets = self.tensors(run.image_size, run.normalize)
                base_preds = self.test_predictions(run.model, run.image_size, run.normalize)
                bank_features = embed(run.model, bank).numpy()
                logger.info(
                    "%s: test predictions and bank features (%.0f s)",
                    run_dir.name, time.perf_counter() - t0,
                )  # fmt: skip
            t0 = time.perf_counter()
            if cfg is None:
                rule = DecisionRule.default(self.codes, run.default_threshold)
                preds = base_preds
            else:
                test = self.test_images(run.image_size, run.normalize)
                res = adapt(
                    run.model, tune, self.tune_targets, self.codes, cfg,
                    source_prior=self.prior, bank_images=bank, bank_targets=bank_targets,
                    bank_features=bank_features, unlabeled_images=test if unlabeled else None,
                    **({"graph": graph} if graph is not None else {}),
                )  # fmt: skip
                rule = res.rule
                preds = (
                    self.test_predictions(res.model, run.image_size, run.normalize)
                    if cfg.weight_mode
                    else base_preds
                )
            seconds[config] = time.perf_counter() - t0
            results[config] = {}
            arrays: dict[str, np.ndarray] = {}
            thresholds: dict[str, Any] = {}
            pixels = pixel_vectors(self.test_images(run.image_size, run.normalize))
            for tta, (probs, feats) in preds.items():
                scores = rule.scores(probs, feats, pixels)
                decisions = rule.decide(scores)
                f2 = _labels_f2(self.test_ids, decisions, scores, self.codes, self.solution)
                results[config][tta] = f2
                thr = rule.thresholds
                thresholds[tta] = {
                    "thresholds": np.asarray(thr.thresholds, np.float64).tolist(),
                    "global": float(thr.global_threshold), "min": int(thr.min_labels),
                    "max": None if thr.max_labels is None else int(thr.max_labels),
                }  # fmt: skip
                arrays[f"{tta}/scores"] = scores.astype(np.float32)
                arrays[f"{tta}/decisions"] = np.asarray(decisions)
                kept[(config, tta)] = (
                    arrays[f"{tta}/scores"],
                    arrays[f"{tta}/decisions"],
                    thresholds[tta],
                )
            meta = {"f2": results[config], "seconds": seconds[config], "thresholds": thresholds}
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
            tmp.replace(path)
            logger.info(
                "%s %s: %s (%.0f s)", run_dir.name, config,
                ", ".join(f"{t} {v:.4f}" for t, v in results[config].items()), seconds[config],
            )  # fmt: skip
        return results, kept, seconds

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
                thr = parts[0][2]  # count rules of the first member, mean thresholds
                avg = ClassThresholds(
                    list(self.codes), np.mean([p[2]["thresholds"] for p in parts], 0),
                    float(thr["global"]), int(thr["min"]), thr["max"],
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


# ----------------------------------------------------------------------------- across splits
def _pipeline_stats(split_results: dict[str, dict], args: argparse.Namespace) -> dict:
    """``(head, config, tta) -> {split: (mean, spread, n)}`` over the seeds of each split."""
    out: dict[tuple[str, str, str], dict[str, tuple[float, float, int]]] = {}
    for split, results in split_results.items():
        for head, by_seed in results.items():
            for config in args.configs:
                for tta in args.tta:
                    vals = [r[config][tta] for r in by_seed.values() if config in r]
                    if vals:
                        out.setdefault((head, config, tta), {})[split] = (
                            float(np.mean(vals)), _spread(vals), len(vals),
                        )  # fmt: skip
    return out


def _name(pipeline: tuple[str, str, str]) -> str:
    head, config, tta = pipeline
    return f"{head}/{config}/tta={tta}"


def defaults_table(
    split_results: dict[str, dict], split_floors: dict[str, dict], args: argparse.Namespace
) -> str:
    """The issue-#17 table: one column per split; floors, the defaults' score, the margin."""
    splits = list(split_results)
    stats = _pipeline_stats(split_results, args)
    lines = ["| | " + " | ".join(splits) + " |", "|---|" + "---|" * len(splits)]
    for name in (REFERENCE_FLOOR, "pixel_1nn_16x16_with_tuning", "pixel_1nn_16x16"):
        lines.append(
            f"| floor: {name} | "
            + " | ".join(f"{split_floors[s][name]['f2']:.3f}" for s in splits)
            + " |"
        )
    default = ("linear", "default", DEFAULT_TTA)
    for pipeline in [p for p in stats if p[1] in ("default", "none") and p[2] == DEFAULT_TTA]:
        row = stats[pipeline]
        label = "defaults (vision train + vision adapt)" if pipeline == default else _name(pipeline)
        lines.append(
            f"| {label} | "
            + " | ".join(
                f"{row[s][0]:.3f} ± {row[s][1]:.3f} (n={row[s][2]})" if s in row else "-"
                for s in splits
            )
            + " |"
        )
    if default in stats:
        row = stats[default]
        lines.append(
            f"| defaults - floor ({REFERENCE_FLOOR}) | "
            + " | ".join(
                f"{row[s][0] - split_floors[s][REFERENCE_FLOOR]['f2']:+.3f}" if s in row else "-"
                for s in splits
            )
            + " |"
        )
    return "\n".join(lines)


def leave_one_style_out(split_results: dict[str, dict], args: argparse.Namespace) -> str:
    """For each split held out: the pipeline (head, adaptation, TTA) of best mean F2 on the
    other splits, scored on the held-out one, beside the held-out split's own best (an
    oracle) and the defaults."""
    splits = list(split_results)
    if len(splits) < 2:
        return "leave-one-style-out: needs two or more --data splits"
    stats = _pipeline_stats(split_results, args)
    full = [p for p, row in stats.items() if all(s in row for s in splits)]
    lines = [
        "| held out | chosen on the others | its F2 there | held-out best (oracle) | defaults |",
        "|---|---|---|---|---|",
    ]
    for held in splits:
        others = [s for s in splits if s != held]
        chosen = max(full, key=lambda p: np.mean([stats[p][s][0] for s in others]))
        oracle = max(full, key=lambda p: stats[p][held][0])
        default = stats.get(("linear", "default", DEFAULT_TTA), {}).get(held)
        lines.append(
            f"| {held} | {_name(chosen)} | {stats[chosen][held][0]:.3f} ± "
            f"{stats[chosen][held][1]:.3f} | {_name(oracle)} {stats[oracle][held][0]:.3f} | "
            + (f"{default[0]:.3f} ± {default[1]:.3f}" if default else "-")
            + " |"
        )
    return "\n".join(lines)


def uses_graph(pipeline: tuple[str, str, str], trained_with_graph: bool = False) -> bool:
    """A pipeline uses the label graph when its runs were trained with it
    (``trained_with_graph``: graph-aware targets), its head is a graph head or one of its
    adaptation modes carries the tag ``uses_graph`` in ``ADAPTATION_MODES``."""
    from vision.adapt import ADAPTATION_MODES, AdaptationConfig
    from vision.models import is_graph_head

    head, config, _ = pipeline
    if trained_with_graph or is_graph_head(head):
        return True
    if config == "none":
        return False
    modes = (
        AdaptationConfig().modes if config == "default" else AdaptationConfig(modes=config).modes
    )
    return any(ADAPTATION_MODES.has_tag(m, "uses_graph") for m in modes)


def graph_helps(split_results: dict[str, dict], args: argparse.Namespace) -> str:
    """The one-line verdict (issue #12): the best graph-using pipeline against the best
    graph-free one, each scored as its mean over splits of the seed mean, with the largest
    seed spread among the splits; "yes" when the difference exceeds both spreads."""
    splits = list(split_results)
    stats = _pipeline_stats(split_results, args)
    scored = {
        p: (float(np.mean([row[s][0] for s in splits])), max(row[s][1] for s in splits))
        for p, row in stats.items()
        if all(s in row for s in splits)
    }
    trained = _trains_with_graph(args)
    with_graph = {p: v for p, v in scored.items() if uses_graph(p, trained)}
    without = {p: v for p, v in scored.items() if not uses_graph(p, trained)}
    if not without:
        return "graph helps: no (no graph-free pipeline was run to compare with)"
    free = max(without, key=lambda p: without[p][0])
    free_text = f"graph-free best {_name(free)} {without[free][0]:.3f} +- {without[free][1]:.3f}"
    if not with_graph:
        return f"graph helps: no (no graph-using pipeline was run vs {free_text})"
    best = max(with_graph, key=lambda p: with_graph[p][0])
    m, sp = with_graph[best]
    diff = m - without[free][0]
    verdict = "yes" if diff > sp and diff > without[free][1] else "no"
    return f"graph helps: {verdict} (graph-using best {_name(best)} {m:.3f} +- {sp:.3f} vs {free_text})"


def costs(split_train: dict[str, dict], split_seconds: dict[str, dict]) -> str:
    """Training seconds per run and per epoch, adaptation seconds per configuration."""
    lines = []
    for split, info in split_train.items():
        for run, spec in info.items():
            if spec.get("train_seconds"):
                lines.append(
                    f"- {split} {run}: trained {spec['trained_epochs']} epochs in "
                    f"{spec['train_seconds']:.0f} s ({spec['train_seconds'] / spec['trained_epochs']:.1f} s/epoch)"
                )
    by_config: dict[str, list[float]] = {}
    for per_run in split_seconds.values():
        for secs in per_run.values():
            for config, sec in secs.items():
                by_config.setdefault(config, []).append(sec)
    for config, secs in by_config.items():
        lines.append(
            f"- adaptation {config}: {np.mean(secs):.1f} s per run (mean of {len(secs)}; the "
            "5 out-of-fold fits and the final one, test predictions included for weight modes)"
        )
    return "\n".join(lines)


def run_split(args: argparse.Namespace) -> dict[str, Any]:
    """Floors, training (or reuse) and evaluation of every head x seed on ``args.data``."""
    from corpora.formats.classes_trainable import read_classes_trainable

    args.out.mkdir(parents=True, exist_ok=True)
    codes = read_classes_trainable(args.data / "classes-trainable.csv")
    t_start = time.perf_counter()
    ev = Evaluator(args, codes)
    fl = floors(args.data, codes, ev.solution, ev.tuning)
    print(f"floors {args.data.name}:", json.dumps({k: round(v["f2"], 4) for k, v in fl.items()}))
    payload: dict[str, Any] = {"split": args.data.name, "floors": fl}
    if args.floors_only:
        return payload
    graph = _graph_dir(args, args.out)
    ev.graph_dir = graph
    results: dict[str, dict[int, dict]] = {}
    members, train_info, seconds = [], {}, {}
    for head in args.heads:
        for seed in args.seeds:
            run_dir = train_run(
                args,
                head,
                seed,
                graph if head != "linear" or _trains_with_graph(args) else "identity",
                args.out,
            )
            train_info[f"{head}-seed{seed}"] = (
                json.loads((run_dir / "bench_train_time.json").read_text())
                if (run_dir / "bench_train_time.json").is_file()
                else {}
            )
            if args.train_only:
                continue
            res, kept, secs = ev.evaluate_run(run_dir)
            results.setdefault(head, {})[seed] = res
            seconds[f"{head}-seed{seed}"] = secs
            members.append(kept)
            (args.out / "results.partial.json").write_text(
                json.dumps({"floors": fl, "results": results}, indent=1)
            )
    ens = ev.ensembles(members) if args.ensembles else {}
    text = table(results, fl, ens, args) if results else ""
    if text:
        print(f"\n## {args.data.name}\n\n{text}")
    payload.update({
        "graph": graph, "results": results, "ensembles": ens, "training": train_info,
        "adaptation_seconds": seconds, "unknown_tuning_labels": ev.unknown,
        "seconds": time.perf_counter() - t_start,
    })  # fmt: skip
    (args.out / "results.json").write_text(json.dumps(payload, indent=1))
    (args.out / "results.md").write_text(text + "\n")
    return payload


def get_args_parser() -> argparse.ArgumentParser:
    """The benchmark's flags (defaults: ``vision train``'s and ``vision adapt``'s)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = parser.add_argument_group("data/output")
    g.add_argument(
        "--data", type=Path, nargs="+", default=DEFAULT_DATA,
        help="one or more splits in the emoji layout (train/, test/, tuning_labels.csv, "
        "test_solutions.csv, ...); with two or more, leave-one-style-out is reported",
    )  # fmt: skip
    g.add_argument(
        "--out", type=Path, default=REPO / "runs" / "bench-emoji",
        help="output folder; with several splits, one sub-folder per split (its folder name)",
    )  # fmt: skip
    g.add_argument("--quiet", action="store_true")
    g.add_argument("--floors-only", action="store_true", help="compute the floors and stop")
    m = parser.add_argument_group("models (default: vision train's defaults)")
    m.add_argument("--heads", nargs="+", default=["linear"])
    m.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
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
    m.add_argument(
        "--graph",
        default="build",
        help="identity, a LabelGraph folder, or 'build' (default: built once into OUT/SPLIT/graph "
        "from --graph-corpus and the split's training annotations, so that the graph-using "
        "pipelines of --extra-configs run and the last line compares them)",
    )
    m.add_argument("--graph-corpus", nargs="+", default=None, help="corpus for --graph build")
    m.add_argument(
        "--train-options",
        nargs="+",
        default=[],
        metavar="FIELD=VALUE",
        help="further TrainConfig fields for every run, e.g. implied_targets=graph "
        "implied_weight=0.5 (recorded in the runs' bench_spec.json); with implied_targets=graph "
        "every run is given --graph, whatever its head",
    )
    a = parser.add_argument_group("adaptation/prediction")
    a.add_argument(
        "--configs", nargs="+", default=DEFAULT_CONFIGS,
        help="'none', 'default' (vision adapt with no flag) or vision adapt --mode words; any "
        "further mode, e.g. a graph-using one, is accepted",
    )  # fmt: skip
    a.add_argument(
        "--extra-configs",
        nargs="+",
        default=["knn@both,plausibility,thresholds"],
        help="added to --configs (keeps the defaults); default: the default pipeline plus the "
        "graph's plausibility decoding, the graph-using pipeline of the 'graph helps' line",
    )
    a.add_argument("--tta", nargs="+", default=[DEFAULT_TTA], help="test-time augmentations")
    a.add_argument("--bank-limit", type=int, default=0, help="max training images in the kNN bank")
    a.add_argument(
        "--ensembles", action="store_true", help="also score ensembles over the runs of a split"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    args.configs = list(dict.fromkeys([*args.configs, *args.extra_configs]))
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        force=True,
    )
    logger.setLevel(logging.INFO)  # the benchmark's own progress lines, even with --quiet
    datas = args.data if isinstance(args.data, list) else [args.data]
    for d in datas:
        if not d.is_dir():
            print(f"benchmark data not found at {d} (needs ../shared/data)", file=sys.stderr)
            return 2
    from corpora.errors import InputError

    try:
        _check_train_options(argparse.Namespace(**{**vars(args), "data": datas[0]}))
    except InputError as exc:
        print(f"bench/emoji.py: {exc}", file=sys.stderr)
        return 2
    payloads = {}
    for d in datas:
        split_args = argparse.Namespace(**vars(args))
        split_args.data = d
        split_args.out = args.out / d.name if len(datas) > 1 else args.out
        payloads[d.name] = run_split(split_args)
    if args.floors_only or args.train_only:
        return 0
    split_results = {k: p["results"] for k, p in payloads.items()}
    split_floors = {k: p["floors"] for k, p in payloads.items()}
    summary = [
        f"# bench/emoji.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "command: " + " ".join(["python", "bench/emoji.py", *(argv if argv is not None else sys.argv[1:])]),
        "",
        "## defaults against the floors",
        "",
        defaults_table(split_results, split_floors, args),
        "",
        "## leave-one-style-out",
        "",
        leave_one_style_out(split_results, args),
        "",
        "## cost",
        "",
        costs({k: p["training"] for k, p in payloads.items()},
              {k: p["adaptation_seconds"] for k, p in payloads.items()}),
    ]  # fmt: skip
    text = "\n".join(summary)
    (args.out / "summary.md").write_text(text + "\n")
    print("\n" + text)
    print(graph_helps(split_results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
