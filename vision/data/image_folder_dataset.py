"""``ImageFolderDataset``: images of one folder with optional sparse multi-label targets."""

from __future__ import annotations

import copy
import csv
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from corpora.atomic import atomic_write
from corpora.errors import InputError
from vision.data._image_files import find_image, index_images
from vision.data._worker_pool import chunks, map_tasks
from vision.data.build_transform import build_transform
from vision.data.image_cache import DEFAULT_SHARD_SIZE, ImageCache
from vision.data.image_decoder import ImageDecodeError, ImageDecoder
from vision.data.targets_matrix import targets_matrix

__all__ = ["ImageFolderDataset", "CHECK_IMAGES"]

logger = logging.getLogger(__name__)

#: how hard images are checked up front (without a cache): full decode, header only, not at all
CHECK_IMAGES = ("decode", "header", "none")
_CHECK_CHUNK = 256  # files per decode-check task
_HINT = (
    "skip such files up front with --check-images decode (check_images='decode') or "
    "--cache-dir, or remove the file"
)


def _check_chunk(task: tuple[Any, ...]) -> tuple[dict[int, str], int]:
    """Decode (or header-check) a chunk of files: (``{index: reason}`` of those that fail,
    files checked)."""
    start, paths, size, decoder, check = task
    bad: dict[int, str] = {}
    for k, p in enumerate(paths):
        try:
            if check == "decode":
                decoder.decode(p, size)
            else:
                decoder.check_header(p)
        except ImageDecodeError as exc:
            bad[start + k] = f"cannot decode {exc.path} ({exc.reason})"
    return bad, len(paths)


def _find_undecodable(
    paths: Sequence[Path],
    size: int,
    decoder: ImageDecoder,
    check: str,
    workers: int,
    progress: bool,
) -> dict[int, str]:
    tasks = [
        (a, [str(p) for p in paths[a:b]], size, decoder, check)
        for a, b in chunks(len(paths), _CHECK_CHUNK)
    ]
    bad: dict[int, str] = {}
    desc = "checking images" if check == "decode" else "checking image headers"
    with tqdm(total=len(paths), desc=desc, unit="img", disable=not progress) as bar:
        for part, n in map_tasks(_check_chunk, tasks, workers):
            bad.update(part)
            bar.update(n)
    return bad


class _Attempt(Dataset):
    """``(index, image or None, reason or "")`` of a dataset's items (for :meth:`read_batches`)."""

    def __init__(self, ds: ImageFolderDataset) -> None:
        self.ds = ds

    def __len__(self) -> int:
        return len(self.ds)

    def __getitem__(self, i: int) -> tuple[int, torch.Tensor | None, str]:
        try:
            return i, self.ds.transform(self.ds.base_image(i)), ""
        except ImageDecodeError as exc:
            return i, None, f"cannot decode {exc.path} ({exc.reason})"


def _collate_attempts(
    items: list[tuple[int, torch.Tensor | None, str]],
) -> tuple[list[int], torch.Tensor | None, list[tuple[int, str]]]:
    good = [(i, x) for i, x, _ in items if x is not None]
    failed = [(i, reason) for i, x, reason in items if x is None]
    images = torch.stack([x for _, x in good]) if good else None
    return [i for i, _ in good], images, failed


