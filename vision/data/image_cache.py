"""A preprocessed image cache: every image decoded once into uint8 shards on disk.

Files (``KEY`` = ``{size}px-{digest of the ordered file list}``)::

    cache_dir/images-KEY/
        build.json           the parameters (written when a build starts)
        shard-00000.npy      uint8 [k, size, size, 3] base images of rows 0..k-1, memory-mapped
        shard-00000.json     the shard's rows, parameter digest, file-stats digest, bad rows
        ...
        stats.npy            int64 [N, 2]: (file size in bytes, mtime in ns) at build time
        manifest.json        written last (its presence marks a finished cache): parameters,
                             shard count, stats digest, bad images with reasons, versions

Parameters = format version, image size, file count and list, shard size (images per shard,
default :data:`DEFAULT_SHARD_SIZE`) and the decoder's settings (:class:`ImageDecoder`). The
base image is :meth:`ImageDecoder.decode`'s. Every file is written atomically, one shard at
a time, so a build that is killed or fails keeps its finished shards and the next
:meth:`ImageCache.open` resumes it. ``workers > 1`` decodes shards in parallel processes; the
files are the same byte for byte as a serial build's.

Several processes may open the same cache at once (every rank of a ``torchrun`` job, on one
node or on many over a shared filesystem): :meth:`ImageCache.open` holds an exclusive lock
on ``cache_dir/.images-KEY.lock`` while it checks, builds or resumes the cache, so the first
process builds it (with its ``workers``) and the others wait, then find it finished. A
process killed while building drops the lock with it (the next one resumes the build).

A finished cache whose parameters differ from the request, or whose image files changed
since the build (size or mtime), is stale: it is rebuilt (``on_stale="rebuild"``: only the
shards whose files changed, or everything when the parameters changed) or refused with an
:class:`~corpora.errors.InputError` (``on_stale="error"``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError
from corpora.versions import package_versions
from vision.data._worker_pool import chunks, map_tasks
from vision.data.image_decoder import ImageDecodeError, ImageDecoder

__all__ = ["ImageCache", "CACHE_FORMAT_VERSION", "DEFAULT_SHARD_SIZE"]

logger = logging.getLogger(__name__)

CACHE_FORMAT_VERSION = 2
#: images per shard file (64 px: 50 MB; 128 px: 201 MB; 224 px: 617 MB)
DEFAULT_SHARD_SIZE = 4096
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


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    """``{"decoder": {"draft": True}}`` -> ``{"decoder.draft": True}`` (one level)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def _lock(fh: Any, path: Path) -> bool:
    """Take an exclusive ``flock`` on the open file ``fh``, waiting (with a log line) while
    another process holds it; False (with a warning) where the filesystem has no locks."""
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        logger.info("waiting for another process that holds %s (building the cache)", path)
    except OSError as exc:
        logger.warning(
            "cannot lock %s (%s): processes opening this cache at once may each build it; on "
            "such a filesystem build it once (one process) before starting the others",
            path,
            exc,
        )
        return False
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    return True


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created) for the ``with`` block (see :func:`_lock`).
    The concurrent builders a missing lock allows duplicate work only: every file is written
    atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        locked = _lock(fh, path)
        try:
            yield
        finally:
            if locked:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _shard_name(index: int) -> str:
    return f"shard-{index:05d}"


def _build_shard(task: tuple[Any, ...]) -> tuple[int, int, dict[str, str]]:
    """Decode one shard's files into ``shard-XXXXX.npy`` + ``.json`` (runs in a worker)."""
    folder, index, start, paths, size, decoder, params_digest, stats_digest = task
    bad: dict[str, str] = {}
    name = _shard_name(index)
    with atomic_path(Path(folder) / f"{name}.npy") as tmp:
        arr = np.lib.format.open_memmap(
            tmp, mode="w+", dtype=np.uint8, shape=(len(paths), size, size, 3)
        )
        for k, p in enumerate(paths):
            try:
                arr[k] = decoder.decode(p, size)
            except ImageDecodeError as exc:
                bad[str(start + k)] = f"cannot decode {exc.path} ({exc.reason})"
        arr.flush()
        del arr
    record = {
        "shard": index,
        "rows": [start, start + len(paths)],
        "params_digest": params_digest,
        "stats_digest": stats_digest,
        "bad": bad,
    }
    with atomic_write(Path(folder) / f"{name}.json") as fh:
        json.dump(record, fh, indent=1, sort_keys=True)
    return index, len(paths), bad


