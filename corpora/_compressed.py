"""Open plain, bz2 and gzip files by their magic bytes; decode text incrementally."""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import logging
import os
import queue
import re
import sys
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
    "iter_lines",
    "open_text_lines",
    "decompressed_chunks",
    "open_chunks",
    "prefetch_chunks",
    "cancel_prefetch",
    "ReadAhead",
]

logger = logging.getLogger(__name__)

# Compressed bytes handed to one decompress() call: large, so that a decompressing thread
# releases the GIL for long stretches (bz2.BZ2File feeds 8 KiB at a time, and each of those
# calls has to win the GIL back from the parsing thread).
BLOCK_BYTES = 1 << 18
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


def decompressed_chunks(
    path: str | os.PathLike[str],
    start: int | None = None,
    end: int | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[bytes]:
    """The decompressed content of a file (or of its bytes ``[start, end)``) as byte chunks.

    bz2 (one or several concatenated streams: multistream dumps) and gzip (one or several
    members) are decompressed here with one ``decompress()`` call per ``block_bytes`` of
    compressed input (default 256 KiB, about one bz2 block, giving chunks of about 1 MB);
    other files are read in ``block_bytes`` chunks. Same bytes and errors as
    :func:`open_binary` reads: a
    truncated stream raises :class:`EOFError`, corrupt data :class:`OSError` (bz2) or
    ``zlib.error`` (gzip), after the chunks decompressed before the damage. As in the
    ``bz2`` module, bytes after the last complete stream that are not bz2 data (no ``BZh``
    magic) are ignored, with a warning; a damaged stream always raises.

    Args:
        path: the file.
        start: first byte to read (default: the start of the file); with ``end``, the range
            must hold whole bz2 streams (a multistream shard).
        end: byte after the last one to read (default: the end of the file).
        block_bytes: compressed bytes per read (default 256 KiB).
    """
    return _decompress(path, compression_of(path), start, end, block_bytes)


def _decompress(
    path: str | os.PathLike[str],
    kind: str,
    start: int | None = None,
    end: int | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[bytes]:
    """:func:`decompressed_chunks` for a file whose :func:`compression_of` is ``kind``."""
    with open(path, "rb") as fh:
        if start:
            fh.seek(start)
        remaining = None if end is None else end - (start or 0)

        def read() -> bytes:
            nonlocal remaining
            if remaining is None:
                return fh.read(block_bytes)
            data = fh.read(min(block_bytes, remaining))
            remaining -= len(data)
            return data

        if not kind:
            while data := read():
                yield data
            return
        new = bz2.BZ2Decompressor if kind == "bz2" else _gzip_decompressor
        dec = new()
        fed = False  # the current stream has been given input
        complete = 0  # streams decompressed to their end
        while data := read():
            while data:
                try:
                    out = dec.decompress(data)
                except DECOMPRESSION_ERRORS:
                    if complete and not fed and kind == "bz2" and not data.startswith(b"BZh"):
                        # Bytes after the last stream that are not a stream: ignored, as
                        # bz2.open does. (bz2.open also ends silently at a *damaged* next
                        # stream when the damage is in its first 8 KiB; here that raises.)
                        logger.warning(
                            "%s: %d bytes after the last bz2 stream are not bz2 data; ignored",
                            path,
                            len(data),
                        )
                        return
                    raise
                fed = True
                if out:
                    yield out
                if not dec.eof:
                    break
                complete += 1
                data = dec.unused_data
                if kind == "gz":
                    data = data.lstrip(b"\0")  # gzip allows zero padding after a member
                dec = new()
                fed = False
        if fed or not complete:
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")


def _gzip_decompressor() -> Any:
    return zlib.decompressobj(16 + zlib.MAX_WBITS)


_PartKey = tuple[str, "int | None", "int | None"]
_prefetched: dict[_PartKey, ReadAhead] = {}
_prefetch_lock = threading.Lock()


def _part_key(path: str | os.PathLike[str], start: int | None, end: int | None) -> _PartKey:
    return (os.path.abspath(path), start, end)


def prefetch_chunks(
    path: str | os.PathLike[str], start: int | None = None, end: int | None = None
) -> None:
    """Start decompressing a file (or bytes ``[start, end)`` of it) in a :class:`ReadAhead`
    thread now, for the ``open_chunks(path, start, end, readahead=True)`` that comes next.

    A serial pass calls this for shard k+1 when it starts shard k, so the decompressor is
    never idle at a shard boundary. Plain files are not prefetched. Pair every call with
    :func:`cancel_prefetch` (a no-op once the prefetch has been taken by ``open_chunks``).
    """
    kind = compression_of(path)
    if not kind:
        return
    key = _part_key(path, start, end)
    with _prefetch_lock:
        if key not in _prefetched:
            _prefetched[key] = ReadAhead(_decompress(path, kind, start, end))


def cancel_prefetch(
    path: str | os.PathLike[str], start: int | None = None, end: int | None = None
) -> None:
    """Stop and drop a prefetch that ``open_chunks`` did not take (the pass ended early)."""
    with _prefetch_lock:
        ahead = _prefetched.pop(_part_key(path, start, end), None)
    if ahead is not None:
        ahead.close()


@contextlib.contextmanager
def open_chunks(
    path: str | os.PathLike[str],
    start: int | None = None,
    end: int | None = None,
    readahead: bool = False,
) -> Iterator[Iterator[bytes]]:
    """``with open_chunks(path) as chunks:`` the :func:`decompressed_chunks` of a file,
    produced by a :class:`ReadAhead` thread when ``readahead`` is true and the file is
    compressed (a plain file gains nothing from it), or taken over from
    :func:`prefetch_chunks`. The file is closed (and the thread joined) when the block ends."""
    kind = compression_of(path)
    if readahead and kind:
        with _prefetch_lock:
            ahead = _prefetched.pop(_part_key(path, start, end), None)
        if ahead is None:
            ahead = ReadAhead(_decompress(path, kind, start, end))
        with ahead:
            yield ahead
    else:
        chunks = _decompress(path, kind, start, end)
        with contextlib.closing(chunks):
            yield chunks


def iter_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Lines (without newline) of a stream of text chunks."""
    rest = ""
    for chunk in chunks:
        parts = (rest + chunk).split("\n")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


@contextlib.contextmanager
def open_text_lines(
    path: str | os.PathLike[str],
    encoding: str,
    counter: list[int],
    errors: str = "strict",
    stats: Any = None,
    readahead: bool = False,
) -> Iterator[Iterator[str]]:
    """``with open_text_lines(path, "utf-8", counter) as lines:`` the decoded lines of a
    (possibly compressed) text file; ``counter``, ``errors`` and ``stats`` as in
    :func:`iter_text_chunks`, ``readahead`` as in :func:`open_chunks`."""
    with open_chunks(path, readahead=readahead) as chunks:
        yield iter_lines(iter_text_chunks(chunks, encoding, counter, errors=errors, stats=stats))


_DONE = object()
# While a read-ahead thread runs, the interpreter's switch interval is lowered to this many
# seconds (from Python's default 0.005). After each decompress() call the thread must win the
# GIL back from the parsing thread, which holds it for up to one switch interval: at 5 ms the
# decompressor idled about half the time (a serial pass on 2 cores gained 1.15x over one core;
# 1.45x at 0.5 ms, 1.7x with the next shard prefetched as well).
READAHEAD_SWITCH_INTERVAL = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved: float | None = None


def _lower_switch_interval() -> None:
    global _switch_users, _switch_saved
    with _switch_lock:
        _switch_users += 1
        current = sys.getswitchinterval()
        if _switch_users == 1 and current > READAHEAD_SWITCH_INTERVAL:
            _switch_saved = current
            sys.setswitchinterval(READAHEAD_SWITCH_INTERVAL)


def _restore_switch_interval() -> None:
    global _switch_users, _switch_saved
    with _switch_lock:
        _switch_users -= 1
        if _switch_users == 0 and _switch_saved is not None:
            # Only undo our own change (the program may have set another value since).
            if sys.getswitchinterval() == READAHEAD_SWITCH_INTERVAL:
                sys.setswitchinterval(_switch_saved)
            _switch_saved = None


class ReadAhead:
    """Iterate over byte chunks produced by a background thread.

    bz2 and zlib release the GIL while they decompress, so the thread decompresses the next
    chunks while the caller parses and cleans the previous ones (on two cores the wall time
    of a serial pass drops from decompression + processing towards the larger of the two;
    CPU time is unchanged). At most ``depth`` chunks wait in memory. Errors raised by the
    chunk iterator (truncated or corrupt data) are raised by ``__next__`` at the point where
    the data ends, as a plain loop would. Call :meth:`close` (or use ``with``); it stops and
    joins the thread, then closes the iterator (which closes its file).

    While any read-ahead runs, the interpreter's switch interval
    (:func:`sys.setswitchinterval`) is at most ``READAHEAD_SWITCH_INTERVAL`` (0.5 ms), so that
    the thread gets the GIL back soon after each decompression step; the previous value is
    restored when the last one closes.

    Args:
        chunks: an iterable of byte chunks, usually :func:`decompressed_chunks`.
        depth: chunks produced ahead at most (default 4).
    """

    def __init__(self, chunks: Iterable[bytes], depth: int = 4) -> None:
        self._chunks = iter(chunks)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._finished = False
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, args=(self._chunks,), name="corpora-readahead", daemon=True
        )
        _lower_switch_interval()
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, chunks: Iterator[bytes]) -> None:
        try:
            for data in chunks:
                if self._stop.is_set() or not self._put(data):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(exc)
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
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
        """Stop the thread, wait for it and close the chunk iterator (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._finished = True
        self._stop.set()
        while self._thread.is_alive():
            try:  # unblock a put() waiting on a full queue
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(timeout=0.05)
        _restore_switch_interval()
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
