"""``vision adapt``: adapt a trained run to the tuning labels; writes a new run folder."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import numpy as np

from corpora.cli_common import add_common_flags, save_resolved_config
from corpora.errors import InputError
from corpora.versions import package_versions
from vision.adaptation import (
    AdaptationConfig,
    adapt,
    cross_validate,
    list_modes,
    parse_modes,
)
from vision.adapted_run import AdaptedRun
from vision.knn_transfer import KNN_SPACES
from vision.predictor import load_images

__all__ = ["register", "tuning_matrix"]

logger = logging.getLogger(__name__)


def tuning_matrix(
    tuning: dict[str, list[str]], codes: list[str], strict: bool, source: str
) -> tuple[list[str], np.ndarray, dict[str, int]]:
    """Tuning labels -> ``(image ids, targets [N, L] float32, unknown code -> count)``.

    Unknown codes are ignored (and counted) unless ``strict``, which makes them an error.
    """
    index = {c: j for j, c in enumerate(codes)}
    ids = list(tuning)
    targets = np.zeros((len(ids), len(codes)), dtype=np.float32)
    unknown: dict[str, int] = {}
    for i, image_id in enumerate(ids):
        for code in tuning[image_id]:
            j = index.get(code)
            if j is None:
                unknown[code] = unknown.get(code, 0) + 1
            else:
                targets[i, j] = 1.0
    if unknown:
        top = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))
        listing = ", ".join(f"{c} ({n})" for c, n in top[:10])
        msg = (
            f"{source}: {len(unknown)} label codes unknown to the model "
            f"({sum(unknown.values())} occurrences): {listing}"
        )
        if strict:
            raise InputError(msg + "; drop them or run without --strict to ignore them")
        logger.warning("%s; ignored", msg)
    return ids, targets, unknown


def _train_bank(
    args: argparse.Namespace, run: AdaptedRun, need_bank: bool
) -> tuple[np.ndarray | None, Any, Any, dict[str, Any]]:
    """Training priors ``[L]`` and (for ``knn``) the training images and targets."""
    from vision.data import DEFAULT_LABEL_POLICY, load_targets, targets_matrix

    data_dir = args.train_data or run.config.get("data")
    if not data_dir:
        raise InputError(
            "modes bias/knn need the training data: pass --train-data DIR "
            f"(the run's config.yaml in {run.run_dir} names none)"
        )
    policy = args.label_policy or run.config.get("label_policy") or DEFAULT_LABEL_POLICY
    df = load_targets(data_dir, policy=policy)
    ids, targets, _ = targets_matrix(df, run.codes)
    prior = np.asarray(targets.mean(0)).ravel()
    info = {"train_data": str(data_dir), "label_policy": policy, "train_images": len(ids)}
    if not need_bank:
        return prior, None, None, info
    if args.bank_limit and len(ids) > args.bank_limit:
        keep = np.sort(np.random.default_rng(args.seed).choice(len(ids), args.bank_limit, False))
        ids, targets = [ids[i] for i in keep], targets[keep]
    images_dir = args.train_images or str(Path(data_dir) / "train")
    images, kept, bad = load_images(images_dir, ids, run.image_size, run.normalize)
    if bad:
        logger.warning("kNN bank: %d training images unreadable, left out", len(bad))
        row = {i: k for k, i in enumerate(ids)}
        targets = targets[[row[i] for i in kept]]
    info["bank_images"] = len(kept)
    return prior, images, targets, info


#: candidates tried by ``--unseen-threshold auto`` (None = the global threshold)
UNSEEN_CANDIDATES = (None, 0.3, 0.5, 0.7, 0.9)


def _unseen(text: str) -> tuple[float | None, tuple[float | None, ...]]:
    """``--unseen-threshold``: a number, ``global`` or ``auto`` -> (value, CV candidates)."""
    if text == "auto":
        return 0.5, UNSEEN_CANDIDATES
    if text == "global":
        return None, ()
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"--unseen-threshold {text!r}: give a number in (0, 1), 'global' or 'auto'"
        ) from None
    return value, ()


def _main(args: argparse.Namespace) -> int:
    from corpora.formats.label_sets import read_tuning_labels

    modes = parse_modes(args.mode)
    run = AdaptedRun.load(args.run, args.which)
    tuning = read_tuning_labels(args.tuning_labels)
    ids, targets, unknown = tuning_matrix(tuning, run.codes, args.strict, args.tuning_labels)
    images, kept, bad = load_images(args.images, ids, run.image_size, run.normalize)
    if bad:
        logger.warning(
            "%d tuning images missing or unreadable (e.g. %s: %s); adapting without them",
            len(bad),
            bad[0][0],
            bad[0][1],
        )
        row = {i: k for k, i in enumerate(ids)}
        targets = targets[[row[i] for i in kept]]
    if len(kept) == 0:
        raise InputError(f"none of the {len(ids)} tuning images were found in {args.images}")
    unseen, unseen_candidates = _unseen(args.unseen_threshold)
    cfg = AdaptationConfig(
        modes=modes,
        epochs=args.epochs,
        lr=args.lr,
        weight_decay=args.weight_decay,
        batch_size=args.batch_size,
        augment_views=args.augment_views,
        inner_folds=args.inner_folds,
        shrinkage=args.shrinkage,
        unseen_threshold=unseen,
        unseen_candidates=unseen_candidates,
        count_rules=not args.no_count_rules,
        min_labels=args.min_labels,
        bias_strength=args.bias_strength,
        knn_k=args.knn_k,
        knn_temperature=args.knn_temperature,
        knn_space=args.knn_space,
        knn_temperatures=tuple(args.knn_temperatures or ()),
        seed=args.seed,
    )
    kw: dict[str, Any] = {}
    train_info: dict[str, Any] = {}
    if "bias" in modes or "knn" in modes:
        prior, bank_images, bank_targets, train_info = _train_bank(args, run, "knn" in modes)
        kw = {"source_prior": prior, "bank_images": bank_images, "bank_targets": bank_targets}
    if args.bias_em_images:
        if "bias" not in modes:
            raise InputError("--bias-em-images refines the bias mode; add bias to --mode")
        unlabeled, u_ids, u_bad = load_images(
            args.bias_em_images, None, run.image_size, run.normalize
        )
        tuning_ids = set(ids)
        keep_u = [k for k, i in enumerate(u_ids) if i not in tuning_ids]
        kw["unlabeled_images"] = unlabeled[keep_u]
        train_info["bias_em_images"] = len(keep_u)
        logger.info("EM prior estimate over %d unlabeled images", len(keep_u))
    cv = None
    if args.folds:
        cv = cross_validate(run.model, images, targets, run.codes, cfg, args.folds, **kw)
        print(
            f"{args.folds}-fold CV on the tuning set: mean F2 before {cv['before_mean']:.4f} "
            f"(+-{cv['before_std']:.4f}), after {cv['after_mean']:.4f} (+-{cv['after_std']:.4f})"
        )
    result = adapt(run.model, images, targets, run.codes, cfg, **kw)
    out = (
        Path(args.out)
        if args.out
        else run.run_dir.with_name(f"{run.run_dir.name}-adapted-{'-'.join(modes)}")
    )
    manifest = {
        "base_run": str(run.run_dir),
        "which": args.which,
        "modes": list(modes),
        "config": vars(cfg) | {"modes": list(modes)},
        "tuning_labels": str(args.tuning_labels),
        "tuning_images": len(kept),
        "tuning_images_missing": [b[0] for b in bad],
        "unknown_tuning_labels": unknown,
        "train": train_info,
        "fit": result.stats,
        "cross_validation": cv,
        "versions": package_versions(),
    }
    weights = result.model if cfg.weight_mode else None
    AdaptedRun.write(out, run.run_dir, weights, result.rule, manifest)
    save_resolved_config(args, out / "config.yaml")
    print(f"adapted run written to {out} (modes: {', '.join(modes)})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "adapt",
        help="adapt a trained run to tuning labels (new run folder)",
        description=(
            "Adapt a run to labelled tuning images of the target domain. Modes compose "
            f"(comma-separated): {', '.join(list_modes())}. Thresholds and the kNN weight are "
            "fitted on out-of-fold predictions; --folds K also reports K-fold CV F2 before/after."
        ),
    )
    io = parser.add_argument_group("input/output")
    io.add_argument("--run", required=True, help="the trained run folder (left untouched)")
    io.add_argument(
        "--which", default="best", help="checkpoint to adapt: best or last (default best)"
    )
    io.add_argument("--tuning-labels", required=True, help="tuning_labels.csv (no header)")
    io.add_argument("--images", required=True, help="folder of the tuning images")
    io.add_argument("--out", default=None, help="new run folder (default RUN-adapted-MODES)")
    io.add_argument("--strict", action="store_true", help="unknown tuning labels are an error")
    m = parser.add_argument_group("modes")
    m.add_argument("--mode", required=True, help="e.g. thresholds or last-layer,thresholds")
    m.add_argument("--folds", type=int, default=0, help="report K-fold CV F2 before/after (0: off)")
    m.add_argument("--seed", type=int, default=0)
    ft = parser.add_argument_group("fine-tuning (last-layer, head, full)")
    ft.add_argument("--epochs", type=int, default=15)
    ft.add_argument("--lr", type=float, default=1e-3, help="learning rate (full uses lr/10)")
    ft.add_argument("--weight-decay", type=float, default=1e-4)
    ft.add_argument("--batch-size", type=int, default=32)
    ft.add_argument("--augment-views", type=int, default=8, help="augmented copies per image")
    th = parser.add_argument_group("thresholds")
    th.add_argument(
        "--inner-folds", type=int, default=5, help="out-of-fold fit folds (<=1: in-sample)"
    )
    th.add_argument(
        "--shrinkage", type=float, default=5.0, help="pseudo-count toward the global threshold"
    )
    th.add_argument(
        "--unseen-threshold",
        default="0.5",
        help="threshold of labels absent from the tuning labels: a number (default 0.5), "
        "'global', or 'auto' (chosen by cross-validation on the tuning folds)",
    )
    th.add_argument(
        "--no-count-rules", action="store_true", help="do not fit min/max labels per image"
    )
    th.add_argument(
        "--min-labels", type=int, default=1, help="min labels/image without count rules"
    )
    tr = parser.add_argument_group("training data (bias, knn)")
    tr.add_argument(
        "--train-data", default=None, help="training data folder (default: from the run)"
    )
    tr.add_argument(
        "--train-images", default=None, help="training images (default TRAIN_DATA/train)"
    )
    tr.add_argument("--label-policy", default=None, help="label policy (default: the run's)")
    tr.add_argument("--bias-strength", type=float, default=10.0, help="training-prior pseudo-count")
    tr.add_argument(
        "--bias-em-images",
        default=None,
        help="unlabeled target images: refine the bias priors by Saerens EM on their predictions",
    )
    tr.add_argument("--knn-k", type=int, default=10)
    tr.add_argument("--knn-temperature", type=float, default=0.05)
    tr.add_argument(
        "--knn-temperatures",
        type=float,
        nargs="+",
        default=None,
        help="candidate temperatures chosen on out-of-fold F2 (overrides --knn-temperature)",
    )
    tr.add_argument(
        "--knn-space",
        default="features",
        choices=list(KNN_SPACES),
        help="kNN vectors: backbone features, 16x16 pixels, or both (default features)",
    )
    tr.add_argument(
        "--bank-limit", type=int, default=0, help="max training images in the kNN bank (0: all)"
    )
    add_common_flags(parser)
    parser.set_defaults(func=_main)
