"""Corpus readers: Wikipedia XML dumps, WikiExtractor output and plain text as clean sentences.

>>> from corpora import open_corpus, PhraseMatcher
>>> corpus = open_corpus("enwiki-pages-articles.xml.bz2", matcher=PhraseMatcher(names))
>>> for doc in corpus: doc.sentences, doc.mentions
"""

from corpora.corpus import Corpus, open_corpus
from corpora.corpus_stats import CorpusStats
from corpora.document import Document
from corpora.errors import CorruptInputError, InputError
from corpora.multistream_writer import write_multistream
from corpora.phrase_matcher import PhraseMatcher, normalize_label_name, plural_forms
from corpora.reader_registry import create_reader, list_readers, register_reader
from corpora.sentence_writer import write_sentences
from corpora.shard import Shard
from corpora.tokenizer import Tokenizer
from corpora.wikitext_cleaner import clean_wikitext, is_disambiguation

__all__ = [
    "Corpus",
    "CorpusStats",
    "CorruptInputError",
    "Document",
    "InputError",
    "PhraseMatcher",
    "Shard",
    "Tokenizer",
    "clean_wikitext",
    "create_reader",
    "is_disambiguation",
    "list_readers",
    "normalize_label_name",
    "open_corpus",
    "plural_forms",
    "register_reader",
    "write_multistream",
    "write_sentences",
]
