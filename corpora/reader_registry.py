"""Registry of corpus readers and the factory that picks one for a path."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from corpora._raw_page import RawPage
from corpora.corpus_stats import CorpusStats
from corpora.errors import InputError
from corpora.shard import Shard

__all__ = ["Reader", "register_reader", "create_reader", "list_readers", "detect_reader"]


class Reader(Protocol):
    """What a reader provides (see :mod:`corpora.mediawiki_reader` for an example)."""

    name: str

    @classmethod
    def sniff(cls, head: bytes, path: str) -> bool:
        """Whether the decompressed file head looks like this format."""

    def shards(self, path: str, file_index: int) -> list[Shard]:
        """Split one input file into independently readable shards."""

    def read(self, shard: Shard, stats: CorpusStats, skip_bad_pages: bool) -> Iterator[RawPage]:
        """Yield the raw pages of a shard, counting pages/bytes/bad pages into ``stats``."""


_READERS: dict[str, type] = {}


def register_reader(name: str, priority: int = 100) -> Callable[[type], type]:
    """Class decorator adding a reader under ``name``; lower ``priority`` is sniffed first."""

    def deco(cls: type) -> type:
        cls.name = name
        cls.priority = priority
        _READERS[name] = cls
        return cls

    return deco


def list_readers() -> list[str]:
    """Registered reader names, in sniffing order."""
    _load_builtin()
    return sorted(_READERS, key=lambda n: (_READERS[n].priority, n))


def create_reader(name: str, **options: Any) -> Reader:
    """Instantiate the reader registered as ``name`` with its options."""
    _load_builtin()
    try:
        cls = _READERS[name]
    except KeyError:
        raise InputError(
            f"unknown corpus format {name!r}; known formats: {', '.join(_READERS)}"
        ) from None
    return cls(**options)


def detect_reader(path: str | os.PathLike[str], head: bytes) -> str | None:
    """Name of the first registered reader whose ``sniff`` accepts the file, or ``None``."""
    _load_builtin()
    for name in list_readers():
        if _READERS[name].sniff(head, os.fspath(path)):
            return name
    return None


def _load_builtin() -> None:
    # Importing the modules registers them.
    import corpora.mediawiki_reader  # noqa: F401
    import corpora.plain_text_reader  # noqa: F401
    import corpora.wikiextractor_reader  # noqa: F401
