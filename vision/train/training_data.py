"""The training and validation sets of a run, read from an Open Images layout folder."""

from __future__ import annotations

import csv
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_write
from corpora.errors import InputError
from vision.data.image_cache import DEFAULT_SHARD_SIZE
from vision.data.image_decoder import DEFAULT_MAX_IMAGE_PIXELS
from vision.data.label_policy import DEFAULT_LABEL_POLICY

__all__ = ["TrainingData", "load_training_data"]

logger = logging.getLogger(__name__)


@dataclass
class TrainingData:
    """Label vocabulary and datasets of a run.

    Attributes:
        codes, names: the ``L`` trainable labels, in output order.
        train, val: ``ImageFolderDataset`` (val is None when ``val_fraction == 0``).
        train_targets: ``[N_train, L]`` csr float32 (for ``pos_weight="auto"``).
        bad: ``(image id, reason)`` of the images skipped before training (missing or
            undecodable; the reason names the file).
    """

    codes: list[str]
    names: list[str]
    train: Any
    val: Any
    train_targets: sp.csr_matrix
    bad: list[tuple[str, str]] = field(default_factory=list)


def load_training_data(
    data: str | Path,
    images_dir: str | Path | None = None,
    label_policy: str | Mapping[str, Any] = DEFAULT_LABEL_POLICY,
    val_fraction: float = 0.1,
    seed: int = 0,
    image_size: int = 64,
    max_images: int | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    skip_bad_rows: bool = False,
    augment: str | Mapping[str, Any] = "train",
    *,
    check_images: str = "decode",
    max_bad_fraction: float = 0.05,
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
    workers: int = 1,
    cache_shard_size: int = DEFAULT_SHARD_SIZE,
    bad_report: str | Path | None = None,
) -> TrainingData:
    """Read targets under ``label_policy``, take the labels of ``classes-trainable.csv`` (all
    labels seen in the targets when that file is absent), and split the images with ``seed``
    (a fixed permutation: the first ``round(val_fraction * N)`` go to validation).

    Training images get ``build_transform(augment)`` (default ``"train"``; ``"style"`` is the
    stronger style-shift preset), validation ``build_transform("eval")``.
    ``skip_bad_rows`` counts and skips malformed label rows instead of stopping at the first.

    Images: one :class:`~vision.data.ImageFolderDataset` over the training and validation
    images (one cache in ``cache_dir`` for both, whatever the split), decoded by an
    :class:`~vision.data.ImageDecoder` with ``max_image_pixels`` (0: no limit). Images that
    are missing or cannot be decoded are found before training starts (by the cache build,
    or by ``check_images="decode"``, the default, in ``workers`` processes; ``"header"`` and
    ``"none"`` check less and skip a file that fails later with a warning), skipped, named
    in a warning and listed in ``cache_dir/bad_images.csv`` and ``bad_report``; more than
    ``max_bad_fraction`` of them is an :class:`InputError`.
    """
    from corpora.formats.class_descriptions import read_class_descriptions
    from corpora.formats.classes_trainable import read_classes_trainable
    from vision.data import (
        DataLayout,
        ImageDecoder,
        ImageFolderDataset,
        build_transform,
        load_targets,
        targets_matrix,
    )

    layout = DataLayout(data).check()
    df = load_targets(data, policy=label_policy, skip_bad_rows=skip_bad_rows)
    if layout.classes_trainable.is_file():
        codes = read_classes_trainable(layout.classes_trainable)
    else:
        codes = sorted(df["LabelName"].unique())
        logger.warning(
            "%s has no classes-trainable.csv: training all %d labels seen", data, len(codes)
        )
    names_of: dict[str, str] = {}
    if layout.class_descriptions.is_file():
        cd = read_class_descriptions(layout.class_descriptions)
        names_of = dict(zip(cd["LabelName"], cd["DisplayName"]))
    names = [names_of.get(c, c) for c in codes]
    ids, targets, hard = targets_matrix(df, codes)
    if not ids:
        raise InputError(f"{data}: no training image has a label among the trainable classes")
    n = len(ids)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    if not 0 <= val_fraction < 1:
        raise InputError(f"--val-fraction must be in [0, 1), got {val_fraction}")
    n_val = int(round(val_fraction * n))
    if val_fraction > 0 and n_val == 0 and n > 1:
        n_val = 1
    val_idx = np.sort(perm[:n_val])
    train_idx = np.sort(perm[n_val:])
    if max_images is not None and len(train_idx) > max_images:
        train_idx = np.sort(rng.permutation(train_idx)[:max_images])
    images_dir = Path(images_dir) if images_dir is not None else layout.train_dir

    # One dataset (one decode check, one cache) over every image used, split afterwards.
    used = np.union1d(train_idx, val_idx)
    full = ImageFolderDataset(
        images_dir,
        [ids[i] for i in used],
        targets[used],
        image_size=image_size,
        cache_dir=cache_dir,
        hard_negatives=hard[used] if hard is not None else None,
        max_bad_fraction=max_bad_fraction,
        check_images=check_images,
        skip_unreadable=True,
        decoder=ImageDecoder(max_image_pixels=max_image_pixels),
        workers=workers,
        cache_shard_size=cache_shard_size,
        progress=progress,
    )
    original = used[full.kept]  # index into ids of every readable item
    is_val = np.isin(original, val_idx)
    train = full.subset(np.flatnonzero(~is_val), build_transform(augment, image_size))
    val = (
        full.subset(np.flatnonzero(is_val), build_transform("eval", image_size))
        if len(val_idx)
        else None
    )
    if len(train) == 0:
        raise InputError(f"{images_dir}: none of the training images can be read")
    if val is not None and len(val) == 0:
        logger.warning("none of the %d validation images can be read: no validation", len(val_idx))
        val = None
    if full.bad and bad_report is not None and Path(bad_report) != full.bad_report:
        with atomic_write(bad_report, newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["image_id", "reason"])
            w.writerows(full.bad)
    logger.info(
        "%d labels; %d training and %d validation images (policy %r)",
        len(codes),
        len(train),
        len(val) if val is not None else 0,
        label_policy,
    )
    return TrainingData(codes, names, train, val, sp.csr_matrix(train.targets), list(full.bad))
