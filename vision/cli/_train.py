"""``vision train``: train a multi-label classifier (optionally with a label-graph head)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import typing
from pathlib import Path
from typing import Any

from corpora.cli_common import add_common_flags, from_config, save_resolved_config
from vision.cli._catalogue_flags import documented, option_flag, option_flag_kwargs, spec_type
from vision.cli._runtime import add_runtime_flags, apply_threads

if typing.TYPE_CHECKING:
    from vision.train import TrainConfig

__all__ = ["register", "config_from_args"]

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


def _add_head_option_flags(group: argparse._ArgumentGroup) -> None:
    """One flag per head option (``--{head}-{option}``), from the head catalogue; options
    with a shared setting (``--dropout``, ``--graph-neighbor-weight``) have none of their own.
    Default None: the head's default (or the option given in ``--head NAME:KEY=VALUE``)."""
    from vision.models import HEADS
    from vision.train import SHARED_OPTIONS

    for entry in HEADS.entries():
        for option in entry.options:
            if option.name in SHARED_OPTIONS["head"]:
                continue
            text = option.help or documented(entry.factory, option.name)
            if not text or "default" not in text:
                default = "required" if option.required else f"default {option.default!r}"
                text = f"{text or option.name} ({default})"
            group.add_argument(
                option_flag(entry.name, option.name),
                default=None,
                help=f"{entry.name} head: {text}".replace("%", "%%"),
                **option_flag_kwargs(option),
            )


def _head_flag_options(args: argparse.Namespace, head: str) -> dict[str, Any]:
    """The options of ``head`` given by its own flags (the other heads' flags are ignored)."""
    from vision.models import HEADS

    out = {}
    for option in HEADS.options(head):
        value = getattr(args, option_flag(head, option.name)[2:].replace("-", "_"), None)
        if value is not None:
            out[option.name] = value
    return out


def _heads_with(option: str) -> list[tuple[str, Any]]:
    """``(head, default)`` of the heads that have option ``option``."""
    from vision.models import HEADS

    return [(e.name, o.default) for e in HEADS.entries() for o in e.options if o.name == option]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a classifier on an Open Images layout folder",
        description=(
            "Train backbone + head from scratch (no pretrained weights). Writes RUN/last.pt, "
            "RUN/best.pt (best validation F2), RUN/metrics.{jsonl,csv}, RUN/curves.png and "
            "RUN/config.yaml. Ctrl-C (SIGINT) or SIGTERM saves RUN/last.pt and says how to "
            "resume. The same command under `torchrun --nproc_per_node=N` trains with "
            "DistributedDataParallel."
        ),
    )
    p.build_later(_build)  # the catalogues (torch) are imported when `train` is chosen
    p.set_defaults(func=main)


