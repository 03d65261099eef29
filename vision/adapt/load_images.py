"""A folder of images as one eval-transformed tensor (tuning images, the kNN bank)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import torch

from vision.data import ImageDecoder, ImageFolderDataset, build_transform

__all__ = ["load_images"]

logger = logging.getLogger(__name__)


def load_images(
    images_dir: str | Path,
    image_ids: Sequence[str] | None,
    image_size: int,
    normalize: bool = True,
    *,
    decoder: ImageDecoder | None = None,
    batch_size: int = 256,
) -> tuple[torch.Tensor, list[str], list[tuple[str, str]]]:
    """All readable images of ``image_ids`` (None: the whole folder, sorted) as one
    eval-transformed tensor ``[N, 3, S, S]``, each file decoded once by ``decoder`` (default
    :class:`~vision.data.ImageDecoder` settings).

    Missing or undecodable images are left out and listed in ``bad`` (the reason names the
    file); nothing raises for them.

    Returns:
        ``(images, ids kept, bad (id, reason))``.
    """
    ds = ImageFolderDataset(
        images_dir,
        image_ids,
        transform=build_transform("eval", image_size, normalize=normalize),
        image_size=image_size,
        check_images="none",
        max_bad_fraction=1.0,
        decoder=decoder,
        progress=False,
    )
    bad = list(ds.bad)
    kept: list[str] = []
    parts: list[torch.Tensor] = []
    for items, images in ds.read_batches(batch_size, bad):
        kept.extend(ds.image_ids[i] for i in items)
        parts.append(images)
    if not parts:
        return torch.zeros(0, 3, image_size, image_size), [], bad
    return torch.cat(parts), kept, bad
