"""Raw page -> Document: filter, clean wikitext (or another extractor's leftovers), split and
tokenize, find label phrases."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from corpora import _speedups
from corpora._raw_page import RawPage
from corpora.corpus_stats import CorpusStats
from corpora.document import Document
from corpora.image_captions import image_captions
from corpora.mediawiki_reader import xml_unescape
from corpora.namespace_table import DEFAULT_NAMESPACES, NamespaceTable
from corpora.phrase_matcher import PhraseMatcher
from corpora.tokenizer import Tokenizer
from corpora.wikitext_cleaner import clean_extracted_text, clean_wikitext, is_disambiguation

__all__ = ["Pipeline"]


@dataclass
class Pipeline:
    """The per-page processing shared by the serial and the parallel paths (picklable).

    ``captions``: also extract the image captions of wikitext pages into
    :attr:`Document.captions <corpora.Document.captions>` (default ``False``; the sentences
    are the same either way)."""

    tokenizer: Tokenizer
    matcher: PhraseMatcher | None = None
    namespaces: tuple[int, ...] | None = (0,)
    skip_disambiguation: bool = False
    captions: bool = False

    def process(self, page: RawPage, stats: CorpusStats) -> Document | None:
        """The document of ``page``, or ``None`` when it is filtered out (counted in stats)."""
        if page.redirect:
            stats.redirects += 1
            return None
        if self.namespaces is not None and page.ns not in self.namespaces:
            stats.skipped += 1
            return None
        text = page.text
        escaped = page.escaped
        captions: list[list[str]] = []
        if page.markup:
            if self.skip_disambiguation:
                if escaped:
                    text = xml_unescape(text)
                    escaped = False
                if is_disambiguation(text, page.title):
                    stats.skipped += 1
                    return None
            sentences = _wikitext_sentences(self.tokenizer, text, escaped, page.namespaces)
            if self.captions:
                captions = self._captions(xml_unescape(text) if escaped else text, page)
        else:
            if escaped:
                text = xml_unescape(text)
            if self.skip_disambiguation and page.title.endswith("(disambiguation)"):
                stats.skipped += 1
                return None
            sentences = self.tokenizer.sentences(clean_extracted_text(text))
        if self.matcher is not None:
            if self.tokenizer.lowercase:
                sentences, mentions = self.matcher.match_sentences(sentences)
            else:
                sentences, mentions = _match_cased(self.matcher, sentences)
            stats.label_mentions += sum(map(len, mentions))
        else:
            mentions = [[] for _ in sentences]
        caption_mentions: list[list[tuple[int, int]]] = []
        if captions:
            if self.matcher is None:
                caption_mentions = [[] for _ in captions]
            elif self.tokenizer.lowercase:
                captions, caption_mentions = self.matcher.match_sentences(captions)
            else:
                captions, caption_mentions = _match_cased(self.matcher, captions)
        stats.articles += 1
        stats.sentences += len(sentences)
        stats.tokens += sum(map(len, sentences))
        return Document(page.page_id, page.title, sentences, mentions, captions, caption_mentions)

    def _captions(self, text: str, page: RawPage) -> list[list[str]]:
        """One token list per image caption of the (unescaped) wikitext ``text``."""
        out = []
        for caption in image_captions(text, page.namespaces):
            tokens = [t for sentence in self.tokenizer.sentences(caption) for t in sentence]
            if tokens:
                out.append(tokens)
        return out

    def run(self, pages: Iterable[RawPage], stats: CorpusStats) -> Iterator[Document]:
        """Process a stream of pages, yielding the kept documents."""
        process = self.process
        for page in pages:
            doc = process(page, stats)
            if doc is not None:
                yield doc


def _wikitext_sentences(
    tokenizer: Tokenizer, text: str, escaped: bool, namespaces: NamespaceTable | None
) -> list[list[str]]:
    """``tokenizer.sentences(clean_wikitext(xml_unescape(text) if escaped else text,
    tidy=False))``: one call into the compiled code where it runs (it resolves the XML
    entities, cleans and tokenizes without making the cleaned text a ``str``)."""
    fast = _speedups.active
    if fast is not None:
        names = (namespaces or DEFAULT_NAMESPACES).names
        out = fast.clean_sentences(
            text, names, escaped, tokenizer.lowercase, tokenizer._compiled_min_tokens()
        )
        if out is not None:
            return tokenizer._compiled_numbers(out)
    if escaped:
        text = xml_unescape(text)
    return tokenizer.sentences(clean_wikitext(text, tidy=False, namespaces=namespaces))


def _match_cased(
    matcher: PhraseMatcher, sentences: list[list[str]]
) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
    """Match on lower-cased tokens but keep the original case of unmatched tokens."""
    out_s: list[list[str]] = []
    out_m: list[list[tuple[int, int]]] = []
    for toks in sentences:
        joined, mentions = matcher.match([t.lower() for t in toks], original=toks)
        out_s.append(joined)
        out_m.append(mentions)
    return out_s, out_m
