"""Open plain, bz2 and gzip files by their magic bytes; decode text incrementally."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import os
import queue
import re
import threading
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

from corpora.errors import CorruptInputError, InputError

__all__ = [
    "open_binary",
    "compression_of",
    "read_head",
    "detect_encoding",
    "iter_text_chunks",
    "DECOMPRESSION_ERRORS",
    "range_stream",
    "read_chunks",
    "ReadAhead",
]

CHUNK_BYTES = 1 << 20
DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, gzip.BadGzipFile)
_XML_DECL_RE = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_\-]+)[\"']")


def compression_of(path: str | os.PathLike[str]) -> str:
    """``"bz2"``, ``"gz"`` or ``""`` from the file's first bytes."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(3)
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder, expected a file") from exc
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file; check the path") from exc
    if magic == b"BZh":
        return "bz2"
    if magic[:2] == b"\x1f\x8b":
        return "gz"
    return ""


def open_binary(path: str | os.PathLike[str]) -> IO[bytes]:
    """A binary stream of the decompressed content (multi-stream bz2/gz supported)."""
    kind = compression_of(path)
    if kind == "bz2":
        return bz2.open(path, "rb")
    if kind == "gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_head(path: str | os.PathLike[str], nbytes: int = 4096) -> bytes:
    """Up to ``nbytes`` decompressed bytes from the start of the file.

    A truncated or corrupt file yields what could be decompressed (possibly nothing); the
    error is reported when the file is read, with the page context.
    """
    kind = compression_of(path)
    with open(path, "rb") as fh:
        raw = fh.read(2_000_000 if kind else nbytes)
    try:
        if kind == "bz2":
            return bz2.BZ2Decompressor().decompress(raw, max_length=nbytes)
        if kind == "gz":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, nbytes)
    except (OSError, EOFError, zlib.error) as exc:
        raise CorruptInputError(
            f"{path}: cannot decompress the start of the file ({exc}); the file is corrupt "
            "or not really compressed; re-download it"
        ) from exc
    return raw


def detect_encoding(head: bytes) -> str:
    """Text encoding from a BOM, UTF-16 zero bytes or an XML declaration (default UTF-8)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[0] != 0 and head[3] == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[1] != 0 and head[2] == 0:
        return "utf-16-be"
    m = _XML_DECL_RE.match(head)
    if m:
        enc = m.group(1).decode("ascii").lower()
        try:
            codecs.lookup(enc)
        except LookupError:
            return "utf-8"
        return enc
    return "utf-8"


def iter_text_chunks(
    data_chunks: Iterable[bytes],
    encoding: str,
    counter: list[int],
    errors: str = "strict",
    stats: Any = None,
) -> Iterator[str]:
    """Decode byte chunks incrementally; ``counter[0]`` accumulates the bytes seen (and
    ``stats.uncompressed_bytes`` too, live, when ``stats`` is given).

    Decompression errors raised by ``data_chunks`` propagate (callers turn them into
    :class:`CorruptInputError` with the page context they know).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    for data in data_chunks:
        counter[0] += len(data)
        if stats is not None:
            stats.uncompressed_bytes += len(data)
        text = decoder.decode(data)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def read_chunks(stream: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """``stream.read(chunk_bytes)`` until the end."""
    read = stream.read
    while True:
        data = read(chunk_bytes)
        if not data:
            return
        yield data


def range_stream(path: str | os.PathLike[str], start: int, end: int) -> IO[bytes]:
    """Decompressed stream of the bz2 streams stored in bytes ``[start, end)`` of ``path``."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    return bz2.BZ2File(io.BytesIO(data), "rb")


_DONE = object()


class ReadAhead:
    """Iterate over ``stream.read(chunk_bytes)`` chunks read by a background thread.

    bz2 and zlib release the GIL while they decompress, so the thread decompresses the next
    chunks while the caller parses and cleans the previous ones (on two cores the wall time
    of a serial pass drops from decompression + processing towards the larger of the two;
    CPU time is unchanged). At most ``depth`` chunks wait in memory. Errors raised by the
    stream (truncated or corrupt data) are raised by ``__next__`` at the point where the
    data ends, as a plain read loop would. Call :meth:`close` (or use ``with``) before the
    stream is closed; it stops and joins the thread.

    Args:
        stream: a binary stream (usually decompressing).
        first: bytes already read from the stream, yielded first (default ``b""``: none).
        chunk_bytes: bytes per read (default 1 MiB).
        depth: chunks read ahead at most (default 4).
    """

    def __init__(
        self, stream: IO[bytes], first: bytes = b"", chunk_bytes: int = CHUNK_BYTES, depth: int = 4
    ) -> None:
        self._first = first
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=self._run, args=(stream, chunk_bytes), name="corpora-readahead", daemon=True
        )
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, stream: IO[bytes], chunk_bytes: int) -> None:
        read = stream.read
        try:
            while not self._stop.is_set():
                data = read(chunk_bytes)
                if not data:
                    break
                if not self._put(data):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(exc)
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._first:
            first, self._first = self._first, b""
            return first
        if self._finished:
            raise StopIteration
        item = self._queue.get()
        if item is _DONE:
            self._finished = True
            raise StopIteration
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        return item

    def close(self) -> None:
        """Stop the thread and wait for it (the stream may be closed afterwards)."""
        self._finished = True
        self._stop.set()
        while self._thread.is_alive():
            try:  # unblock a put() waiting on a full queue
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(timeout=0.05)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
