"""``vision adapt``: adapt a trained run to the tuning labels; writes a new run folder."""

from __future__ import annotations

import argparse
import dataclasses
import typing
from typing import Any

from corpora.cli_common import add_common_flags, save_resolved_config
from corpora.errors import InputError
from vision.cli._catalogue_flags import (
    documented,
    option_flag,
    option_flag_kwargs,
    spec_type,
)
from vision.cli._runtime import add_runtime_flags, apply_threads

if typing.TYPE_CHECKING:
    from vision.adapt import AdaptationConfig

__all__ = ["register", "config_from_args"]


#: flag dest -> AdaptationConfig field, for the flags that set a field as they are
_FIELD_FLAGS = {
    "mode": "modes", "epochs": "epochs", "lr": "lr", "weight_decay": "weight_decay",
    "batch_size": "batch_size", "augment_views": "augment_views", "inner_folds": "inner_folds",
    "shrinkage": "shrinkage", "min_labels": "min_labels", "bias_strength": "bias_strength",
    "knn_k": "knn_k", "knn_temperature": "knn_temperature", "knn_space": "knn_space",
    "seed": "seed",
}  # fmt: skip


def config_from_args(args: argparse.Namespace) -> AdaptationConfig:
    """The :class:`AdaptationConfig` of parsed ``vision adapt`` flags: a flag left at None
    keeps the config's default (the defaults are written once, there).

    Raises:
        InputError: a mode-option flag (``--neighbour-thresholds-kappas``) of a mode that
            ``--mode`` does not hold (it would be ignored).
    """
    from vision.adapt import AdaptationConfig, parse_unseen_threshold

    kw: dict[str, Any] = {
        field: getattr(args, dest)
        for dest, field in _FIELD_FLAGS.items()
        if getattr(args, dest, None) is not None
    }
    if args.unseen_threshold is not None:
        kw["unseen_threshold"], kw["unseen_candidates"] = parse_unseen_threshold(
            args.unseen_threshold
        )
    if args.no_count_rules:
        kw["count_rules"] = False
    if args.knn_temperatures is not None:
        kw["knn_temperatures"] = tuple(args.knn_temperatures)
    elif args.knn_temperature is not None:
        kw["knn_temperatures"] = ()  # one temperature given: no candidates
    mode_options = _mode_options(args)
    if mode_options:
        kw["mode_options"] = mode_options
    cfg = AdaptationConfig(**kw)
    unused = [
        (option_flag(mode, option), mode)
        for mode, options in mode_options.items()
        if mode not in cfg.modes
        for option in options
    ]
    if unused:
        flags = ", ".join(flag for flag, _ in unused)
        owners = list(dict.fromkeys(mode for _, mode in unused))
        one, many = len(owners) == 1, len(unused) > 1
        raise InputError(
            f"{flags} {'are' if many else 'is'} read by the {'/'.join(owners)} "
            f"mode{'' if one else 's'}, which --mode {','.join(cfg.modes)} does not hold; add "
            f"{'it' if one else 'them'} to --mode or drop the flag{'s' if many else ''}"
        )
    return cfg


def _main(args: argparse.Namespace) -> int:
    from vision.adapt import run_adaptation

    apply_threads(args.threads)
    cfg = config_from_args(args)
    report = run_adaptation(
        args.run,
        args.tuning_labels,
        args.images,
        cfg,
        which=args.which,
        out=args.out,
        strict=args.strict,
        folds=args.folds,
        train_data=args.train_data,
        train_images=args.train_images,
        label_policy=args.label_policy,
        bank_limit=args.bank_limit,
        unlabeled_images=args.bias_em_images,
        graph=args.graph,
        max_image_pixels=args.max_image_pixels,
        device=args.device,
        progress=not args.quiet,
    )
    cv = report.cross_validation
    if cv is not None:
        print(
            f"{args.folds}-fold CV on the tuning set: mean F2 before {cv['before_mean']:.4f} "
            f"(+-{cv['before_std']:.4f}), after {cv['after_mean']:.4f} (+-{cv['after_std']:.4f})"
        )
    save_resolved_config(args, report.out / "config.yaml")
    chosen = _chosen_settings(report.result.stats)
    if chosen:
        print(f"fitted on the tuning images: {chosen}")
    print(f"adapted run written to {report.out} (modes: {', '.join(cfg.modes)})")
    return 0


