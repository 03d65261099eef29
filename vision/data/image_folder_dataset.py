"""``ImageFolderDataset``: images of one folder with optional sparse multi-label targets."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from torch.utils.data import Dataset

from corpora.atomic import atomic_write
from corpora.errors import CorruptInputError, InputError
from vision.data._image_io import check_image_header, index_images, load_base_image
from vision.data.build_transform import build_transform
from vision.data.image_cache import ImageCache
from vision.data.targets_matrix import targets_matrix

__all__ = ["ImageFolderDataset"]

logger = logging.getLogger(__name__)

_CHECKS = ("open", "decode", "none")


class ImageFolderDataset(Dataset):
    """Images ``images_dir/ImageID.{jpg,jpeg,png,webp}`` with optional targets.

    Every image is first turned into a *base image*: decoded, RGBA/LA/transparent palette
    composited on white, greyscale converted to RGB, shorter side resized to ``image_size``
    and centre-cropped to a square (uint8 ``[image_size, image_size, 3]``). With
    ``cache_dir`` the base images are computed once into an :class:`ImageCache` (memory-mapped
    ``.npy``); without it each access decodes the file. ``transform`` (default
    ``build_transform("eval", image_size)``) is then applied to the base image.

    Item ``i`` is ``(image, target, mask)``:

    * ``image``: float32 ``[3, H, W]`` (``H = W = image_size`` for the presets).
    * ``target``: float32 ``[L]``, row ``i`` of ``targets`` (soft targets in ``[0, 1]``).
    * ``mask``: float32 ``[L]`` loss weights: ``unlabeled_weight`` (default 1) for labels
      without a positive target, 1 where ``target > 0``, ``hard_negative_weight`` (default 1;
      0 excludes verified negatives from the loss, >1 up-weights them) at the hard negatives
      given by ``hard_negatives``. With all defaults the mask is all ones.

    Without targets (test images) ``target`` and ``mask`` are empty float32 tensors ``[0]``
    (a batch collates them to ``[B, 0]``).

    Missing and undecodable images are dropped before use: the ids and reasons are in
    :attr:`bad`, written to ``bad_report`` (CSV ``image_id,reason``; default
    ``cache_dir/bad_images.csv`` when ``cache_dir`` is given) and counted in one warning.
    More than ``max_bad_fraction`` of the images bad raises :class:`InputError`. Without a
    cache, ``check_images`` says how hard they are checked up front: ``"open"`` (default;
    header + ``verify()``), ``"decode"`` (full decode, slower), ``"none"``; a file that fails
    later raises :class:`CorruptInputError` naming it.

    Args:
        images_dir: folder with the images.
        image_ids: ids in dataset order (file names without extension); default: every image
            in the folder, sorted.
        targets: ``[N, L]`` scipy sparse matrix or array aligned with ``image_ids`` (as from
            :func:`~vision.data.targets_matrix.targets_matrix`), or None.
        transform: callable on the uint8 base image ``[S, S, 3]`` (numpy) returning a float
            tensor ``[3, H, W]``; default eval preset.
        image_size: side of the base image in pixels (default 64).
        cache_dir: folder for the preprocessed cache; None decodes every time.
        hard_negatives: ``[N, L]`` sparse indicator of verified negatives (the ``mask`` of
            :func:`targets_matrix`), or None.
        on_stale: ``"rebuild"`` or ``"error"`` for a stale cache.
        progress: tqdm bar while building the cache.
    """

    def __init__(
        self,
        images_dir: str | Path,
        image_ids: Sequence[str] | None = None,
        targets: sp.spmatrix | np.ndarray | None = None,
        transform: Callable[[Any], torch.Tensor] | None = None,
        image_size: int = 64,
        cache_dir: str | Path | None = None,
        *,
        hard_negatives: sp.spmatrix | None = None,
        hard_negative_weight: float = 1.0,
        unlabeled_weight: float = 1.0,
        max_bad_fraction: float = 0.05,
        bad_report: str | Path | None = None,
        check_images: str = "open",
        on_stale: str = "rebuild",
        progress: bool = True,
    ) -> None:
        self.images_dir = Path(images_dir)
        if not self.images_dir.is_dir():
            raise InputError(
                f"image folder {str(self.images_dir)!r} does not exist; check the data directory"
            )
        if check_images not in _CHECKS:
            raise InputError(f"check_images must be one of {_CHECKS}, not {check_images!r}")
        self.image_size = int(image_size)
        self.transform = (
            transform if transform is not None else build_transform("eval", self.image_size)
        )
        found = index_images(self.images_dir)
        ids = sorted(found) if image_ids is None else [str(i) for i in image_ids]
        if len(set(ids)) != len(ids):
            raise InputError("image_ids repeats an id; give each image once")
        n = len(ids)
        targets_csr = None
        if targets is not None:
            targets_csr = sp.csr_matrix(targets, dtype=np.float32)
            if targets_csr.shape[0] != n:
                raise InputError(
                    f"targets has {targets_csr.shape[0]} rows but there are {n} image ids"
                )
        hard_csr = None
        if hard_negatives is not None:
            if targets_csr is None:
                raise InputError("hard_negatives given without targets")
            hard_csr = sp.csr_matrix(hard_negatives, dtype=np.float32)
            if hard_csr.shape != targets_csr.shape:
                raise InputError(
                    f"hard_negatives shape {hard_csr.shape} != targets shape {targets_csr.shape}"
                )

        bad: dict[int, str] = {}
        paths: list[Path | None] = []
        for i, image_id in enumerate(ids):
            p = found.get(image_id)
            if p is None and Path(image_id).suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"):
                p = found.get(Path(image_id).stem)
            if p is None:
                bad[i] = "missing file"
            paths.append(p)
        self.cache: ImageCache | None = None
        present = [i for i in range(n) if paths[i] is not None]
        if cache_dir is not None and present:
            self.cache = ImageCache.open(
                cache_dir,
                [paths[i] for i in present],
                self.image_size,
                on_stale=on_stale,
                progress=progress,
            )
            for row, reason in self.cache.bad.items():
                bad[present[row]] = reason
        elif check_images != "none":
            for i in present:
                try:
                    if check_images == "decode":
                        load_base_image(paths[i], self.image_size)
                    else:
                        check_image_header(paths[i])
                except (OSError, ValueError, SyntaxError) as exc:
                    bad[i] = f"{type(exc).__name__}: {exc}"

        self.bad: list[tuple[str, str]] = [(ids[i], bad[i]) for i in sorted(bad)]
        if bad:
            report = (
                Path(bad_report)
                if bad_report is not None
                else (Path(cache_dir) / "bad_images.csv" if cache_dir is not None else None)
            )
            if report is not None:
                with atomic_write(report, newline="") as fh:
                    w = csv.writer(fh, lineterminator="\n")
                    w.writerow(["image_id", "reason"])
                    w.writerows(self.bad)
            where = (
                f"listed in {report}"
                if report is not None
                else f"e.g. {self.bad[0][0]}: {self.bad[0][1]}"
            )
            logger.warning(
                "%s: skipped %d of %d images that are missing or corrupt (%s)",
                self.images_dir,
                len(bad),
                n,
                where,
            )
            if n and len(bad) / n > max_bad_fraction:
                raise InputError(
                    f"{self.images_dir}: {len(bad)} of {n} images are missing or corrupt "
                    f"({len(bad) / n:.1%} > max_bad_fraction={max_bad_fraction:.1%}); first: "
                    f"{self.bad[0][0]} ({self.bad[0][1]}). Check the folder or raise max_bad_fraction"
                )
        keep = np.array([i for i in range(n) if i not in bad], dtype=np.int64)
        self.image_ids: list[str] = [ids[i] for i in keep]
        self._paths: list[Path] = [paths[i] for i in keep]  # type: ignore[misc]
        if self.cache is not None:
            row_of = {orig: row for row, orig in enumerate(present)}
            self._cache_rows = np.array([row_of[i] for i in keep], dtype=np.int64)
        self.targets = targets_csr[keep] if targets_csr is not None else None
        self.hard_negatives = hard_csr[keep] if hard_csr is not None else None
        self.hard_negative_weight = float(hard_negative_weight)
        self.unlabeled_weight = float(unlabeled_weight)

    @classmethod
    def from_targets(
        cls, images_dir: str | Path, df: pd.DataFrame, codes: Sequence[str], **kw: Any
    ) -> ImageFolderDataset:
        """Dataset over the images of ``df`` (``[ImageID, LabelName, Target]``) for ``codes``;
        hard negatives (``Target == 0`` rows) are passed on as ``hard_negatives``."""
        ids, targets, hard = targets_matrix(df, codes)
        return cls(images_dir, ids, targets, hard_negatives=hard, **kw)

    @property
    def num_labels(self) -> int:
        """``L``, or 0 without targets."""
        return int(self.targets.shape[1]) if self.targets is not None else 0

    def __len__(self) -> int:
        return len(self.image_ids)

    def base_image(self, i: int) -> np.ndarray:
        """The uint8 base image ``[S, S, 3]`` of item ``i`` (from the cache when there is one)."""
        if self.cache is not None:
            return np.array(self.cache.array[self._cache_rows[i]])  # a writable copy
        try:
            return load_base_image(self._paths[i], self.image_size)
        except (OSError, ValueError, SyntaxError) as exc:
            raise CorruptInputError(
                f"cannot decode image {self._paths[i]} ({type(exc).__name__}: {exc}); remove it, "
                "or use cache_dir / check_images='decode' so bad images are skipped up front"
            ) from exc

    def target(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(target [L], mask [L])`` float32 of item ``i`` (both ``[0]`` without targets)."""
        if self.targets is None:
            return torch.zeros(0), torch.zeros(0)
        t = self.targets
        lo, hi = t.indptr[i], t.indptr[i + 1]
        cols, vals = t.indices[lo:hi], t.data[lo:hi]
        target = np.zeros(t.shape[1], dtype=np.float32)
        target[cols] = vals
        mask = np.full(t.shape[1], self.unlabeled_weight, dtype=np.float32)
        mask[cols[vals > 0]] = 1.0
        if self.hard_negatives is not None:
            h = self.hard_negatives
            mask[h.indices[h.indptr[i] : h.indptr[i + 1]]] = self.hard_negative_weight
        return torch.from_numpy(target), torch.from_numpy(mask)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        image = self.transform(self.base_image(i))
        target, mask = self.target(i)
        return image, target, mask