class ImageFolderDataset(Dataset):
    """Images ``images_dir/ImageID.EXT`` (jpg, jpeg, png, webp, gif, bmp, tif...) with
    optional targets.

    Every image is first turned into a *base image* by :meth:`ImageDecoder.decode` (EXIF
    orientation applied, every mode and bit depth converted to RGB, transparency composited
    on white, shorter side resized to ``image_size``, centre square crop: uint8
    ``[image_size, image_size, 3]``). With ``cache_dir`` the base images are computed once
    into an :class:`ImageCache` (memory-mapped shards, built by ``workers`` processes);
    without it each access decodes the file. ``transform`` (default
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

    Bad images. Missing files and files that cannot be decoded are dropped before use: the
    ids and reasons (which name the file) are in :attr:`bad`, written to ``bad_report`` (CSV
    ``image_id,reason``; default ``cache_dir/bad_images.csv`` when ``cache_dir`` is given)
    and named in one warning. More than ``max_bad_fraction`` of the images bad raises
    :class:`InputError`. With a cache, the cache build finds them (and remembers them).
    Without one, ``check_images`` says how hard they are checked up front: ``"decode"``
    (full decode, in ``workers`` processes), ``"header"`` (default; open + ``verify()``:
    cheap, misses truncated pixel data), ``"none"``. A file that still fails later (not
    checked, or changed on disk) raises :class:`ImageDecodeError` naming it, or, with
    ``skip_unreadable=True`` (training), is replaced by the next readable item with a warning
    that names it. :meth:`read_batches` (prediction, adaptation) decodes each image once and
    reports the failures instead.

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
        decoder: the :class:`ImageDecoder` (its ``max_image_pixels`` limit; default settings).
        workers: processes for the cache build and the decode check (default 1).
        cache_shard_size: images per cache shard file (default 4096).
        on_stale: ``"rebuild"`` or ``"error"`` for a stale cache.
        progress: tqdm bar while building the cache or checking the images.
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
        check_images: str = "header",
        skip_unreadable: bool = False,
        decoder: ImageDecoder | None = None,
        workers: int = 1,
        cache_shard_size: int = DEFAULT_SHARD_SIZE,
        on_stale: str = "rebuild",
        progress: bool = True,
    ) -> None:
        self.images_dir = Path(images_dir)
        if not self.images_dir.is_dir():
            raise InputError(
                f"image folder {str(self.images_dir)!r} does not exist; check the data directory"
            )
        if check_images not in CHECK_IMAGES:
            raise InputError(
                f"check_images must be one of {', '.join(CHECK_IMAGES)}, not {check_images!r}"
            )
        if not 0.0 <= float(max_bad_fraction) <= 1.0:
            raise InputError(f"max_bad_fraction must be in [0, 1], not {max_bad_fraction}")
        self.image_size = int(image_size)
        self.decoder = decoder or ImageDecoder()
        self.skip_unreadable = bool(skip_unreadable)
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
            p = find_image(found, image_id)
            if p is None:
                bad[i] = "missing file"
            paths.append(p)
        self.cache: ImageCache | None = None
        present = [i for i in range(n) if paths[i] is not None]
        present_paths: list[Path] = [paths[i] for i in present]  # type: ignore[misc]
        if cache_dir is not None and present:
            self.cache = ImageCache.open(
                cache_dir,
                present_paths,
                self.image_size,
                decoder=self.decoder,
                shard_size=cache_shard_size,
                workers=workers,
                on_stale=on_stale,
                progress=progress,
            )
            for row, reason in self.cache.bad.items():
                bad[present[row]] = reason
        elif check_images != "none" and present:
            found_bad = _find_undecodable(
                present_paths, self.image_size, self.decoder, check_images, workers, progress
            )
            for k, reason in found_bad.items():
                bad[present[k]] = reason

        self.bad: list[tuple[str, str]] = [(ids[i], bad[i]) for i in sorted(bad)]
        self.bad_report: Path | None = None
        if bad:
            self._report_bad(n, bad_report, cache_dir, max_bad_fraction)
        keep = np.array([i for i in range(n) if i not in bad], dtype=np.int64)
        #: position in ``image_ids`` (as given) of each item
        self.kept: np.ndarray = keep
        self.image_ids: list[str] = [ids[i] for i in keep]
        self._paths: list[Path] = [paths[i] for i in keep]  # type: ignore[misc]
        self._cache_rows = np.zeros(0, dtype=np.int64)
        if self.cache is not None:
            row_of = {orig: row for row, orig in enumerate(present)}
            self._cache_rows = np.array([row_of[i] for i in keep], dtype=np.int64)
        self.targets = targets_csr[keep] if targets_csr is not None else None
        self.hard_negatives = hard_csr[keep] if hard_csr is not None else None
        self.hard_negative_weight = float(hard_negative_weight)
        self.unlabeled_weight = float(unlabeled_weight)
        self._warned: set[str] = set()

    def _report_bad(
        self,
        n: int,
        bad_report: str | Path | None,
        cache_dir: str | Path | None,
        max_bad_fraction: float,
    ) -> None:
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
            self.bad_report = report
        named = "; ".join(f"{i}: {r}" for i, r in self.bad[:3])
        more = f"; and {len(self.bad) - 3} more" if len(self.bad) > 3 else ""
        where = f" (all listed in {report})" if report is not None else ""
        logger.warning(
            "%s: skipped %d of %d images that are missing or cannot be decoded: %s%s%s",
            self.images_dir,
            len(self.bad),
            n,
            named,
            more,
            where,
        )
        if n and len(self.bad) / n > max_bad_fraction:
            raise InputError(
                f"{self.images_dir}: {len(self.bad)} of {n} images are missing or corrupt "
                f"({len(self.bad) / n:.1%} > max_bad_fraction={max_bad_fraction:.1%}); first: "
                f"{self.bad[0][0]} ({self.bad[0][1]}). Check the folder or raise "
                "--max-bad-fraction"
            )

    @classmethod
    def from_targets(
        cls, images_dir: str | Path, df: pd.DataFrame, codes: Sequence[str], **kw: Any
    ) -> ImageFolderDataset:
        """Dataset over the images of ``df`` (``[ImageID, LabelName, Target]``) for ``codes``;
        hard negatives (``Target == 0`` rows) are passed on as ``hard_negatives``."""
        ids, targets, hard = targets_matrix(df, codes)
        return cls(images_dir, ids, targets, hard_negatives=hard, **kw)

    def subset(
        self,
        items: Sequence[int] | np.ndarray,
        transform: Callable[[Any], torch.Tensor] | None = None,
    ) -> ImageFolderDataset:
        """A dataset of items ``items`` of this one (same files, cache and decoder), with
        ``transform`` (default: this one's). Its :attr:`bad` is empty: this one reports them."""
        items = np.asarray(items, dtype=np.int64)
        out = copy.copy(self)
        out.image_ids = [self.image_ids[i] for i in items]
        out._paths = [self._paths[i] for i in items]
        out.kept = self.kept[items]
        if self.cache is not None:
            out._cache_rows = self._cache_rows[items]
        out.targets = self.targets[items] if self.targets is not None else None
        out.hard_negatives = self.hard_negatives[items] if self.hard_negatives is not None else None
        out.transform = transform if transform is not None else self.transform
        out.bad = []
        out._warned = set()
        return out

    @property
    def num_labels(self) -> int:
        """``L``, or 0 without targets."""
        return int(self.targets.shape[1]) if self.targets is not None else 0

    def __len__(self) -> int:
        return len(self.image_ids)

    def base_image(self, i: int) -> np.ndarray:
        """The uint8 base image ``[S, S, 3]`` of item ``i`` (from the cache when there is one).

        Raises:
            ImageDecodeError: the file cannot be decoded (names it and says what to do).
        """
        if self.cache is not None:
            return np.array(self.cache.image(self._cache_rows[i]))  # a writable copy
        try:
            return self.decoder.decode(self._paths[i], self.image_size)
        except ImageDecodeError as exc:
            raise ImageDecodeError(exc.path, exc.reason, _HINT) from exc

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

    def _readable(self, i: int) -> tuple[int, np.ndarray]:
        """``(j, base image of item j)``: item ``i``, or with ``skip_unreadable`` the next item
        that decodes (a warning names each file skipped, once per process)."""
        n = len(self)
        for step in range(n):
            j = (i + step) % n
            try:
                return j, self.base_image(j)
            except ImageDecodeError as exc:
                if not self.skip_unreadable:
                    raise
                if str(exc.path) not in self._warned:
                    self._warned.add(str(exc.path))
                    logger.warning(
                        "cannot decode image %s (%s): training on the next image in its place; "
                        "run with --check-images decode to skip it up front",
                        exc.path,
                        exc.reason,
                    )
        raise InputError(f"{self.images_dir}: none of the {n} images can be decoded")

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        j, base = self._readable(i)
        image = self.transform(base)
        target, mask = self.target(j)
        return image, target, mask

    def read_batches(
        self, batch_size: int, bad: list[tuple[str, str]], workers: int = 0
    ) -> Iterator[tuple[list[int], torch.Tensor]]:
        """Transformed images in order, each file decoded once: ``(item indices, images [B,
        3, H, W])`` per batch, decoded in ``workers`` loader processes (0: here). Items that
        cannot be decoded are left out and appended to ``bad`` as ``(image id, reason)`` (the
        reason names the file) for the caller to report; nothing raises for them."""
        loader = DataLoader(
            _Attempt(self),
            batch_size=max(1, int(batch_size)),
            shuffle=False,
            num_workers=max(0, int(workers)),
            collate_fn=_collate_attempts,
        )
        for items, images, failed in loader:
            for i, reason in failed:
                bad.append((self.image_ids[i], reason))
                logger.debug("%s: skipped: %s", self.image_ids[i], reason)
            if images is not None:
                yield items, images