def _build(p: argparse.ArgumentParser) -> None:
    from vision.data import (
        CHECK_IMAGES,
        DEFAULT_LABEL_POLICY,
        DEFAULT_MAX_IMAGE_PIXELS,
        DEFAULT_SHARD_SIZE,
        LABEL_POLICIES,
        TRANSFORMS,
    )
    from vision.losses import LOSSES
    from vision.models import BACKBONES, HEADS
    from vision.train import list_optimizers
    from vision.train.implied_targets import IMPLIED_TARGETS
    from vision.train.mixed_precision import AMP_MODES

    dflt = _config_defaults()

    d = p.add_argument_group("data")
    d.add_argument("--data", required=True, help="folder in Open Images layout")
    d.add_argument("--images-dir", default=None, help="training images (default DATA/train)")
    d.add_argument(
        "--label-policy",
        type=spec_type(LABEL_POLICIES),
        default=DEFAULT_LABEL_POLICY,
        metavar="NAME[:KEY=VALUE,...]",
        help=f"target policy of vision.data: {', '.join(LABEL_POLICIES.names())} "
        f"(default {DEFAULT_LABEL_POLICY})",
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
    d.add_argument(
        "--workers",
        type=int,
        default=0,
        help="data loader processes (default 0); also the processes that build the image cache "
        "and run the decode check (at least 1)",
    )
    d.add_argument(
        "--check-images",
        choices=CHECK_IMAGES,
        default="decode",
        help="without --cache-dir, how hard images are checked before training: decode (default: "
        "every image decoded once, bad ones skipped and listed in RUN/bad_images.csv), header "
        "(open and verify only; a file that fails later is replaced by the next image, with a "
        "warning), none",
    )
    d.add_argument(
        "--max-bad-fraction",
        type=float,
        default=0.05,
        help="stop when more than this share of the images is missing or undecodable "
        "(default 0.05)",
    )
    d.add_argument(
        "--max-image-pixels",
        type=int,
        default=DEFAULT_MAX_IMAGE_PIXELS,
        metavar="N",
        help="images with more pixels are refused as undecodable (decompression-bomb guard; "
        f"default Pillow's {DEFAULT_MAX_IMAGE_PIXELS}; 0 = no limit)",
    )
    d.add_argument(
        "--cache-shard-size",
        type=int,
        default=DEFAULT_SHARD_SIZE,
        metavar="N",
        help=f"images per image-cache shard file (default {DEFAULT_SHARD_SIZE})",
    )
    d.add_argument(
        "--augment",
        type=spec_type(TRANSFORMS),
        default=dflt["augment"],
        metavar="NAME[:KEY=VALUE,...]",
        help=f"training transform preset: {', '.join(TRANSFORMS.names())} (default "
        f"{dflt['augment']}: measured across the emoji style splits); train: crop, flip, colour "
        "jitter; style: against an art-style shift: colour, greyscale, posterize, equalize, "
        "blur; style-stroke: style + stroke width, outline drawing, channel shuffle",
    )
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
        help="share of a label's update taken from its neighbours in the graph heads' "
        "propagation (1-P) I + P D^-1 A (default: the head's, "
        + ", ".join(f"{d} for {h}" for h, d in _heads_with("neighbor_weight"))
        + ")",
    )
    g.add_argument(
        "--graph-lr-scale",
        type=float,
        default=0.1,
        help="learning-rate multiplier of the gcn head's shared graph weights (default 0.1)",
    )
    it = p.add_argument_group(
        "graph-aware targets",
        "soft training targets for the labels a training image's positives S imply: "
        "min(1, beta * max_{s in S} P(c | s)) where P(c | s) >= the minimum; positives and "
        "verified negatives unchanged, validation targets unchanged",
    )
    it.add_argument(
        "--implied-targets",
        choices=list(IMPLIED_TARGETS),
        default="none",
        help="none (default: the targets as read) or graph (needs --graph DIR)",
    )
    it.add_argument(
        "--implied-weight",
        type=float,
        default=0.5,
        metavar="BETA",
        help="beta, the multiplier of P(c | s), in (0, 1] (default %(default)s)",
    )
    it.add_argument(
        "--implied-min-prob",
        type=float,
        default=0.5,
        metavar="P",
        help="smallest P(c | s) that implies c (default %(default)s)",
    )
    it.add_argument(
        "--implied-max-per-label",
        type=int,
        default=10,
        metavar="K",
        help="implied labels kept per source label, the strongest (default %(default)s; 0 = all)",
    )
    it.add_argument(
        "--implied-source",
        default="annotation",
        help="where P(c | s) comes from: 'completion' (the graph's directional completion "
        "model) or an edge source of the graph, P(c | s) = min(1, p(c) exp(PMI)) "
        "(default %(default)s)",
    )
    m = p.add_argument_group("model")
    m.add_argument(
        "--backbone",
        type=spec_type(BACKBONES),
        default=dflt["backbone"],
        metavar="NAME[:KEY=VALUE,...]",
        help=f"one of {', '.join(BACKBONES.names())} (default {dflt['backbone']})",
    )
    m.add_argument("--stem-stride", type=int, choices=[1, 2], default=2, help="first conv stride")
    m.add_argument(
        "--head",
        type=spec_type(HEADS),
        default="linear",
        metavar="NAME[:KEY=VALUE,...]",
        help=f"one of {', '.join(HEADS.names())} (default linear); options also as "
        "--HEAD-OPTION flags (below) or head: {name: ..., options: {...}} in a -c config",
    )
    m.add_argument(
        "--dropout",
        type=float,
        default=0.0,
        help="dropout before the classifier, for the heads that have it ("
        + ", ".join(h for h, _ in _heads_with("dropout"))
        + "; default %(default)s)",
    )
    _add_head_option_flags(m)
    m.add_argument(
        "--image-size", type=int, default=dflt["image_size"], help="pixels (default %(default)s)"
    )
    lo = p.add_argument_group("loss")
    lo.add_argument(
        "--loss",
        type=spec_type(LOSSES),
        default="bce",
        metavar="NAME[:KEY=VALUE,...]",
        help=f"one of {', '.join(LOSSES.names())} (default bce)",
    )
    lo.add_argument(
        "--pos-weight",
        type=_pos_weight,
        default=None,
        help="bce positive weight: a number, or 'auto' = clip(sqrt(neg/pos), 1, 30) per label",
    )
    o = p.add_argument_group("optimisation")
    o.add_argument("--optimizer", choices=list_optimizers(), default="adamw", help="optimizer")
    o.add_argument("--lr", type=float, default=dflt["lr"], help="peak learning rate")
    o.add_argument(
        "--weight-decay",
        type=float,
        default=1e-4,
        help="weight decay (not on biases and norm weights)",
    )
    o.add_argument("--momentum", type=float, default=0.9, help="sgd momentum")
    o.add_argument("--epochs", type=int, default=dflt["epochs"], help="training epochs")
    o.add_argument("--batch-size", type=int, default=64, help="per process (default 64)")
    o.add_argument("--warmup-epochs", type=float, default=1.0, help="linear warmup, then cosine")
    o.add_argument("--min-lr-ratio", type=float, default=0.01, help="final lr / peak lr")
    o.add_argument("--clip-grad", type=float, default=5.0, help="max grad norm; 0 disables")
    o.add_argument("--ema", action="store_true", help="keep and evaluate an EMA of the weights")
    o.add_argument("--ema-decay", type=float, default=0.999, help="EMA decay per step")
    o.add_argument(
        "--amp",
        nargs="?",
        const="auto",
        default="off",
        choices=list(AMP_MODES),
        help="mixed precision: --amp alone = auto (bf16 where the device has it, else fp16 with "
        "gradient scaling); bf16; fp16; off (default)",
    )
    o.add_argument(
        "--channels-last",
        action="store_true",
        help="NHWC memory order for weights and batches (faster convolutions on GPUs)",
    )
    r = p.add_argument_group("run")
    r.add_argument("--out", required=True, help="run folder")
    r.add_argument("--seed", type=int, default=0, help="random seed (split, order, init)")
    r.add_argument("--resume", action="store_true", help="continue RUN from RUN/last.pt")
    r.add_argument(
        "--extend-schedule",
        action="store_true",
        help="with --resume and more --epochs than the run had: restart the cosine learning-"
        "rate schedule from the peak --lr over the added epochs (without it the cosine is "
        "recomputed over all epochs, so a finished run continues near the floor lr)",
    )
    r.add_argument("--checkpoint-every-steps", type=int, default=0, help="also save every N steps")
    r.add_argument("--tensorboard", action="store_true", help="log to RUN/tensorboard")
    r.add_argument(
        "--stop-after-steps",
        type=int,
        default=None,
        help="stop abruptly after N optimizer steps without saving (simulates a kill)",
    )
    add_runtime_flags(p)
    add_common_flags(p)
    # every flag that is a TrainConfig field takes that field's default: written once, there
    fields = set(dflt)
    p.set_defaults(
        **{a.dest: dflt[a.dest] for a in p._actions if a.dest in fields and a.dest != "amp"}
    )