class ImageCache:
    """Decoded base images of an ordered file list at one size, in memory-mapped shards.

    Use :meth:`open` (build, resume or reuse). ``cache.image(i)`` is row ``i`` (``paths[i]``),
    uint8 ``[size, size, 3]`` (zeros for a bad image). Attributes: ``bad`` (``{row: reason}``
    for files that could not be decoded), ``manifest`` (the JSON manifest as a dict),
    ``folder`` (the cache's folder), ``rebuilt`` (a stale cache was rebuilt), ``decoded``
    (images decoded by this :meth:`open`; 0 on a hit), ``resumed_shards`` (finished shards
    of an earlier, unfinished build that were kept).
    """

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.manifest = manifest
        self.bad: dict[int, str] = {int(k): v for k, v in manifest.get("bad", {}).items()}
        self.image_size = int(manifest["image_size"])
        self.shard_size = int(manifest["shard_size"])
        self.count = int(manifest["count"])
        self.rebuilt = False
        self.decoded = 0
        self.resumed_shards = 0
        self._shards: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self.count

    def __getstate__(self) -> dict[str, Any]:
        # DataLoader workers get the folder, not the mapped arrays; they map the shards again.
        state = self.__dict__.copy()
        state["_shards"] = {}
        return state

    def shard_paths(self) -> list[Path]:
        """The shard files (``.npy``), in row order."""
        n = len(chunks(self.count, self.shard_size))
        return [self.folder / f"{_shard_name(i)}.npy" for i in range(n)]

    def image(self, row: int) -> np.ndarray:
        """Read-only uint8 ``[size, size, 3]`` view of row ``row`` (memory-mapped)."""
        index, offset = divmod(int(row), self.shard_size)
        shard = self._shards.get(index)
        if shard is None:
            shard = np.load(self.folder / f"{_shard_name(index)}.npy", mmap_mode="r")
            self._shards[index] = shard
        return shard[offset]

    @staticmethod
    def key(paths: Sequence[Path], image_size: int) -> str:
        """Cache key: image size and the digest of the ordered (absolute) file names."""
        names = "\n".join(os.path.abspath(p) for p in paths)
        return f"{int(image_size)}px-{_digest(names)[:16]}"

    @classmethod
    def folder_for(cls, cache_dir: str | Path, paths: Sequence[Path], image_size: int) -> Path:
        """The folder of the cache of ``paths`` at ``image_size`` in ``cache_dir``."""
        return Path(cache_dir) / f"images-{cls.key(paths, image_size)}"

    @staticmethod
    def parameters(
        paths: Sequence[Path], image_size: int, shard_size: int, decoder: ImageDecoder
    ) -> dict[str, Any]:
        """What the cached pixels depend on (recorded in ``build.json`` and the manifest)."""
        return {
            "format_version": CACHE_FORMAT_VERSION,
            "kind": "vision.data.ImageCache",
            "image_size": int(image_size),
            "count": len(paths),
            "files_digest": _digest("\n".join(os.path.abspath(p) for p in paths)),
            "shard_size": int(shard_size),
            "decoder": decoder.settings(),
        }

    @classmethod
    def open(
        cls,
        cache_dir: str | Path,
        paths: Sequence[str | Path],
        image_size: int = 64,
        *,
        decoder: ImageDecoder | None = None,
        shard_size: int = DEFAULT_SHARD_SIZE,
        workers: int = 1,
        on_stale: str = "rebuild",
        progress: bool = True,
    ) -> ImageCache:
        """Open the cache of ``paths`` at ``image_size``; build, resume or rebuild it as needed.

        Args:
            cache_dir: folder holding the caches (created).
            paths: the image files, in dataset order (the order is part of the key).
            image_size: side of the square base images, pixels.
            decoder: the :class:`ImageDecoder` (default settings when None).
            shard_size: images per shard file (default 4096).
            workers: processes decoding shards in parallel (default 1: here).
            on_stale: ``"rebuild"`` (default) or ``"error"`` for a stale finished cache.
            progress: tqdm bar on stderr while building.
        """
        if on_stale not in _ON_STALE:
            raise InputError(f"on_stale must be one of {_ON_STALE}, not {on_stale!r}")
        if int(shard_size) < 1:
            raise InputError(f"the cache shard size must be >= 1 image, not {shard_size}")
        decoder = decoder or ImageDecoder()
        paths = [Path(p) for p in paths]
        folder = cls.folder_for(cache_dir, paths, image_size)
        with _build_lock(folder.with_name(f".{folder.name}.lock")):
            return cls._open_locked(
                folder,
                cache_dir,
                paths,
                image_size,
                decoder,
                shard_size,
                workers,
                on_stale,
                progress,
            )

    @classmethod
    def _open_locked(
        cls,
        folder: Path,
        cache_dir: str | Path,
        paths: list[Path],
        image_size: int,
        decoder: ImageDecoder,
        shard_size: int,
        workers: int,
        on_stale: str,
        progress: bool,
    ) -> ImageCache:
        """:meth:`open` while holding the cache's lock."""
        params = cls.parameters(paths, image_size, shard_size, decoder)
        params_digest = _digest(json.dumps(params, sort_keys=True))
        stats = _file_stats(paths)
        stats_digest = _digest(stats.tobytes())
        manifest_path = folder / "manifest.json"
        reason = None
        if manifest_path.is_file():
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                manifest = {}
                reason = f"unreadable manifest ({exc})"
            if reason is None:
                reason = cls._stale_reason(
                    folder, manifest, params, params_digest, paths, stats, stats_digest
                )
            if reason is None:
                logger.debug("image cache hit: %s", folder)
                return cls(folder, manifest)
            if on_stale == "error":
                raise InputError(
                    f"image cache {folder} is stale ({reason}); delete it or use "
                    "on_stale='rebuild' to rebuild it"
                )
            logger.warning("image cache %s is stale (%s); rebuilding", folder, reason)
        else:
            cls._warn_old_format(Path(cache_dir))
        cache = cls._build(
            folder, paths, params, params_digest, stats, decoder, workers, progress=progress
        )
        cache.rebuilt = reason is not None
        return cache

    @staticmethod
    def _warn_old_format(cache_dir: Path) -> None:
        if cache_dir.is_dir():
            old = sorted(cache_dir.glob("images-*px-*.npy"))
            if old:
                logger.warning(
                    "%s holds %d image cache file(s) of format version 1 (e.g. %s) that are no "
                    "longer read; delete them to free the disk space",
                    cache_dir,
                    len(old),
                    old[0].name,
                )

    @staticmethod
    def _stale_reason(
        folder: Path,
        manifest: dict[str, Any],
        params: dict[str, Any],
        params_digest: str,
        paths: Sequence[Path],
        stats: np.ndarray,
        stats_digest: str,
    ) -> str | None:
        """Why a finished cache cannot be used as it is (None: same parameters and files)."""
        if manifest.get("params_digest") != params_digest:
            old, new = _flat(manifest), _flat(params)
            diff = [k for k in new if old.get(k) != new[k]]
            detail = ", ".join(f"{k} {old.get(k)!r} -> {new[k]!r}" for k in diff)
            return f"built with other parameters: {detail or 'unknown'}"
        if manifest.get("stats_digest") == stats_digest:
            return None
        try:
            old_stats = np.load(folder / "stats.npy")
        except (OSError, ValueError):
            return "stats.npy missing or unreadable"
        changed = np.flatnonzero((old_stats != stats).any(axis=1))
        first = f"; e.g. {paths[int(changed[0])]}" if len(changed) else ""
        return f"{len(changed)} image file(s) changed since the build{first}"

    @classmethod
    def _build(
        cls,
        folder: Path,
        paths: Sequence[Path],
        params: dict[str, Any],
        params_digest: str,
        stats: np.ndarray,
        decoder: ImageDecoder,
        workers: int,
        *,
        progress: bool,
    ) -> ImageCache:
        size, shard_size = int(params["image_size"]), int(params["shard_size"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").unlink(missing_ok=True)  # unfinished from here on
        build_path = folder / "build.json"
        try:
            started = json.loads(build_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            started = None
        if started != params:
            if started is not None:
                logger.warning(
                    "image cache %s: an unfinished build with other parameters is discarded",
                    folder,
                )
            for old in folder.glob("shard-*"):
                old.unlink()
            (folder / "stats.npy").unlink(missing_ok=True)
            with atomic_write(build_path) as fh:
                json.dump(params, fh, indent=1, sort_keys=True)
        ranges = chunks(len(paths), shard_size)
        bad: dict[str, str] = {}
        tasks = []
        for index, (start, stop) in enumerate(ranges):
            shard_stats = _digest(stats[start:stop].tobytes())
            done = cls._finished_shard(folder, index, params_digest, shard_stats)
            if done is not None:
                bad.update(done)
                continue
            tasks.append(
                (
                    str(folder),
                    index,
                    start,
                    [str(p) for p in paths[start:stop]],
                    size,
                    decoder,
                    params_digest,
                    shard_stats,
                )
            )
        kept = len(ranges) - len(tasks)
        if kept and tasks:
            logger.info(
                "image cache %s: resuming; %d of %d shards already built", folder, kept, len(ranges)
            )
        todo = sum(len(t[3]) for t in tasks)
        with tqdm(
            total=todo, desc="caching images", unit="img", disable=not progress or not todo
        ) as bar:
            for _, n, shard_bad in map_tasks(_build_shard, tasks, workers):
                bad.update(shard_bad)
                bar.update(n)
        with atomic_path(folder / "stats.npy") as tmp, open(tmp, "wb") as fh:
            np.save(fh, stats)
        manifest = {
            **params,
            "params_digest": params_digest,
            "stats_digest": _digest(stats.tobytes()),
            "shards": len(ranges),
            "first_file": str(paths[0]) if paths else None,
            "bad": {k: bad[k] for k in sorted(bad, key=int)},
            "versions": package_versions(),
        }
        with atomic_write(folder / "manifest.json") as fh:
            json.dump(manifest, fh, indent=1, sort_keys=True)
        logger.info(
            "built image cache %s: %d images (%d decoded now), %d bad",
            folder,
            len(paths),
            todo,
            len(bad),
        )
        cache = cls(folder, manifest)
        cache.decoded = todo
        cache.resumed_shards = kept
        return cache

    @staticmethod
    def _finished_shard(
        folder: Path, index: int, params_digest: str, stats_digest: str
    ) -> dict[str, str] | None:
        """The bad rows of a finished shard that is still valid, else None (to build)."""
        name = _shard_name(index)
        try:
            record = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        if (
            record.get("params_digest") != params_digest
            or record.get("stats_digest") != stats_digest
            or not (folder / f"{name}.npy").is_file()
        ):
            return None
        return dict(record.get("bad", {}))
