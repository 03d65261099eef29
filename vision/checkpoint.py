"""Run checkpoints: everything needed to rebuild a model and to resume its training.

A checkpoint is one file written with ``torch.save`` (atomically) and read with
``torch.load(weights_only=True)``, so it holds only tensors, numbers, strings, lists and dicts
(no pickled code). Format ``"vision-checkpoint"``, version :data:`CHECKPOINT_VERSION`. Keys:

==================  ==========================================================================
``format``          ``"vision-checkpoint"``
``version``         int format version
``model_args``      ``{"backbone", "backbone_kwargs", "head", "head_kwargs", "num_labels"}``
                    (:meth:`MultiLabelClassifier.from_args`)
``model``           state dict of the weights to predict with (the EMA weights when the run
                    used ``--ema``, else the trained weights)
``train_model``     the raw trained weights when they differ from ``model`` (EMA), else None
``ema_state``       EMA state for resuming (or ``None``)
``graph``           :meth:`GraphInputs.to_dict` (edges, weights, embeddings, missing, digest)
``graph_digest``    digest of the label graph the run was trained with
``labels``          ``{"codes": [L], "names": [L]}``, the output order
``image_size``      training side in pixels; ``normalize``: ImageNet standardisation used
``threshold``       best global threshold on the validation split (or ``None``)
``metrics``         the metrics of the epoch this checkpoint closes (or ``{}``)
``history``         list of per-epoch metric dicts so far
``epoch``/``step``  completed epochs / optimizer steps; ``epoch_step``: steps into ``epoch``
``optimizer``, ``scheduler``, ``scaler``: their state dicts (resume only)
``rng``             list (one per rank) of ``{"python", "numpy", "torch", "cuda"}`` states
``config``          the resolved training configuration (dict)
``versions``        package versions
==================  ==========================================================================

A run folder holds ``last.pt`` (every epoch, and every N steps) and ``best.pt`` (best
validation F2).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import torch

from corpora.atomic import atomic_path
from corpora.errors import CorruptInputError, InputError
from vision.models import GraphInputs, MultiLabelClassifier

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "build_model",
    "checkpoint_path",
    "load_checkpoint",
    "load_run",
    "save_checkpoint",
    "check_graph_digest",
]

logger = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "vision-checkpoint"
CHECKPOINT_VERSION = 1


def checkpoint_path(run_dir: str | os.PathLike[str], which: str = "best") -> Path:
    """``RUN/best.pt`` or ``RUN/last.pt``; ``which`` may also be a path to a ``.pt`` file."""
    p = Path(which)
    if p.suffix == ".pt" and (p.is_absolute() or p.exists()):
        return p
    if which not in ("best", "last"):
        raise InputError(f"checkpoint {which!r}: use 'best', 'last' or a path to a .pt file")
    return Path(run_dir) / f"{which}.pt"


def save_checkpoint(checkpoint: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``checkpoint`` atomically (a crash never leaves a half-written file)."""
    checkpoint = dict(checkpoint)
    checkpoint.setdefault("format", CHECKPOINT_FORMAT)
    checkpoint.setdefault("version", CHECKPOINT_VERSION)
    path = Path(path)
    with atomic_path(path) as tmp:
        torch.save(checkpoint, tmp)
    return path


def load_checkpoint(path: str | os.PathLike[str], map_location: Any = "cpu") -> dict[str, Any]:
    """Read a checkpoint; clear errors for a missing, corrupt or foreign file."""
    path = Path(path)
    if not path.is_file():
        have = sorted(q.name for q in path.parent.glob("*.pt")) if path.parent.is_dir() else []
        raise InputError(
            f"checkpoint {path} does not exist"
            + (
                f" (found: {', '.join(have)})"
                if have
                else "; is this a run folder of `vision train`?"
            )
        )
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any decode failure means a corrupt file
        raise CorruptInputError(
            f"checkpoint {path} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); it is "
            "truncated or "
            "not a vision checkpoint: use the other one (best.pt / last.pt) or retrain"
        ) from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise CorruptInputError(f"{path} is not a {CHECKPOINT_FORMAT} file")
    if int(ckpt.get("version", 0)) > CHECKPOINT_VERSION:
        raise InputError(
            f"{path} has checkpoint format version {ckpt['version']}, newer than this package "
            f"reads ({CHECKPOINT_VERSION}); upgrade the package"
        )
    return ckpt


def build_model(
    checkpoint: dict[str, Any], use_ema: bool = True, strict: bool = True
) -> MultiLabelClassifier:
    """Rebuild the model of ``checkpoint`` and load its ``model`` weights (with
    ``use_ema=False`` the raw ``train_model`` weights of an EMA run). Non-strict loads log the
    missing and unexpected keys."""
    graph = GraphInputs.from_dict(checkpoint["graph"]) if checkpoint.get("graph") else None
    model = MultiLabelClassifier.from_args(checkpoint["model_args"], graph)
    raw = checkpoint.get("train_model")
    state = raw if (not use_ema and raw is not None) else checkpoint["model"]
    result = model.load_state_dict(state, strict=strict)
    if not strict and (result.missing_keys or result.unexpected_keys):
        logger.warning(
            "non-strict load: missing keys %s; unexpected keys %s",
            result.missing_keys,
            result.unexpected_keys,
        )
    return model


def check_graph_digest(checkpoint: dict[str, Any], graph: Any, where: str = "checkpoint") -> None:
    """Raise :class:`InputError` unless ``graph`` (a ``LabelGraph``, a graph folder, a digest
    string or ``"identity"``) is the graph the checkpoint was trained with."""
    want = checkpoint.get("graph_digest")
    if isinstance(graph, (str, os.PathLike)) and str(graph) != "identity" and Path(graph).is_dir():
        from labelgraph import LabelGraph

        got = LabelGraph.load(graph).digest()
    elif isinstance(graph, str) and graph == "identity":
        got = GraphInputs.identity(checkpoint["labels"]["codes"]).digest
    elif isinstance(graph, str):
        got = graph
    else:
        got = graph.digest()
    if got != want:
        raise InputError(
            f"{where} was trained with label graph {want}, but the graph given has digest {got}; "
            "pass the graph the run was trained with (see RUN/config.yaml, key 'graph')"
        )


def load_run(
    run_dir: str | os.PathLike[str],
    which: str = "best",
    *,
    map_location: Any = "cpu",
    use_ema: bool = True,
    graph: Any = None,
) -> tuple[MultiLabelClassifier, dict[str, Any]]:
    """Load ``RUN/{which}.pt`` and rebuild its model (in eval mode).

    Args:
        run_dir: a run folder of ``vision train``.
        which: ``"best"`` (default), ``"last"`` or a path to a ``.pt`` file.
        map_location: where tensors go (default CPU).
        use_ema: load the EMA weights when the run kept them (default True).
        graph: optional ``LabelGraph`` / graph folder / ``"identity"`` to check against the
            checkpoint's graph digest (a mismatch is an :class:`InputError`).

    Returns:
        ``(model, checkpoint dict)``; the dict's keys are documented in this module.
    """
    path = checkpoint_path(run_dir, which)
    ckpt = load_checkpoint(path, map_location=map_location)
    if graph is not None:
        check_graph_digest(ckpt, graph, where=str(path))
    model = build_model(ckpt, use_ema=use_ema)
    return model.eval(), ckpt