def _config_defaults() -> dict[str, Any]:
    """TrainConfig field -> default (fields without a plain default left out)."""
    import dataclasses

    from vision.train import TrainConfig

    return {
        f.name: f.default
        for f in dataclasses.fields(TrainConfig)
        if f.default is not dataclasses.MISSING
    }


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The :class:`~vision.train.TrainConfig` of parsed ``vision train`` arguments.

    ``--head`` is ``NAME``, ``NAME:KEY=VALUE,...`` or (from a ``-c`` config)
    ``{name: ..., options: {...}}``; the head's own flags (``--HEAD-OPTION``) win over the
    options written there, except that an option typed on the command line in ``--head``
    wins over a flag value read from the config. The other heads' flags are ignored.
    """
    from vision.models import HEADS
    from vision.train import TrainConfig

    fields = set(TrainConfig.field_names())
    kw = {k: v for k, v in vars(args).items() if k in fields}
    kw["clip_grad"] = kw.get("clip_grad") or None
    head, spec_options = HEADS.parse(args.head)
    flag_options = _head_flag_options(args, head)
    configured = from_config(args)
    if "head" not in configured:
        # --head NAME:KEY=VALUE typed on the command line wins over a --HEAD-KEY value that
        # only came from the -c config (a flag typed on the command line still wins over both)
        for name in spec_options:
            if option_flag(head, name)[2:].replace("-", "_") in configured:
                flag_options.pop(name, None)
    kw["head_options"] = flag_options
    return TrainConfig(**kw)


def main(args: argparse.Namespace) -> int:
    from vision.train import Trainer, TrainingDiverged, TrainingInterrupted

    apply_threads(args.threads, workers=args.workers)
    cfg = config_from_args(args)
    rank = int(os.environ.get("RANK", "0"))
    trainer = Trainer(cfg)  # refuses an existing run without --resume before anything is written
    if rank == 0:
        save_resolved_config(args, Path(cfg.out) / "config.yaml")
    try:
        result = trainer.fit()
    except TrainingDiverged as exc:
        print(f"vision train: {exc}", file=sys.stderr)
        return 3
    except TrainingInterrupted as exc:
        if rank == 0:
            print(
                f"vision train: {exc}; resume with: vision train -c {Path(cfg.out) / 'config.yaml'}"
                " --resume",
                file=sys.stderr,
            )
        return exc.exit_status
    if rank == 0:
        print(json.dumps(result, sort_keys=True))
    return 0
