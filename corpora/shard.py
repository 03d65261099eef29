"""A unit of work: one input file, or one byte range of streams of a multistream dump."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Shard"]


@dataclass(frozen=True)
class Shard:
    """A piece of a corpus that can be read independently of the others.

    Attributes:
        key: stable, filename-safe identifier (unique inside its corpus).
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
