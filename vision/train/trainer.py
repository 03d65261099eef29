"""The training loop of ``vision train``: resumable, distributed-ready, checkpointing."""

from __future__ import annotations

import logging
import math
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
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
from vision.train.ema import ModelEma
from vision.train.metrics_log import MetricsLog
from vision.train.optimizer import OPTIMIZERS, create_optimizer
from vision.train.train_config import TrainConfig
from vision.train.training_data import TrainingData, load_training_data
from vision.train.warmup_cosine import WarmupCosine

__all__ = ["Trainer", "TrainingDiverged"]

logger = logging.getLogger(__name__)


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint was kept."""


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
        self.graph = build_graph_inputs(cfg, self.codes)
        self.model_args = cfg.model_args(len(self.codes))
        self.model = MultiLabelClassifier.from_args(self.model_args, self.graph).to(self.device)
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
        self.use_scaler = cfg.amp and self.device.type == "cuda"
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.use_scaler)

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
        raw = ckpt.get("train_model")
        self.model.load_state_dict(raw if raw is not None else ckpt["model"])
        if self.ema is not None:
            if ckpt.get("ema_state") is None:
                raise InputError(f"{last} has no EMA state; resume without --ema or start anew")
            self.ema.load_state_dict(ckpt["ema_state"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.scheduler.load_state_dict(ckpt["scheduler"])
        # load_state_dict restored the saved schedule's settings; use this run's (a resumed run
        # with more --epochs stretches the cosine from the current step on)
        self.scheduler.lr_lambdas = [self.schedule] * len(self.optimizer.param_groups)
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

    def _autocast(self):
        if not self.cfg.amp:
            return nullcontext()
        dtype = torch.float16 if self.device.type == "cuda" else torch.bfloat16
        return torch.autocast(device_type=self.device.type, dtype=dtype)

    def _train_step(self, images: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
        images = images.to(self.device, non_blocking=True)
        target = target.to(self.device, non_blocking=True)
        mask = mask.to(self.device, non_blocking=True)
        with self._autocast():
            logits = self.net(images)
        loss = self.loss_fn(logits.float(), target, mask)
        value = float(loss.detach())
        finite = self.dist.all_reduce_sum([0.0 if math.isfinite(value) else 1.0])[0] == 0
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
        probs, targets, loss_sum, n = [], [], 0.0, 0
        with torch.random.fork_rng(devices=[]):
            for images, target, mask in loader:
                images = images.to(self.device)
                with self._autocast():
                    logits = model(images).float()
                t = target.to(self.device)
                loss_sum += float(self.loss_fn(logits, t, mask.to(self.device))) * len(images)
                n += len(images)
                probs.append(torch.sigmoid(logits).cpu().numpy())
                targets.append(target.numpy())
        model.train(was_training)
        p = np.concatenate(probs)
        y = np.concatenate(targets) >= 0.5
        thr, f2 = best_global_threshold(p, y)
        return {
            "val_loss": loss_sum / max(n, 1),
            "val_f2": f2,
            "val_threshold": thr,
            "val_map": mean_average_precision(p, y),
        }

    def fit(self) -> dict[str, Any]:
        """Train to ``cfg.epochs``; returns the last epoch's metrics (``{}`` if nothing ran).

        Raises:
            TrainingDiverged: NaN/inf loss (``last.pt`` keeps the last good state).
        """
        cfg = self.cfg
        try:
            while self.epoch < cfg.epochs:
                stopped = self._run_epoch()
                if stopped:
                    return {"stopped_after_steps": self.step}
            return self.history[-1] if self.history else {}
        finally:
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
        for images, target, mask in loader:
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
            if cfg.checkpoint_every_steps and self.step % cfg.checkpoint_every_steps == 0:
                if self.epoch_step < self.steps_per_epoch:
                    self._save({}, best=False)
        bar.close()
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
