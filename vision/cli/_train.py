"""``vision train``: train a multi-label classifier (optionally with a label-graph head)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from corpora.cli_common import add_common_flags, save_resolved_config

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _pos_weight(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--pos-weight takes a number or 'auto', not {text!r}"
        ) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    from vision.losses import list_losses
    from vision.models import list_backbones, list_heads

    p = subparsers.add_parser(
        "train",
        help="train a classifier on an Open Images layout folder",
        description=(
            "Train backbone + head from scratch (no pretrained weights). Writes RUN/last.pt, "
            "RUN/best.pt (best validation F2), RUN/metrics.{jsonl,csv}, RUN/curves.png and "
            "RUN/config.yaml. The same command under `torchrun --nproc_per_node=N` trains with "
            "DistributedDataParallel."
        ),
    )
    d = p.add_argument_group("data")
    d.add_argument("--data", required=True, help="folder in Open Images layout")
    d.add_argument("--images-dir", default=None, help="training images (default DATA/train)")
    d.add_argument(
        "--label-policy", default="seed", help="target policy of vision.data (default seed)"
    )
    d.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="count and skip malformed label rows instead of stopping at the first",
    )
    d.add_argument("--val-fraction", type=float, default=0.1, help="held-out share (default 0.1)")
    d.add_argument("--max-images", type=int, default=None, help="use at most N training images")
    d.add_argument(
        "--cache-dir", default=None, help="preprocessed image cache folder (default none)"
    )
    d.add_argument("--workers", type=int, default=0, help="data loader processes (default 0)")
    g = p.add_argument_group("label graph")
    g.add_argument(
        "--graph",
        required=True,
        help="LabelGraph folder, or 'identity' (self-loops only, no embeddings: the ablation)",
    )
    g.add_argument("--graph-source", default="combined", help="adjacency source (default combined)")
    g.add_argument(
        "--graph-edges",
        choices=["graph", "identity"],
        default="graph",
        help="'identity' keeps the graph's embeddings but drops its edges (default graph)",
    )
    g.add_argument(
        "--labels-not-in-graph",
        choices=["isolate", "error"],
        default="isolate",
        help="training labels absent from the graph: isolated nodes with learned embeddings "
        "(default) or an error",
    )
    g.add_argument(
        "--graph-neighbor-weight",
        type=float,
        default=None,
        metavar="P",
        help="share of a label's update taken from its neighbours in the gcn/rerank propagation "
        "(1-P) I + P D^-1 A (default: 0.2 for gcn, 0.5 for rerank)",
    )
    g.add_argument(
        "--graph-lr-scale",
        type=float,
        default=0.1,
        help="learning-rate multiplier of the gcn head's shared graph weights (default 0.1)",
    )
    m = p.add_argument_group("model")
    m.add_argument("--backbone", choices=list_backbones(), default="resnet18")
    m.add_argument("--stem-stride", type=int, choices=[1, 2], default=2, help="first conv stride")
    m.add_argument("--head", choices=list_heads(), default="linear")
    m.add_argument("--gcn-hidden", type=int, nargs="+", default=[256], help="gcn hidden widths")
    m.add_argument("--rerank-hidden", type=int, default=16, help="rerank node width (default 16)")
    m.add_argument(
        "--rerank-layers",
        type=int,
        default=1,
        help="rerank GNN layers (default 1: the first is factorised and cheap, each further one "
        "costs a sparse product over [L, B*H])",
    )
    m.add_argument("--dropout", type=float, default=0.0, help="dropout before the classifier")
    m.add_argument("--image-size", type=int, default=64, help="pixels (default 64)")
    lo = p.add_argument_group("loss")
    lo.add_argument("--loss", choices=list_losses(), default="bce")
    lo.add_argument(
        "--pos-weight",
        type=_pos_weight,
        default=None,
        help="bce positive weight: a number, or 'auto' = clip(sqrt(neg/pos), 1, 30) per label",
    )
    o = p.add_argument_group("optimisation")
    o.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    o.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (default 1e-3)")
    o.add_argument("--weight-decay", type=float, default=1e-4)
    o.add_argument("--momentum", type=float, default=0.9, help="sgd momentum")
    o.add_argument("--epochs", type=int, default=10)
    o.add_argument("--batch-size", type=int, default=64, help="per process (default 64)")
    o.add_argument("--warmup-epochs", type=float, default=1.0, help="linear warmup, then cosine")
    o.add_argument("--min-lr-ratio", type=float, default=0.01, help="final lr / peak lr")
    o.add_argument("--clip-grad", type=float, default=5.0, help="max grad norm; 0 disables")
    o.add_argument("--ema", action="store_true", help="keep and evaluate an EMA of the weights")
    o.add_argument("--ema-decay", type=float, default=0.999)
    o.add_argument("--amp", action="store_true", help="mixed precision (fp16 on CUDA, bf16 on CPU)")
    r = p.add_argument_group("run")
    r.add_argument("--out", required=True, help="run folder")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N or auto")
    r.add_argument("--resume", action="store_true", help="continue RUN from RUN/last.pt")
    r.add_argument("--checkpoint-every-steps", type=int, default=0, help="also save every N steps")
    r.add_argument("--tensorboard", action="store_true", help="log to RUN/tensorboard")
    r.add_argument(
        "--stop-after-steps",
        type=int,
        default=None,
        help="stop abruptly after N optimizer steps without saving (simulates a kill)",
    )
    add_common_flags(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from vision.train import TrainConfig, Trainer, TrainingDiverged

    fields = set(TrainConfig.field_names())
    kw = {k: v for k, v in vars(args).items() if k in fields}
    kw["clip_grad"] = kw.get("clip_grad") or None
    cfg = TrainConfig(**kw)
    rank = int(os.environ.get("RANK", "0"))
    trainer = Trainer(cfg)  # refuses an existing run without --resume before anything is written
    if rank == 0:
        save_resolved_config(args, Path(cfg.out) / "config.yaml")
    try:
        result = trainer.fit()
    except TrainingDiverged as exc:
        print(f"vision train: {exc}", file=sys.stderr)
        return 3
    if rank == 0:
        print(json.dumps(result, sort_keys=True))
    return 0
