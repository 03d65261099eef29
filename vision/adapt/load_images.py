"""A folder of images as one eval-transformed tensor (tuning images, the kNN bank)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from vision.data import ImageFolderDataset, build_transform

__all__ = ["load_images"]


def load_images(
    images_dir: str | Path, image_ids: Sequence[str] | None, image_size: int, normalize: bool = True
) -> tuple[torch.Tensor, list[str], list[tuple[str, str]]]:
    """All readable images of ``image_ids`` (None: the whole folder, sorted) as one
    eval-transformed tensor ``[N, 3, S, S]``.

    Missing or undecodable images are left out and listed in ``bad``; nothing raises for them.

    Returns:
        ``(images, ids kept, bad (id, reason))``.
    """
    ds = ImageFolderDataset(
        images_dir,
        image_ids,
        transform=build_transform("eval", image_size, normalize=normalize),
        image_size=image_size,
        check_images="decode",
        max_bad_fraction=1.0,
        progress=False,
    )
    if len(ds) == 0:
        return torch.zeros(0, 3, image_size, image_size), [], list(ds.bad)
    return torch.stack([ds[i][0] for i in range(len(ds))]), list(ds.image_ids), list(ds.bad)
