"""What ``vision adapt`` reads from disk: the tuning set, the training bank, unlabeled images.

* :func:`load_tuning_set`: ``tuning_labels.csv`` and the tuning images, as targets over the
  model's codes (unknown codes counted, or an error with ``strict``);
* :func:`load_training_bank`: the training label priors ``[L]`` and, for modes that need it,
  the labelled training images (the kNN bank, replay);
* :func:`load_unlabeled_images`: target-domain images without labels (EM prior estimate).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from corpora.errors import InputError
from corpora.formats.label_sets import read_tuning_labels
from vision.adapt.load_images import load_images
from vision.data import ImageDecoder, load_targets, targets_matrix
from vision.data.label_policy import DEFAULT_LABEL_POLICY

__all__ = [
    "TrainingBank",
    "TuningSet",
    "load_training_bank",
    "load_tuning_set",
    "load_unlabeled_images",
    "tuning_matrix",
]

logger = logging.getLogger(__name__)


def tuning_matrix(
    tuning: dict[str, list[str]], codes: Sequence[str], strict: bool, source: str
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


@dataclass
class TuningSet:
    """Labelled target-domain images.

    Attributes:
        ids: ``[N]`` ids of the images read. images: ``[N, 3, S, S]`` eval-transformed.
        targets: ``[N, L]`` float32 0/1 over the model's codes.
        unknown: label code unknown to the model -> occurrences (ignored).
        missing: ``(id, reason)`` of the listed images that could not be read (left out).
    """

    ids: list[str]
    images: torch.Tensor
    targets: np.ndarray
    unknown: dict[str, int] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)


def load_tuning_set(
    labels_path: str | Path,
    images_dir: str | Path,
    codes: Sequence[str],
    image_size: int,
    normalize: bool = True,
    strict: bool = False,
    decoder: ImageDecoder | None = None,
) -> TuningSet:
    """Read ``tuning_labels.csv`` (no header) and its images from ``images_dir``.

    Images that are missing or unreadable are left out with a warning.

    Raises:
        InputError: unknown label codes with ``strict``; none of the images found.
    """
    tuning = read_tuning_labels(labels_path)
    ids, targets, unknown = tuning_matrix(tuning, codes, strict, str(labels_path))
    images, kept, bad = load_images(images_dir, ids, image_size, normalize, decoder=decoder)
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
        raise InputError(f"none of the {len(ids)} tuning images were found in {images_dir}")
    return TuningSet(kept, images, targets, unknown, bad)


@dataclass
class TrainingBank:
    """Training-side inputs of an adaptation.

    Attributes:
        prior: ``[L]`` training label frequencies.
        images: ``[M, 3, S, S]`` labelled training images, or None when not loaded.
        targets: ``[M, L]`` csr labels of ``images`` (None with them).
        info: what was read (data folder, label policy, counts), for the manifest.
    """

    prior: np.ndarray
    images: torch.Tensor | None
    targets: sp.csr_matrix | None
    info: dict[str, Any]


def load_training_bank(
    data_dir: str | Path,
    codes: Sequence[str],
    image_size: int,
    normalize: bool = True,
    *,
    label_policy: str = DEFAULT_LABEL_POLICY,
    with_images: bool = True,
    images_dir: str | Path | None = None,
    limit: int = 0,
    seed: int = 0,
    decoder: ImageDecoder | None = None,
) -> TrainingBank:
    """The training priors and (``with_images``) labelled training images.

    Args:
        data_dir: the training data folder (Open Images layout).
        codes: ``[L]`` the model's label codes.
        label_policy: soft-target policy of ``vision.data.load_targets``.
        images_dir: the training images (default ``DATA_DIR/train``).
        limit: at most this many bank images, drawn with ``seed`` (0: all).
    """
    df = load_targets(data_dir, policy=label_policy)
    ids, targets, _ = targets_matrix(df, list(codes))
    prior = np.asarray(targets.mean(0)).ravel()
    info: dict[str, Any] = {
        "train_data": str(data_dir),
        "label_policy": label_policy,
        "train_images": len(ids),
    }
    if not with_images:
        return TrainingBank(prior, None, None, info)
    if limit and len(ids) > limit:
        keep = np.sort(np.random.default_rng(seed).choice(len(ids), limit, False))
        ids, targets = [ids[i] for i in keep], targets[keep]
    images_dir = images_dir or str(Path(data_dir) / "train")
    images, kept, bad = load_images(images_dir, ids, image_size, normalize, decoder=decoder)
    if bad:
        logger.warning(
            "kNN bank: %d training images unreadable, left out (e.g. %s)", len(bad), bad[0][1]
        )
        row = {i: k for k, i in enumerate(ids)}
        targets = targets[[row[i] for i in kept]]
    info["bank_images"] = len(kept)
    return TrainingBank(prior, images, targets, info)


def load_unlabeled_images(
    images_dir: str | Path,
    image_size: int,
    normalize: bool = True,
    exclude: Collection[str] = (),
    decoder: ImageDecoder | None = None,
) -> torch.Tensor:
    """Every readable image of ``images_dir`` except the ids in ``exclude`` (the tuning
    images), eval-transformed ``[U, 3, S, S]``."""
    images, ids, _ = load_images(images_dir, None, image_size, normalize, decoder=decoder)
    keep = [k for k, i in enumerate(ids) if i not in exclude]
    return images[keep]