def _chosen_settings(stats: dict[str, Any]) -> str:
    """The settings an adaptation chose (``knn_weight 0.75, knn_graph_weight 0.25,
    neighbour_kappa 3, ...``): the scalar entries of its fit statistics, without the
    out-of-fold scores (``oof_*``) and the inputs (modes, image count); all of them are in
    ``adaptation.json`` under ``fit``."""
    skip = {"modes", "tuning_images"}
    return ", ".join(
        f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}"
        for key, value in stats.items()
        if key not in skip
        and not key.startswith("oof_")
        and (value is None or isinstance(value, (bool, int, float, str)))
    )


def _generic_options() -> list[tuple[str, Any]]:
    """``(mode, option)`` of the mode options that have no ``AdaptationConfig`` field: each
    gets a flag ``--MODE-OPTION`` (:func:`option_flag`) feeding ``mode_options``."""
    from vision.adapt import ADAPTATION_MODES, AdaptationConfig

    fields = {f.name for f in dataclasses.fields(AdaptationConfig)}
    return [
        (entry.name, opt)
        for entry in ADAPTATION_MODES.entries()
        for opt in entry.options
        if entry.attrs.get("config_prefix", "") + opt.name not in fields
    ]


def _mode_options(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The generic mode-option flags given on the command line, by mode."""
    out: dict[str, dict[str, Any]] = {}
    for mode, opt in _generic_options():
        value = getattr(args, option_flag(mode, opt.name)[2:].replace("-", "_"), None)
        if value is not None:
            out.setdefault(mode, {})[opt.name] = value
    return out


def _build(parser: argparse.ArgumentParser) -> None:
    from vision.adapt import ADAPTATION_MODES, KNN_SPACES, AdaptationConfig, list_modes
    from vision.data import DEFAULT_MAX_IMAGE_PIXELS, LABEL_POLICIES

    # flags default to None (= the AdaptationConfig default, shown in the help)
    d = {f.name: f.default for f in dataclasses.fields(AdaptationConfig)}
    space = d["knn_space"]
    default_modes = ",".join(f"{m}@{space}" if m == "knn" else m for m in d["modes"])

    parser.description = (
        "Adapt a run to labelled tuning images of the target domain. Modes compose "
        f"(comma-separated): {', '.join(list_modes())}. Thresholds and the kNN weight are "
        "fitted on out-of-fold predictions; --folds K also reports K-fold CV F2 before/after."
    )
    io = parser.add_argument_group("input/output")
    io.add_argument("--run", required=True, help="the trained run folder (left untouched)")
    io.add_argument("--which", default="best", help="checkpoint to adapt: best, last or a .pt file")
    io.add_argument("--tuning-labels", required=True, help="tuning_labels.csv (no header)")
    io.add_argument("--images", required=True, help="folder of the tuning images")
    io.add_argument("--out", default=None, help="new run folder (default: RUN-adapted-MODES)")
    io.add_argument("--strict", action="store_true", help="unknown tuning labels are an error")
    io.add_argument(
        "--max-image-pixels",
        type=int,
        default=DEFAULT_MAX_IMAGE_PIXELS,
        metavar="N",
        help="larger images are skipped as undecodable (default Pillow's "
        f"{DEFAULT_MAX_IMAGE_PIXELS}; 0 = no limit)",
    )
    m = parser.add_argument_group("modes")
    m.add_argument(
        "--mode",
        default=None,
        help=f"comma-separated modes of {', '.join(list_modes())}, e.g. thresholds or "
        "last-layer,knn@both,thresholds (knn@SPACE: --knn-space SPACE; bn-stats@S: batch-norm "
        f"statistics from the --target-images, share S) (default: {default_modes})",
    )
    m.add_argument("--folds", type=int, default=0, help="report K-fold CV F2 before/after (0: off)")
    m.add_argument(
        "--seed",
        type=int,
        default=None,
        help=f"random seed (folds, augmentation) (default: {d['seed']})",
    )
    ft = parser.add_argument_group("fine-tuning (last-layer, head, full)")
    ft.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"passes over the tuning samples (default: {d['epochs']})",
    )
    ft.add_argument(
        "--lr",
        type=float,
        default=None,
        help=f"learning rate (full uses lr/10) (default: {d['lr']:g})",
    )
    ft.add_argument(
        "--weight-decay",
        type=float,
        default=None,
        help=f"AdamW weight decay (default: {d['weight_decay']:g})",
    )
    ft.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help=f"samples per step (default: {d['batch_size']})",
    )
    ft.add_argument(
        "--augment-views",
        type=int,
        default=None,
        help=f"augmented copies per image (default: {d['augment_views']})",
    )
    th = parser.add_argument_group("thresholds")
    th.add_argument(
        "--inner-folds",
        type=int,
        default=None,
        help=f"out-of-fold fit folds (<=1: in-sample) (default: {d['inner_folds']})",
    )
    th.add_argument(
        "--shrinkage",
        type=float,
        default=None,
        help=f"pseudo-count toward the global threshold (default: {d['shrinkage']:g})",
    )
    th.add_argument(
        "--unseen-threshold",
        default=None,
        help="threshold of labels absent from the tuning labels: a number, 'global', or "
        "'auto' (chosen by cross-validation on the tuning folds) (default: "
        + ("auto" if d["unseen_candidates"] else str(d["unseen_threshold"]))
        + ")",
    )
    th.add_argument(
        "--no-count-rules", action="store_true", help="do not fit min/max labels per image"
    )
    th.add_argument(
        "--min-labels",
        type=int,
        default=None,
        help=f"min labels/image without count rules (default: {d['min_labels']})",
    )
    tr = parser.add_argument_group("training data (bias, knn)")
    tr.add_argument(
        "--train-data", default=None, help="training data folder (default: the run's --data)"
    )
    tr.add_argument(
        "--train-images", default=None, help="training images (default: TRAIN_DATA/train)"
    )
    tr.add_argument(
        "--label-policy",
        type=spec_type(LABEL_POLICIES),
        default=None,
        metavar="NAME[:KEY=VALUE,...]",
        help=f"training label policy: {', '.join(LABEL_POLICIES.names())} (default: the run's)",
    )
    tr.add_argument(
        "--bias-strength",
        type=float,
        default=None,
        help=f"training-prior pseudo-count (default: {d['bias_strength']:g})",
    )
    tr.add_argument(
        "--target-images",
        "--bias-em-images",
        dest="bias_em_images",
        default=None,
        help="unlabeled target-domain images (e.g. the test images): bias refines its priors by "
        "Saerens EM on their predictions, bn-stats takes batch-norm statistics from them",
    )
    tr.add_argument(
        "--knn-k",
        type=int,
        default=None,
        help=f"neighbours per query image (default: {d['knn_k']})",
    )
    tr.add_argument(
        "--knn-temperature",
        type=float,
        default=None,
        help=f"softmax temperature of the kNN vote, alone (default: {d['knn_temperature']:g})",
    )
    tr.add_argument(
        "--knn-temperatures",
        type=float,
        nargs="+",
        default=None,
        help="candidate temperatures chosen on out-of-fold F2 with the weight (default: "
        f"{' '.join(map(str, d['knn_temperatures']))}; --knn-temperature alone: that one)",
    )
    tr.add_argument(
        "--knn-space",
        default=None,
        choices=list(KNN_SPACES),
        help=f"kNN vectors: backbone features, 16x16 pixels, or both (default: {space})",
    )
    tr.add_argument(
        "--bank-limit", type=int, default=0, help="max training images in the kNN bank (0: all)"
    )
    gr = parser.add_argument_group("label graph (the modes tagged uses_graph) and mode options")
    gr.add_argument(
        "--graph",
        default=None,
        help="LabelGraph folder for the modes that use the graph (default: the run's --graph)",
    )
    for mode, opt in _generic_options():
        gr.add_argument(
            option_flag(mode, opt.name),
            default=None,
            help=f"{mode} mode: {documented(ADAPTATION_MODES.get(mode).factory, opt.name)}",
            **option_flag_kwargs(opt),
        )
    add_runtime_flags(parser)
    add_common_flags(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "adapt",
        help="adapt a trained run to tuning labels (new run folder)",
        description="Adapt a run to labelled tuning images of the target domain.",
    )
    parser.build_later(_build)
    parser.set_defaults(func=_main)
