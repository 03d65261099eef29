"""Counters collected while reading a corpus."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

__all__ = ["CorpusStats"]


@dataclass
class CorpusStats:
    """What a pass over a corpus saw.

    Attributes:
        files: input files opened (a multistream dump counts once).
        pages: ``<page>`` blocks / documents read, of every kind.
        articles: documents yielded (main namespace, not redirects, not skipped).
        redirects: redirect pages skipped.
        skipped: pages skipped for their namespace or as disambiguation pages.
        sentences: sentences yielded.
        tokens: tokens yielded (a joined label phrase counts as one token).
        label_mentions: label mentions found (one per label for phrases shared by labels).
        bad_pages: broken pages (or broken file tails) skipped with ``skip_bad_pages``.
        uncompressed_bytes: bytes of decompressed input read.
        compressed_bytes: bytes of (possibly compressed) input files read.
        seconds: wall-clock seconds of the pass.
    """

    files: int = 0
    pages: int = 0
    articles: int = 0
    redirects: int = 0
    skipped: int = 0
    sentences: int = 0
    tokens: int = 0
    label_mentions: int = 0
    bad_pages: int = 0
    uncompressed_bytes: int = 0
    compressed_bytes: int = 0
    seconds: float = 0.0

    def merge(self, other: CorpusStats) -> CorpusStats:
        """Add ``other``'s counters into this one (in place) and return ``self``."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def to_dict(self) -> dict[str, float]:
        """Plain dict of all counters (JSON-safe)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> CorpusStats:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
