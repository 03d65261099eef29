"""A preprocessed image cache: every image decoded and resized once into a uint8 array on disk.

Files in ``cache_dir`` (``KEY`` = ``{size}px-{digest of the ordered file list}``)::

    images-KEY.npy        uint8 [N, size, size, 3], memory-mapped when read
    images-KEY.stats.npy  int64 [N, 2]: (file size in bytes, mtime in ns) at build time
    images-KEY.json       manifest (written last, so its presence marks a finished cache):
                          format version, image size, count, file-list digest, stats digest,
                          bad images with reasons, package versions

The base image is the one :func:`~vision.data._image_io.load_base_image` gives: RGB (alpha
composited on white), shorter side resized to ``size``, centre square crop. A cache whose
files changed since the build (size or mtime) is stale: it is rebuilt (``on_stale="rebuild"``)
or refused with an :class:`~corpora.errors.InputError` (``on_stale="error"``). All files are
written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError
from corpora.versions import package_versions
from vision.data._image_io import load_base_image

__all__ = ["ImageCache", "CACHE_FORMAT_VERSION"]

logger = logging.getLogger(__name__)

CACHE_FORMAT_VERSION = 1
_ON_STALE = ("rebuild", "error")


def _file_stats(paths: Sequence[Path]) -> np.ndarray:
    out = np.full((len(paths), 2), -1, dtype=np.int64)
    for i, p in enumerate(paths):
        try:
            st = os.stat(p)
        except OSError:
            continue
        out[i] = (st.st_size, st.st_mtime_ns)
    return out


def _digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class ImageCache:
    """Decoded base images of an ordered file list at one size, memory-mapped.

    Use :meth:`open` (build when absent or stale). Attributes:

    * ``array``: ``np.memmap``-backed uint8 ``[N, size, size, 3]``; row ``i`` is ``paths[i]``
      (zeros for a bad image).
    * ``bad``: ``{row index: reason}`` for files that could not be decoded.
    * ``manifest``: the JSON manifest as a dict; ``path``: the ``.npy`` file.
    """

    def __init__(self, path: Path, array: np.ndarray, manifest: dict[str, Any]) -> None:
        self.path = path
        self.array = array
        self.manifest = manifest
        self.bad: dict[int, str] = {int(k): v for k, v in manifest.get("bad", {}).items()}
        self.image_size = int(manifest["image_size"])
        self.rebuilt = False

    def __len__(self) -> int:
        return int(self.array.shape[0])

    def __getstate__(self) -> dict[str, Any]:
        # DataLoader workers get the path, not a copy of the array; they re-map the file.
        state = self.__dict__.copy()
        state["array"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.array = np.load(self.path, mmap_mode="r")

    @staticmethod
    def key(paths: Sequence[Path], image_size: int) -> str:
        """Cache key: image size and the digest of the ordered file names."""
        names = "\n".join(os.path.abspath(p) for p in paths)
        return f"{int(image_size)}px-{_digest(CACHE_FORMAT_VERSION, names)[:16]}"

    @classmethod
    def files_for(
        cls, cache_dir: str | Path, paths: Sequence[Path], image_size: int
    ) -> dict[str, Path]:
        base = Path(cache_dir) / f"images-{cls.key(paths, image_size)}"
        return {
            "array": base.with_suffix(".npy"),
            "stats": base.parent / (base.name + ".stats.npy"),
            "manifest": base.with_suffix(".json"),
        }

    @classmethod
    def open(
        cls,
        cache_dir: str | Path,
        paths: Sequence[str | Path],
        image_size: int = 64,
        *,
        on_stale: str = "rebuild",
        progress: bool = True,
    ) -> ImageCache:
        """Open the cache for ``paths`` at ``image_size``; build it when absent, handle staleness.

        Args:
            cache_dir: folder for the cache files (created).
            paths: the image files, in dataset order (the order is part of the key).
            image_size: side of the square base images, pixels.
            on_stale: ``"rebuild"`` (default) or ``"error"`` when images changed since the build.
            progress: tqdm bar on stderr while building.
        """
        if on_stale not in _ON_STALE:
            raise InputError(f"on_stale must be one of {_ON_STALE}, not {on_stale!r}")
        paths = [Path(p) for p in paths]
        files = cls.files_for(cache_dir, paths, image_size)
        stats = _file_stats(paths)
        stats_digest = _digest(stats.tobytes())
        reason = cls._stale_reason(files, paths, image_size, stats, stats_digest)
        if reason is None:
            manifest = json.loads(files["manifest"].read_text(encoding="utf-8"))
            array = np.load(files["array"], mmap_mode="r")
            logger.debug("image cache hit: %s", files["array"])
            return cls(files["array"], array, manifest)
        if reason != "absent":
            if on_stale == "error":
                raise InputError(
                    f"image cache {files['array']} is stale ({reason}); delete it or use "
                    "on_stale='rebuild' to rebuild it"
                )
            logger.warning("image cache %s is stale (%s); rebuilding", files["array"], reason)
        cache = cls._build(files, paths, image_size, stats, stats_digest, progress=progress)
        cache.rebuilt = reason != "absent"
        return cache

    @staticmethod
    def _stale_reason(
        files: dict[str, Path],
        paths: Sequence[Path],
        image_size: int,
        stats: np.ndarray,
        stats_digest: str,
    ) -> str | None:
        if not files["manifest"].is_file():
            return "absent"
        try:
            manifest = json.loads(files["manifest"].read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return "unreadable manifest"
        if manifest.get("format_version") != CACHE_FORMAT_VERSION:
            return f"format version {manifest.get('format_version')} != {CACHE_FORMAT_VERSION}"
        if manifest.get("image_size") != int(image_size) or manifest.get("count") != len(paths):
            return "different image size or file count"
        if not files["array"].is_file() or not files["stats"].is_file():
            return "array file missing"
        if manifest.get("stats_digest") != stats_digest:
            try:
                old = np.load(files["stats"])
                changed = np.flatnonzero((old != stats).any(axis=1))
                first = f"; e.g. {paths[int(changed[0])]}" if len(changed) else ""
                return f"{len(changed)} image file(s) changed since the build{first}"
            except (OSError, ValueError):
                return "image files changed since the build"
        return None

    @classmethod
    def _build(
        cls,
        files: dict[str, Path],
        paths: Sequence[Path],
        image_size: int,
        stats: np.ndarray,
        stats_digest: str,
        *,
        progress: bool,
    ) -> ImageCache:
        size = int(image_size)
        bad: dict[str, str] = {}
        files["manifest"].unlink(missing_ok=True)  # the old cache is no longer valid
        with atomic_path(files["array"]) as tmp:
            arr = np.lib.format.open_memmap(
                tmp, mode="w+", dtype=np.uint8, shape=(len(paths), size, size, 3)
            )
            for i, p in enumerate(
                tqdm(paths, desc="caching images", unit="img", disable=not progress)
            ):
                try:
                    arr[i] = load_base_image(p, size)
                except (OSError, ValueError, SyntaxError) as exc:  # PIL raises all three
                    bad[str(i)] = f"{type(exc).__name__}: {exc}"
            arr.flush()
            del arr
        with atomic_path(files["stats"]) as tmp, open(tmp, "wb") as fh:
            np.save(fh, stats)
        manifest = {
            "format_version": CACHE_FORMAT_VERSION,
            "kind": "vision.data.ImageCache",
            "image_size": size,
            "count": len(paths),
            "key": files["array"].stem,
            "first_file": str(paths[0]) if paths else None,
            "stats_digest": stats_digest,
            "bad": bad,
            "versions": package_versions(),
        }
        with atomic_write(files["manifest"]) as fh:
            json.dump(manifest, fh, indent=1)
        logger.info("built image cache %s: %d images, %d bad", files["array"], len(paths), len(bad))
        return cls(files["array"], np.load(files["array"], mmap_mode="r"), manifest)
