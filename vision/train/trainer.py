"""The training loop of ``vision train``: resumable, distributed-ready, checkpointing."""

from __future__ import annotations

import logging
import math
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from corpora.catalogue import Catalogue
from corpora.errors import InputError
from corpora.versions import package_versions
from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.losses import LOSSES, create_loss
from vision.models import MultiLabelClassifier
from vision.train._distributed import DistContext
from vision.train._epoch_sampler import EpochSampler
from vision.train._rng import capture_rng_state, restore_rng_state
from vision.train._seeded_dataset import SeededDataset
from vision.train.build_graph_inputs import build_graph_inputs
from vision.train.device import place_batch, place_model
from vision.train.ema import ModelEma
from vision.train.metrics_log import MetricsLog
from vision.train.mixed_precision import MixedPrecision
from vision.train.optimizer import OPTIMIZERS, create_optimizer
from vision.train.train_config import TrainConfig
from vision.train.training_data import TrainingData, load_training_data
from vision.train.warmup_cosine import WarmupCosine

__all__ = ["Trainer", "TrainingDiverged", "TrainingInterrupted"]

logger = logging.getLogger(__name__)


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint was kept."""


class TrainingInterrupted(RuntimeError):
    """SIGINT (Ctrl-C) or SIGTERM stopped training after the current step; ``last.pt`` holds
    the state at that step (mid-epoch included), so ``--resume`` continues exactly there.

    Attributes:
        signum: the signal. exit_status: ``128 + signum`` (130 for SIGINT, 143 for SIGTERM).
    """

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.signum = int(signum)
        self.exit_status = 128 + int(signum)


class _RestartedCosine:
    """Learning-rate factor of a schedule extended with ``--extend-schedule``: the run's
    warmup + cosine up to step ``at``, then a cosine from 1 down to ``min_ratio`` over the
    steps ``[at, total_steps]``. Plain numbers only: ``LambdaLR.state_dict`` stores them in
    checkpoints (which load with ``weights_only``)."""

    def __init__(self, warmup_steps: int, at: int, total_steps: int, min_ratio: float) -> None:
        self.warmup_steps = int(warmup_steps)
        self.at = int(at)
        self.total_steps = int(total_steps)
        self.min_ratio = float(min_ratio)

    def __call__(self, step: int) -> float:
        if step < self.at:
            return WarmupCosine(self.warmup_steps, self.at, self.min_ratio)(step)
        tail = WarmupCosine(0, max(self.total_steps - self.at, 1), self.min_ratio)
        return tail(step - self.at)


def _takes(catalogue: Catalogue[Any], name: str, option: str) -> bool:
    """Whether entry ``name`` of ``catalogue`` has an option called ``option``."""
    return any(o.name == option for o in catalogue.options(name))


def _auto_pos_weight(targets: Any) -> torch.Tensor:
    pos = np.asarray((targets > 0).sum(0)).ravel().astype(np.float64)
    n = targets.shape[0]
    w = np.sqrt((n - pos) / np.maximum(pos, 1.0))
    return torch.tensor(np.clip(w, 1.0, 30.0), dtype=torch.float32)


class Trainer:
    """Builds data, model, optimizer and schedule from a :class:`TrainConfig`; :meth:`fit` runs.

    Per epoch it logs train loss, val loss, mean per-image F2 at the best global threshold and
    mAP (``vision.metrics``), writes ``RUN/last.pt`` (and ``RUN/best.pt`` on a new best val F2),
    ``RUN/metrics.jsonl``, ``RUN/metrics.csv`` and ``RUN/curves.png``. With
    ``checkpoint_every_steps = N`` it also writes ``last.pt`` every N optimizer steps.

    Determinism: the sample order of epoch ``e`` comes from ``seed + e``; augmentation of
    sample ``i`` in epoch ``e`` from ``(seed, e, i)`` (:class:`SeededDataset`); the process's
    RNG states are saved in checkpoints. A run resumed from any checkpoint therefore ends with
    the same weights and metrics as an uninterrupted one (up to float non-associativity of
    multi-threaded kernels, which is exact in practice on one CPU).

    Distributed: under ``torchrun`` every process trains on its shard with DDP; rank 0 alone
    evaluates, logs and writes files.
    """

    def __init__(self, cfg: TrainConfig, data: TrainingData | None = None) -> None:
        self.cfg = cfg
        self.dist = DistContext.from_env(cfg.device)
        self.device = self.dist.device
        self.run_dir = Path(cfg.out)
        if self.dist.is_main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(cfg.seed)
        np.random.seed(cfg.seed % 2**32)
        import random

        random.seed(cfg.seed)
        self.data = data or load_training_data(
            cfg.data,
            cfg.images_dir,
            cfg.label_policy,
            cfg.val_fraction,
            cfg.seed,
            cfg.image_size,
            cfg.max_images,
            cfg.cache_dir,
            progress=not cfg.quiet and self.dist.is_main,
            skip_bad_rows=cfg.skip_bad_rows,
            augment=cfg.augment,
            check_images=cfg.check_images,
            max_bad_fraction=cfg.max_bad_fraction,
            max_image_pixels=cfg.max_image_pixels,
            workers=max(1, cfg.workers),
            cache_shard_size=cfg.cache_shard_size,
            bad_report=self.run_dir / "bad_images.csv" if self.dist.is_main else None,
        )
        self.codes, self.names = list(self.data.codes), list(self.data.names)
        # every head's checkpoint records the graph (its digest names the run's --graph)
        label_graph = self._label_graph()
        self.graph = build_graph_inputs(cfg, self.codes, label_graph)
        self._imply_targets(label_graph)
        self.model_args = cfg.model_args(len(self.codes))
        self.model = place_model(
            MultiLabelClassifier.from_args(self.model_args, self.graph),
            self.device,
            cfg.channels_last,
        )
        self.precision = MixedPrecision.of(cfg.amp, self.device)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True  # fixed image size: autotuned conv kernels
        self.ema = ModelEma(self.model, cfg.ema_decay) if cfg.ema else None

        if cfg.pos_weight is not None and not _takes(LOSSES, cfg.loss, "pos_weight"):
            with_it = [n for n in LOSSES.names() if _takes(LOSSES, n, "pos_weight")]
            raise InputError(
                f"--pos-weight applies to --loss {', '.join(with_it)} only, not {cfg.loss!r}"
            )
        loss_kw = cfg.component_kwargs("loss")
        if isinstance(loss_kw.get("pos_weight"), str) and loss_kw["pos_weight"] == "auto":
            loss_kw["pos_weight"] = _auto_pos_weight(self.data.train_targets)
        self.loss_fn: nn.Module = create_loss(cfg.loss, **loss_kw).to(self.device)

        self.train_set = SeededDataset(self.data.train, cfg.seed)
        self.sampler = EpochSampler(
            len(self.train_set), self.dist.world_size, self.dist.rank, cfg.seed, shuffle=True
        )
        self.drop_last = self.sampler.per_rank > cfg.batch_size
        full = self.sampler.per_rank // cfg.batch_size
        self.steps_per_epoch = (
            full if self.drop_last else -(-self.sampler.per_rank // cfg.batch_size)
        )
        if self.steps_per_epoch == 0:
            raise InputError("no training images left after the validation split")
        self.total_steps = self.steps_per_epoch * cfg.epochs

        self.optimizer = self._make_optimizer()
        self.schedule = WarmupCosine(
            int(round(cfg.warmup_epochs * self.steps_per_epoch)), self.total_steps, cfg.min_lr_ratio
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self.schedule)
        # the optimizer step from which the cosine was restarted (--extend-schedule), or None
        self.schedule_restart: int | None = None
        self._signal: int | None = None  # SIGINT/SIGTERM received during fit()
        self._stop = False  # some rank received one: save and stop after this step
        if cfg.extend_schedule and not cfg.resume:
            raise InputError("--extend-schedule continues a run: pass it with --resume")
        self.use_scaler = self.precision.needs_scaler
        self.scaler = self.precision.grad_scaler()

        self.epoch = 0
        self.step = 0
        self.epoch_step = 0
        self.epoch_loss = [0.0, 0.0]  # sum of batch losses x images, images (this rank)
        self.history: list[dict[str, Any]] = []
        self.best_f2 = -math.inf
        self._maybe_resume()

        self.net: nn.Module = self.model
        if self.dist.distributed:
            self.net = nn.parallel.DistributedDataParallel(
                self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None
            )
        self.log = MetricsLog(self.run_dir, cfg.tensorboard) if self.dist.is_main else None

    # ----------------------------------------------------------------- set-up helpers
    def _label_graph(self) -> Any:
        """The LabelGraph of ``--graph`` (None for ``identity``), read once for the graph
        inputs and the implied targets."""
        if self.cfg.graph == "identity":
            return None
        from labelgraph import LabelGraph

        return LabelGraph.load(self.cfg.graph)

    def _imply_targets(self, label_graph: Any) -> None:
        """``--implied-targets graph``: add the graph-implied soft targets to the training
        split (:mod:`vision.train.implied_targets`); validation targets and
        ``data.train_targets`` (what ``pos_weight="auto"`` counts) stay as read."""
        implied = self.cfg.implied()
        if not implied.active:
            return
        train = self.data.train
        train.targets = implied.apply(train.targets, label_graph, self.codes, train.hard_negatives)

    def _check_resumed_targets(self, last: Path, ckpt: dict[str, Any]) -> None:
        """Warn when ``--resume`` asks for other ``--implied-*`` settings than the checkpoint's
        (the remaining epochs then train on other targets)."""
        from vision.train.implied_targets import ImpliedTargets

        before = ImpliedTargets.from_config(ckpt.get("config") or {}).describe()
        now = self.cfg.implied().describe()
        if before != now:
            logger.warning(
                "%s was trained with implied targets %s, now %s: the remaining epochs train on "
                "other targets; resume with the run's settings (-c RUN/config.yaml) or use a "
                "new --out",
                last,
                before,
                now,
            )

    def _make_optimizer(self) -> torch.optim.Optimizer:
        graph_fn = getattr(self.model.head, "graph_parameters", None)
        graph_ids = {id(p) for p in graph_fn()} if graph_fn is not None else set()
        buckets: dict[tuple[bool, bool], list[nn.Parameter]] = {}
        for p in self.model.parameters():
            if p.requires_grad:
                buckets.setdefault((id(p) in graph_ids, p.ndim > 1), []).append(p)
        groups = [
            {
                "params": ps,
                "weight_decay": self.cfg.weight_decay if decayed else 0.0,
                "lr": self.cfg.lr * (self.cfg.graph_lr_scale if graph else 1.0),
            }
            for (graph, decayed), ps in sorted(buckets.items())
        ]
        name = self.cfg.optimizer
        momentum = {"momentum": self.cfg.momentum} if _takes(OPTIMIZERS, name, "momentum") else {}
        return create_optimizer(name, groups, self.cfg.lr, **momentum)

    def _maybe_resume(self) -> None:
        last = self.run_dir / "last.pt"
        if not self.cfg.resume:
            if last.exists():
                raise InputError(
                    f"{self.run_dir} already holds a run (last.pt); pass --resume to continue it "
                    "or choose a new --out"
                )
            return
        if not last.exists():
            logger.warning("--resume: %s has no last.pt yet, starting from scratch", self.run_dir)
            return
        ckpt = load_checkpoint(last, map_location="cpu")
        if ckpt["labels"]["codes"] != self.codes:
            raise InputError(
                f"{last} was trained on a different label vocabulary "
                f"({len(ckpt['labels']['codes'])} labels vs {len(self.codes)} now); resume with "
                "the same --data / classes-trainable.csv or start a new --out"
            )
        if ckpt["graph_digest"] != self.graph.digest:
            raise InputError(
                f"{last} was trained with label graph {ckpt['graph_digest']} but --graph now gives "
                f"{self.graph.digest}; resume with the run's graph (RUN/config.yaml) or a new --out"
            )
        if ckpt["model_args"] != self.model_args:
            raise InputError(
                f"{last} was trained with model {ckpt['model_args']}, the flags now ask for "
                f"{self.model_args}; resume with the same model flags or a new --out"
            )
        self._check_resumed_targets(last, ckpt)
        raw = ckpt.get("train_model")
        self.model.load_state_dict(raw if raw is not None else ckpt["model"])
        if self.ema is not None:
            if ckpt.get("ema_state") is None:
                raise InputError(f"{last} has no EMA state; resume without --ema or start anew")
            self.ema.load_state_dict(ckpt["ema_state"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.scheduler.load_state_dict(ckpt["scheduler"])
        self._resume_schedule(ckpt)
        if ckpt.get("scaler"):
            self.scaler.load_state_dict(ckpt["scaler"])
        self.epoch = int(ckpt["epoch"])
        self.step = int(ckpt["step"])
        self.epoch_step = int(ckpt["epoch_step"])
        self.epoch_loss = list(ckpt["epoch_loss"])
        self.history = list(ckpt["history"])
        self.best_f2 = float(ckpt.get("best_f2", -math.inf))
        states = ckpt["rng"]
        if len(states) != self.dist.world_size:
            logger.warning(
                "checkpoint has RNG states of %d processes, now %d: results will differ from an "
                "uninterrupted run",
                len(states),
                self.dist.world_size,
            )
        restore_rng_state(states[min(self.dist.rank, len(states) - 1)])
        logger.info("resumed %s at epoch %d, step %d", last, self.epoch, self.step)

    def _resume_schedule(self, ckpt: dict[str, Any]) -> None:
        """The learning-rate schedule of a resumed run.

        Same ``--epochs`` as saved: the saved schedule (restart point included). More epochs
        with ``--extend-schedule``: the cosine restarts from the peak at the current step over
        the added steps. Otherwise the cosine is recomputed over the new epoch count from step
        0, with a warning saying which learning rate training continues at.
        """
        step = int(ckpt["step"])
        saved_epochs = int(ckpt.get("config", {}).get("epochs", self.cfg.epochs))
        restart = ckpt.get("schedule_restart")
        # LambdaLR.load_state_dict wrote the saved schedule's numbers into self.schedule:
        # this run's schedule is made anew
        warmup = int(round(self.cfg.warmup_epochs * self.steps_per_epoch))
        self.schedule = WarmupCosine(warmup, self.total_steps, self.cfg.min_lr_ratio)
        schedule: Any = self.schedule
        if restart is not None:
            schedule = _RestartedCosine(warmup, restart, self.total_steps, self.cfg.min_lr_ratio)
            self.schedule_restart = int(restart)
        elif self.cfg.extend_schedule and self.cfg.epochs > saved_epochs:
            schedule = _RestartedCosine(warmup, step, self.total_steps, self.cfg.min_lr_ratio)
            self.schedule_restart = step
            logger.info(
                "--extend-schedule: the cosine restarts at step %d from lr %.3g down to %.3g "
                "over epochs %d-%d",
                step,
                self.cfg.lr,
                self.cfg.lr * self.cfg.min_lr_ratio,
                saved_epochs + 1,
                self.cfg.epochs,
            )
        elif self.cfg.extend_schedule:
            logger.warning(
                "--extend-schedule ignored: --epochs %d is not more than the run's %d epochs",
                self.cfg.epochs,
                saved_epochs,
            )
        elif self.cfg.epochs != saved_epochs:
            logger.warning(
                "resuming a run scheduled for %d epochs with --epochs %d: the cosine is "
                "recomputed over %d epochs, so training continues at lr %.3g (peak %.3g, floor "
                "%.3g); pass --extend-schedule to restart the cosine from the peak over the "
                "added epochs",
                saved_epochs,
                self.cfg.epochs,
                self.cfg.epochs,
                self.cfg.lr * self.schedule(step),
                self.cfg.lr,
                self.cfg.lr * self.cfg.min_lr_ratio,
            )
        # load_state_dict restored the saved schedule's factors; use this run's, and set the
        # learning rates of the next step from it
        self.scheduler.lr_lambdas = [schedule] * len(self.optimizer.param_groups)
        last = self.scheduler.last_epoch
        lrs = [base * schedule(last) for base in self.scheduler.base_lrs]
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self.scheduler._last_lr = lrs

    # ----------------------------------------------------------------- signals
    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._signal is not None:  # a second Ctrl-C: stop at once, without saving
            signal.signal(signum, signal.SIG_DFL)
            raise KeyboardInterrupt
        self._signal = signum
        logger.warning(
            "%s received: saving %s after the current step (send it again to stop at once "
            "without saving)",
            signal.Signals(signum).name,
            self.run_dir / "last.pt",
        )

    def _interrupted(self, saved: bool) -> TrainingInterrupted:
        signum = self._signal or signal.SIGINT
        where = (
            f"epoch {self.epoch + 1}/{self.cfg.epochs}, step {self.step} (batch "
            f"{self.epoch_step} of {self.steps_per_epoch})"
            if self.epoch_step
            else f"the end of epoch {self.epoch}/{self.cfg.epochs} (step {self.step})"
        )
        last = self.run_dir / "last.pt"
        return TrainingInterrupted(
            f"interrupted by {signal.Signals(signum).name} at {where}; "
            + (f"saved {last}" if saved else f"{last} holds this state"),
            signum,
        )

    # ----------------------------------------------------------------- checkpoints
    def _checkpoint(self, metrics: dict[str, Any], rng_states: list[Any]) -> dict[str, Any]:
        eval_model = self.ema.module if self.ema is not None else self.model
        return {
            "model_args": self.model_args,
            "model": eval_model.state_dict(),
            "ema_state": self.ema.state_dict() if self.ema is not None else None,
            "train_model": self.model.state_dict() if self.ema is not None else None,
            "graph": self.graph.to_dict(),
            "graph_digest": self.graph.digest,
            "labels": {"codes": self.codes, "names": self.names},
            "image_size": int(self.cfg.image_size),
            "normalize": True,
            "threshold": metrics.get("val_threshold"),
            "metrics": metrics,
            "history": self.history,
            "best_f2": self.best_f2,
            "epoch": self.epoch,
            "step": self.step,
            "epoch_step": self.epoch_step,
            "epoch_loss": list(self.epoch_loss),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "schedule_restart": self.schedule_restart,
            "scaler": self.scaler.state_dict() if self.use_scaler else None,
            "rng": rng_states,
            "config": self.cfg.to_dict(),
            "versions": package_versions(),
        }

    def _save(self, metrics: dict[str, Any], best: bool) -> None:
        """Collective: every rank calls it; rank 0 writes ``last.pt`` (and ``best.pt``)."""
        states = self.dist.all_gather_object(capture_rng_state())
        if not self.dist.is_main:
            return
        ckpt = self._checkpoint(metrics, states)
        last = save_checkpoint(ckpt, self.run_dir / "last.pt")
        if best:
            tmp = self.run_dir / ".best.pt.tmp"
            shutil.copyfile(last, tmp)
            tmp.replace(self.run_dir / "best.pt")

    # ----------------------------------------------------------------- loop
    def _loader(self, epoch: int, start_batch: int) -> DataLoader:
        self.train_set.set_epoch(epoch)
        self.sampler.set_epoch(epoch, start_batch * self.cfg.batch_size)
        return DataLoader(
            self.train_set,
            batch_size=self.cfg.batch_size,
            sampler=self.sampler,
            num_workers=self.cfg.workers,
            drop_last=self.drop_last,
            pin_memory=self.device.type == "cuda",
            generator=torch.Generator().manual_seed(self.cfg.seed + epoch),
        )

    def _save_and_stop(self) -> None:
        """Save the state after the last finished step (mid-epoch) and raise
        :class:`TrainingInterrupted`."""
        saved = self.epoch_step > 0 or not (self.run_dir / "last.pt").exists()
        if saved:
            self._save({}, best=False)
        self.dist.barrier()
        raise self._interrupted(saved=saved)

    def _batches(self, loader: DataLoader) -> Any:
        """The loader's batches; when a signal arrived, a loader whose worker processes died
        of it ends the epoch's iteration instead of raising (the state is saved after the
        last finished step)."""
        it = iter(loader)
        while True:
            try:
                batch = next(it)
            except StopIteration:
                return
            except Exception:
                if self._signal is None:
                    raise
                self._stop = True
                return
            yield batch

    def _autocast(self) -> Any:
        return self.precision.autocast()

    def train_step(self, images: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
        """One optimizer step on a batch (what :meth:`fit` runs per batch): images
        ``[B, 3, H, W]``, targets and mask ``[B, L]``; returns the batch loss."""
        return self._train_step(images, target, mask)

    def _train_step(self, images: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
        images = place_batch(images, self.device, self.cfg.channels_last, non_blocking=True)
        target = target.to(self.device, non_blocking=True)
        mask = mask.to(self.device, non_blocking=True)
        with self._autocast():
            logits = self.net(images)
        loss = self.loss_fn(logits.float(), target, mask)
        value = float(loss.detach())
        # one collective for both: a non-finite loss and a signal on any rank
        flags = self.dist.all_reduce_sum(
            [0.0 if math.isfinite(value) else 1.0, 0.0 if self._signal is None else 1.0]
        )
        finite = flags[0] == 0
        self._stop = self._stop or flags[1] > 0
        if not finite:
            raise TrainingDiverged(
                f"loss became {value} at epoch {self.epoch + 1}, step {self.step + 1} (rank "
                f"{self.dist.rank}); training stopped and {self.run_dir / 'last.pt'} keeps the last "
                "good state: lower --lr, set --clip-grad, try --loss asl/--amp off, or check the data"
            )
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        if self.cfg.clip_grad:
            self.scaler.unscale_(self.optimizer)
            nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_grad)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        if self.ema is not None:
            self.ema.update(self.model)
        return value

    @torch.no_grad()
    def evaluate(self, model: nn.Module | None = None) -> dict[str, Any]:
        """Validation loss, best global threshold and its mean F2, mAP (rank 0's view)."""
        from vision.metrics import best_global_threshold, mean_average_precision

        if self.data.val is None:
            return {}
        if model is None:
            model = self.ema.module if self.ema is not None else self.model
        was_training = model.training
        model.eval()
        loader = DataLoader(
            self.data.val,
            batch_size=self.cfg.batch_size,
            shuffle=False,
            num_workers=self.cfg.workers,
            generator=torch.Generator().manual_seed(0),
        )
        n_val, n_labels = len(self.data.val), len(self.codes)
        # one float32 [N_val, L] array; the truth is kept sparse (a few positives per row)
        probs = np.empty((n_val, n_labels), dtype=np.float32)
        targets, loss_sum, n = [], 0.0, 0
        with torch.random.fork_rng(devices=[]):
            for images, target, mask in loader:
                images = place_batch(images, self.device, self.cfg.channels_last)
                with self._autocast():
                    logits = model(images).float()
                t = target.to(self.device)
                loss_sum += float(self.loss_fn(logits, t, mask.to(self.device))) * len(images)
                probs[n : n + len(images)] = torch.sigmoid(logits).cpu().numpy()
                n += len(images)
                targets.append(sp.csr_matrix(target.numpy() >= 0.5))
        model.train(was_training)
        p = probs[:n]
        y = (
            sp.vstack(targets, format="csr")
            if targets
            else sp.csr_matrix((0, n_labels), dtype=bool)
        )
        thr, f2 = best_global_threshold(p, y)
        return {
            "val_loss": loss_sum / max(n, 1),
            "val_f2": f2,
            "val_threshold": thr,
            "val_map": mean_average_precision(p, y),
        }

    def fit(self) -> dict[str, Any]:
        """Train to ``cfg.epochs``; returns the last epoch's metrics (``{}`` if nothing ran).

        SIGINT (Ctrl-C) and SIGTERM finish the current step, save ``last.pt`` (mid-epoch state
        included: ``--resume`` continues at the next batch) and raise
        :class:`TrainingInterrupted`; a second signal stops at once without saving.

        Raises:
            TrainingDiverged: NaN/inf loss (``last.pt`` keeps the last good state).
            TrainingInterrupted: SIGINT or SIGTERM (``last.pt`` holds the state).
        """
        cfg = self.cfg
        handlers = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                handlers[sig] = signal.signal(sig, self._on_signal)
        try:
            while self.epoch < cfg.epochs:
                if self._stop or (self._signal is not None and not self.dist.distributed):
                    raise self._interrupted(saved=False)  # saved at the end of the epoch
                stopped = self._run_epoch()
                if stopped:
                    return {"stopped_after_steps": self.step}
            return self.history[-1] if self.history else {}
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            if self.log is not None:
                self.log.close()
            self.dist.close()

    def _run_epoch(self) -> bool:
        cfg = self.cfg
        start = self.epoch_step
        if start == 0:
            self.epoch_loss = [0.0, 0.0]
        loader = self._loader(self.epoch, start)
        self.net.train()
        bar = tqdm(
            total=self.steps_per_epoch,
            initial=start,
            desc=f"epoch {self.epoch + 1}/{cfg.epochs}",
            disable=cfg.quiet or not self.dist.is_main,
            file=sys.stderr,
            leave=False,
        )
        t0 = time.perf_counter()
        seen = 0
        for images, target, mask in self._batches(loader):
            value = self._train_step(images, target, mask)
            self.step += 1
            self.epoch_step += 1
            self.epoch_loss[0] += value * len(images)
            self.epoch_loss[1] += len(images)
            seen += len(images)
            bar.update(1)
            bar.set_postfix(loss=f"{value:.4f}", lr=f"{self.scheduler.get_last_lr()[0]:.2e}")
            if cfg.stop_after_steps is not None and self.step >= cfg.stop_after_steps:
                bar.close()
                logger.warning(
                    "stopping after %d steps (--stop-after-steps), no checkpoint", self.step
                )
                return True
            if self._stop and self.epoch_step < self.steps_per_epoch:
                bar.close()
                self._save_and_stop()
            if cfg.checkpoint_every_steps and self.step % cfg.checkpoint_every_steps == 0:
                if self.epoch_step < self.steps_per_epoch:
                    self._save({}, best=False)
        bar.close()
        if self._stop and self.epoch_step < self.steps_per_epoch:  # the loader died of it
            self._save_and_stop()
        seconds = time.perf_counter() - t0
        loss_sum, count, imgs = self.dist.all_reduce_sum([*self.epoch_loss, float(seen)])
        self.epoch += 1
        self.epoch_step = 0
        metrics: dict[str, Any] = {}
        best = False
        if self.dist.is_main:
            metrics = {
                "epoch": self.epoch,
                "step": self.step,
                "train_loss": loss_sum / max(count, 1.0),
                **self.evaluate(),
                "lr": self.scheduler.get_last_lr()[0],
                "train_images_per_s": imgs / max(seconds, 1e-9),
            }
            score = metrics.get("val_f2", -metrics["train_loss"])
            best = score > self.best_f2
            if best:
                self.best_f2 = score
            metrics["best"] = best
            self.history.append(metrics)
            logger.info(
                "epoch %d/%d: train loss %.4f, val loss %s, val F2 %s (threshold %s), mAP %s",
                self.epoch,
                cfg.epochs,
                metrics["train_loss"],
                _fmt(metrics.get("val_loss")),
                _fmt(metrics.get("val_f2")),
                _fmt(metrics.get("val_threshold")),
                _fmt(metrics.get("val_map")),
            )
        self._save(metrics, best)
        if self.log is not None:
            self.log.write(self.history)
        self.dist.barrier()
        return False


def _fmt(v: Any) -> str:
    return "n/a" if v is None else f"{v:.4f}"
