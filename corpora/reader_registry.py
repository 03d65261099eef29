"""The catalogue of corpus readers (one per input format) and its factory functions.

Readers register themselves with :func:`register_reader` where they are defined;
``corpora/__init__.py`` imports the built-in reader modules, so this module never imports
them. Sniffing tries the readers in ``priority`` order (lower first).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from corpora._raw_page import RawPage
from corpora.catalogue import Catalogue
from corpora.corpus_stats import CorpusStats
from corpora.shard import Shard

__all__ = [
    "READERS",
    "Reader",
    "register_reader",
    "create_reader",
    "list_readers",
    "detect_reader",
]


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


#: name -> reader class; the options of an entry are its constructor's keyword parameters.
READERS: Catalogue[Reader] = Catalogue("corpus format", order="priority")


def register_reader(name: str, priority: int = 100, **kw: Any) -> Callable[[type], type]:
    """Class decorator adding a reader under ``name``; lower ``priority`` is sniffed first.

    Further keywords (``aliases=``, ``help=``) go to :meth:`Catalogue.register`.
    """

    def deco(cls: type) -> type:
        cls.name = name
        cls.priority = priority
        READERS.add(name, cls, priority=priority, **kw)
        return cls

    return deco


def list_readers() -> list[str]:
    """Registered reader names, in sniffing order."""
    return READERS.names()


def create_reader(name: str, **options: Any) -> Reader:
    """Instantiate the reader registered as ``name`` with its options (checked by name).

    Raises:
        InputError: ``unknown corpus format 'x'; choose one of: ...`` or an unknown option.
    """
    return READERS.create(name, **options)


def detect_reader(path: str | os.PathLike[str], head: bytes) -> str | None:
    """Name of the first registered reader whose ``sniff`` accepts the file, or ``None``."""
    for entry in READERS.entries():
        if entry.factory.sniff(head, os.fspath(path)):
            return entry.name
    return None
