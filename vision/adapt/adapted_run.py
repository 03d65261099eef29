"""A run folder as ``vision adapt`` / ``vision predict`` see it: model, vocabulary, decision rule.

An adapted run is a *new* folder: a copy of the original run's files (so
``vision.checkpoint.load_run`` still rebuilds the architecture from it), plus

* ``adapted_model.pt``: the fine-tuned ``state_dict`` (only for ``last-layer``/``head``/``full``;
  plain tensors, loaded with ``weights_only=True``);
* ``decision.json`` / ``decision.npz``: the :class:`~vision.adapt.decision_rule.DecisionRule`;
* ``adaptation.json``: manifest (format, version, base run, modes, parameters, tuning counts,
  unknown tuning labels, K-fold report, package versions);
* ``config.yaml``: the resolved ``vision adapt`` arguments (the original's is kept as
  ``train_config.yaml``).

The original run folder is never written to.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import nn

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError
from vision.adapt.decision_rule import DecisionRule

__all__ = ["AdaptedRun", "ADAPTED_WEIGHTS", "ADAPTATION_MANIFEST", "run_codes", "run_config"]

logger = logging.getLogger(__name__)

ADAPTED_WEIGHTS = "adapted_model.pt"
ADAPTATION_MANIFEST = "adaptation.json"
MANIFEST_FORMAT = "vision.adaptation"
MANIFEST_VERSION = 1


def run_config(run_dir: Path) -> dict[str, Any]:
    """The training config of a run (``train_config.yaml`` of an adapted run, else
    ``config.yaml``), keys normalised to snake_case; empty when absent."""
    for name in ("train_config.yaml", "config.yaml"):
        path = run_dir / name
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return {str(k).replace("-", "_"): v for k, v in data.items()}
    return {}


def _find(ckpt: Any, keys: tuple[str, ...]) -> Any:
    """Depth-first search of nested dicts for the first of ``keys`` (checkpoint layouts vary)."""
    if isinstance(ckpt, dict):
        for key in keys:
            if key in ckpt and ckpt[key] is not None:
                return ckpt[key]
        for value in ckpt.values():
            if isinstance(value, dict):
                found = _find(value, keys)
                if found is not None:
                    return found
    return None


def run_codes(ckpt: dict[str, Any], run_dir: Path) -> list[str]:
    """The model's label codes, in output order, from the checkpoint."""
    found = _find(ckpt, ("codes", "label_codes", "vocabulary", "labels"))
    if isinstance(found, dict):
        found = found.get("codes")
    if not isinstance(found, (list, tuple)) or not found:
        raise InputError(
            f"checkpoint of {run_dir} holds no label codes (looked for codes/label_codes/"
            "vocabulary); was it written by `vision train`?"
        )
    return [str(c) for c in found]


@dataclass
class AdaptedRun:
    """A loaded (possibly adapted) run.

    Attributes:
        run_dir: the folder.
        model: the ``MultiLabelClassifier`` (fine-tuned weights applied when present), eval mode.
        codes: ``[L]`` label codes.
        image_size: input side in pixels.
        normalize: whether images are ImageNet-standardised.
        rule: the stored decision rule, or None for a plain training run.
        config: the training config (snake_case keys).
        checkpoint: the raw checkpoint dict of ``load_run``.
    """

    run_dir: Path
    model: nn.Module
    codes: list[str]
    image_size: int
    normalize: bool
    rule: DecisionRule | None
    config: dict[str, Any]
    checkpoint: dict[str, Any]

    @classmethod
    def load(cls, run_dir: str | os.PathLike[str], which: str = "best") -> AdaptedRun:
        """Load with ``vision.checkpoint.load_run`` and apply the adaptation files if any."""
        from vision.checkpoint import load_run

        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise InputError(f"run folder {run_dir} does not exist; train one with `vision train`")
        model, ckpt = load_run(run_dir, which)
        weights = run_dir / ADAPTED_WEIGHTS
        if weights.is_file():
            state = torch.load(weights, map_location="cpu", weights_only=True)
            missing, unexpected = model.load_state_dict(state, strict=False)
            if missing or unexpected:
                raise InputError(
                    f"{weights} does not fit the model of {run_dir} (missing {list(missing)[:3]}, "
                    f"unexpected {list(unexpected)[:3]}); re-run `vision adapt`"
                )
        model.eval()
        config = run_config(run_dir)
        ckpt_cfg = _find(ckpt, ("image_size",))
        image_size = int(ckpt_cfg if ckpt_cfg is not None else config.get("image_size", 64))
        norm = _find(ckpt, ("normalize",))
        normalize = bool(norm if norm is not None else config.get("normalize", True))
        codes = run_codes(ckpt, run_dir)
        rule = DecisionRule.load(run_dir) if DecisionRule.exists(run_dir) else None
        if rule is not None and rule.codes != codes:
            raise InputError(f"{run_dir}: decision.json codes differ from the checkpoint's codes")
        return cls(run_dir, model, codes, image_size, normalize, rule, config, ckpt)

    @property
    def default_threshold(self) -> float:
        """The run's best validation threshold when the checkpoint records one, else 0.5."""
        t = _find(self.checkpoint, ("best_threshold", "threshold", "val_threshold"))
        try:
            return float(t) if t is not None else 0.5
        except (TypeError, ValueError):
            return 0.5

    @staticmethod
    def write(
        out_dir: str | os.PathLike[str],
        base_run: str | os.PathLike[str],
        model: nn.Module | None,
        rule: DecisionRule,
        manifest: dict[str, Any],
    ) -> Path:
        """Create the adapted run folder ``out_dir`` from ``base_run`` (see module doc).

        Args:
            model: the fine-tuned model, or None when no weight mode ran.
        """
        out_dir, base_run = Path(out_dir), Path(base_run)
        if out_dir.resolve() == base_run.resolve():
            raise InputError(f"--out {out_dir} is the original run; choose a new folder")
        if out_dir.exists() and any(out_dir.iterdir()):
            if not (out_dir / ADAPTATION_MANIFEST).is_file():
                raise InputError(
                    f"{out_dir} exists and is not an adapted run; choose an empty or new folder"
                )
            shutil.rmtree(out_dir)
        tmp = out_dir.with_name(f".{out_dir.name}.partial")
        if tmp.exists():
            shutil.rmtree(tmp)
        shutil.copytree(
            base_run,
            tmp,
            ignore=shutil.ignore_patterns(
                ADAPTED_WEIGHTS, ADAPTATION_MANIFEST, "decision.json", "decision.npz"
            ),
        )
        if (tmp / "config.yaml").is_file() and not (tmp / "train_config.yaml").is_file():
            (tmp / "config.yaml").rename(tmp / "train_config.yaml")
        if model is not None:
            with atomic_path(tmp / ADAPTED_WEIGHTS) as path:
                torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, path)
        elif (base_run / ADAPTED_WEIGHTS).is_file():
            shutil.copy2(base_run / ADAPTED_WEIGHTS, tmp / ADAPTED_WEIGHTS)
        rule.save(tmp)
        with atomic_write(tmp / ADAPTATION_MANIFEST) as fh:
            json.dump(
                {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, **manifest},
                fh,
                indent=1,
                default=_json_default,
            )
        os.replace(tmp, out_dir)
        return out_dir


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
