"""A unit of work (one input file, or one byte range of streams of a multistream dump) and
its key."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Shard", "safe_name", "shard_key"]

_SAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A filename-safe version of ``name`` (runs of other characters become ``_``)."""
    return _SAFE_RE.sub("_", name).strip("_") or "file"


def shard_key(file_index: int, name: str) -> str:
    """The key of a corpus file's shard(s): ``"0003-enwiki.xml.bz2"`` (index, then the
    filename-safe ``name``); a reader that splits a file appends ``-<part>`` to it."""
    return f"{file_index:04d}-{safe_name(name)}"


@dataclass(frozen=True)
class Shard:
    """A piece of a corpus that can be read independently of the others.

    Attributes:
        key: stable, filename-safe identifier (unique inside its corpus), see
            :func:`shard_key`.
        path: the input file.
        reader: name of the reader in the reader registry (``"mediawiki"``, ...).
        nbytes: bytes of (compressed) input in this shard.
        start: first byte of a multistream byte range (``None``: the whole file).
        end: end byte (exclusive) of the range (``None``: the whole file).
        encoding: text encoding detected from the file head (``None``: detect when read).
        is_last: whether this shard holds the end of its file (the ``</mediawiki>`` tag).
    """

    key: str
    path: str
    reader: str
    nbytes: int
    start: int | None = None
    end: int | None = None
    encoding: str | None = None
    is_last: bool = True
