"""One cleaned, tokenized document (a Wikipedia article, a WikiExtractor doc, a text block)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Document"]


@dataclass(slots=True)
class Document:
    """A document as sentences of tokens.

    Attributes:
        doc_id: page id (MediaWiki / WikiExtractor) or ``"file:line"`` for plain text.
        title: page title ("" for plain text).
        sentences: one token list per sentence; with a :class:`~corpora.PhraseMatcher` the
            label phrases are joined into single tokens (``"grocery_store"``).
        mentions: per sentence, ``(token position, label index)`` pairs sorted by position,
            then label index (empty lists without a matcher).
    """

    doc_id: str
    title: str
    sentences: list[list[str]] = field(default_factory=list)
    mentions: list[list[tuple[int, int]]] = field(default_factory=list)

    @property
    def num_tokens(self) -> int:
        """Number of tokens over all sentences (a joined phrase counts as one)."""
        return sum(map(len, self.sentences))
