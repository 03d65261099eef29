"""``vision adapt`` as a function: adapt a run folder to tuning labels into a new run folder.

Reads the run, the tuning set and (when a mode needs them) the training priors, the kNN bank
and unlabeled target-domain images; optionally cross-validates; adapts; writes the adapted run
(:class:`~vision.adapt.adapted_run.AdaptedRun`) with its manifest.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpora.errors import InputError
from corpora.versions import package_versions
from vision.adapt.adaptation import AdaptationResult, adapt, cross_validate
from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_data import (
    load_training_bank,
    load_tuning_set,
    load_unlabeled_images,
)
from vision.adapt.adaptation_mode import ADAPTATION_MODES
from vision.adapt.adapted_run import AdaptedRun
from vision.data import DEFAULT_MAX_IMAGE_PIXELS, ImageDecoder
from vision.data.label_policy import DEFAULT_LABEL_POLICY
from vision.resolve_device import resolve_device

__all__ = ["AdaptationReport", "run_adaptation"]

logger = logging.getLogger(__name__)


@dataclass
class AdaptationReport:
    """What :func:`run_adaptation` did.

    Attributes:
        out: the adapted run folder. result: the adaptation (model, rule, fit statistics).
        cross_validation: the K-fold report of :func:`cross_validate`, or None.
        manifest: the contents of ``adaptation.json``.
    """

    out: Path
    result: AdaptationResult
    cross_validation: dict[str, Any] | None
    manifest: dict[str, Any]


def run_adaptation(
    run_dir: str | os.PathLike[str],
    tuning_labels: str | os.PathLike[str],
    images: str | os.PathLike[str],
    cfg: AdaptationConfig,
    *,
    which: str = "best",
    out: str | os.PathLike[str] | None = None,
    strict: bool = False,
    folds: int = 0,
    train_data: str | os.PathLike[str] | None = None,
    train_images: str | os.PathLike[str] | None = None,
    label_policy: str | None = None,
    bank_limit: int = 0,
    unlabeled_images: str | os.PathLike[str] | None = None,
    graph: str | os.PathLike[str] | None = None,
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
    device: str = "cpu",
    progress: bool = False,
) -> AdaptationReport:
    """Adapt ``run_dir`` to the tuning labels and write the adapted run (the original run
    folder is never written to).

    Args:
        run_dir / which: the trained (or adapted) run and its checkpoint (best, last).
        tuning_labels / images: ``tuning_labels.csv`` and the folder of its images.
        cfg: modes and hyper-parameters.
        out: the new run folder (default ``RUN-adapted-MODES`` beside the run).
        strict: unknown tuning label codes are an error.
        folds: also report K-fold CV F2 before/after (0: off).
        train_data / train_images / label_policy: the training data for modes that need it
            (defaults: the run's config; ``DATA/train``; the run's policy, else ``seed``).
        bank_limit: at most this many training images in the bank (0: all; drawn with
            ``cfg.seed``).
        unlabeled_images: folder of unlabeled target-domain images for the modes that use
            them (``bias``: EM prior estimate; ``bn-stats``: batch-norm statistics); the
            tuning images are left out.
        graph: the LabelGraph folder of the modes tagged ``uses_graph`` (default: the run's
            ``graph`` unless it is ``identity``); it must hold some of the run's codes (an
            error when it holds none, a warning naming the labels it lacks).
        max_image_pixels: larger images are refused as undecodable (0 = no limit).
        device: where the model runs: ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``auto``
            (:func:`~vision.resolve_device.resolve_device`); images stay in CPU memory and
            move in batches. The adapted run is written from the CPU.
        progress: progress bars on stderr: the cross-validation folds and, per adaptation,
            its out-of-fold fits and the final fit.
    """
    decoder = ImageDecoder(max_image_pixels=max_image_pixels)
    modes = cfg.create_modes()
    if unlabeled_images and not any(m.uses_unlabeled_images for m in modes):
        users = [e.name for e in ADAPTATION_MODES.entries() if e.factory.uses_unlabeled_images]
        raise InputError(
            f"--target-images (--bias-em-images) are used by the {'/'.join(users)} modes only; "
            f"add one of them to --mode"
        )
    if graph and not any(m.needs_graph for m in modes):
        users = [e.name for e in ADAPTATION_MODES.entries() if e.factory.needs_graph]
        raise InputError(f"--graph is read by the {'/'.join(users)} mode; add it to --mode")
    dev = resolve_device(device)
    run = AdaptedRun.load(run_dir, which)
    run.model.to(dev)
    logger.info("adapting %s (%s) on %s: modes %s", run.run_dir, which, dev, ",".join(cfg.modes))
    tuning = load_tuning_set(
        tuning_labels, images, run.codes, run.image_size, run.normalize, strict, decoder
    )
    kw: dict[str, Any] = {}
    train_info: dict[str, Any] = {}
    need_images = any(m.needs_training_images for m in modes)
    if need_images or any(m.needs_training_priors for m in modes):
        data_dir = train_data or run.config.get("data")
        if not data_dir:
            users = [m.name for m in modes if m.needs_training_images or m.needs_training_priors]
            raise InputError(
                f"mode(s) {'/'.join(users)} need the training data: pass --train-data DIR "
                f"(the run's config.yaml in {run.run_dir} names none)"
            )
        bank = load_training_bank(
            data_dir,
            run.codes,
            run.image_size,
            run.normalize,
            label_policy=label_policy or run.config.get("label_policy") or DEFAULT_LABEL_POLICY,
            with_images=need_images,
            images_dir=train_images,
            limit=bank_limit,
            seed=cfg.seed,
            decoder=decoder,
        )
        kw = {"source_prior": bank.prior, "bank_images": bank.images, "bank_targets": bank.targets}
        train_info = bank.info
    if unlabeled_images:
        exclude = set(tuning.ids) | {i for i, _ in tuning.missing}
        kw["unlabeled_images"] = load_unlabeled_images(
            unlabeled_images, run.image_size, run.normalize, exclude, decoder
        )
        train_info["bias_em_images"] = len(kw["unlabeled_images"])
        logger.info("EM prior estimate over %d unlabeled images", len(kw["unlabeled_images"]))
    if any(m.needs_graph for m in modes):
        if graph is not None and str(graph) == "identity":
            users = "/".join(m.name for m in modes if m.needs_graph)
            run_graph = run.config.get("graph") or "identity"
            raise InputError(
                f"--graph identity is no label graph, and --mode {users} reads one: pass a "
                "`labelgraph build` folder, or leave --graph out to use the run's "
                f"({run_graph})"
            )
        graph_dir = graph or run.config.get("graph")
        if graph_dir and str(graph_dir) != "identity":
            kw["graph"] = _load_graph(graph_dir, run.codes, None if graph else run.run_dir)
            train_info["graph"] = str(graph_dir)
            train_info["graph_digest"] = kw["graph"].digest()
    logger.info(
        "%d tuning images%s",
        len(tuning.ids),
        f", {folds}-fold cross-validation first" if folds else "",
    )
    cv = None
    if folds:
        cv = cross_validate(
            run.model,
            tuning.images,
            tuning.targets,
            run.codes,
            cfg,
            folds,
            progress=progress,
            **kw,
        )
    result = adapt(
        run.model,
        tuning.images,
        tuning.targets,
        run.codes,
        cfg,
        progress=progress,
        desc="adapt on every tuning image",
        **kw,
    )
    result.model.cpu()
    out_dir = (
        Path(out)
        if out
        else run.run_dir.with_name(f"{run.run_dir.name}-adapted-{'-'.join(cfg.modes)}")
    )
    manifest = {
        "base_run": str(run.run_dir),
        "which": which,
        "modes": list(cfg.modes),
        "config": vars(cfg) | {"modes": list(cfg.modes)},
        "tuning_labels": str(tuning_labels),
        "tuning_images": len(tuning.ids),
        "tuning_images_missing": [b[0] for b in tuning.missing],
        "unknown_tuning_labels": tuning.unknown,
        "train": train_info,
        "fit": result.stats,
        "cross_validation": cv,
        "device": str(dev),
        "versions": package_versions(),
    }
    weights = result.model if cfg.weight_mode else None
    AdaptedRun.write(out_dir, run.run_dir, weights, result.rule, manifest)
    return AdaptationReport(out_dir, result, cv, manifest)


def _load_graph(graph_dir: str | os.PathLike[str], codes: list[str], from_run: Path | None) -> Any:
    """The :class:`~labelgraph.LabelGraph` of the graph modes, checked against the run's
    ``codes`` ``[L]``: a graph holding none of them is an error (its modes would run without
    a single edge, i.e. as their graph-free versions), one holding only some is a warning.

    Args:
        graph_dir: the graph folder (``--graph``, or the run's ``graph``).
        codes: the run's label codes.
        from_run: the run folder when ``graph_dir`` comes from its ``config.yaml`` (the
            message then says so), None for ``--graph``.

    Raises:
        InputError: no graph in ``graph_dir``, or none of ``codes`` in it.
    """
    from labelgraph import LabelGraph

    where = (
        f"the run's graph {graph_dir} (from {from_run}/config.yaml)"
        if from_run
        else f"--graph {graph_dir}"
    )
    if from_run is not None and not Path(graph_dir).is_dir():
        raise InputError(
            f"{where} does not exist (moved or deleted since training?); pass --graph DIR, "
            "a `labelgraph build` folder over the run's labels"
        )
    g = LabelGraph.load(graph_dir)
    known = set(g.labels)
    missing = [c for c in codes if c not in known]
    if len(missing) == len(codes):
        raise InputError(
            f"{where} holds none of the run's {len(codes)} label codes (run: "
            f"{', '.join(codes[:3])}, ...; graph: {', '.join(g.labels[:3])}, ...): the graph "
            "modes would have no edge; pass --graph a folder built with the run's "
            "class-descriptions.csv (labelgraph build --labels)"
        )
    if missing:
        logger.warning(
            "%s holds %d of the run's %d labels; the other %d get no graph edges (e.g. %s)",
            where,
            len(codes) - len(missing),
            len(codes),
            len(missing),
            ", ".join(missing[:5]),
        )
    return g
