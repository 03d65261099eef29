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
        captions: one token list per image caption of the page (framed file links and
            gallery lines, :func:`corpora.image_captions.image_captions`), only when the
            corpus is opened with ``captions=True`` and the page is wikitext; kept apart from
            ``sentences``, which never hold caption text. Empty otherwise.
        caption_mentions: the mentions of each caption, as ``mentions`` for ``sentences``.
    """

    doc_id: str
    title: str
    sentences: list[list[str]] = field(default_factory=list)
    mentions: list[list[tuple[int, int]]] = field(default_factory=list)
    captions: list[list[str]] = field(default_factory=list)
    caption_mentions: list[list[tuple[int, int]]] = field(default_factory=list)

    @property
    def num_tokens(self) -> int:
        """Number of tokens over all sentences (a joined phrase counts as one)."""
        return sum(map(len, self.sentences))
