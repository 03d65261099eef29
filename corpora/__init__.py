"""Corpus readers: Wikipedia XML dumps, WikiExtractor output and plain text as clean sentences.

Entry point: :func:`open_corpus` picks a reader per file from its content (magic bytes, BOM,
first tag): MediaWiki ``pages-articles`` XML (``.xml``/``.bz2``/``.gz``, every export schema
from 0.3 to 0.11, any language, UTF-8/UTF-16, multistream bz2 split into shards by its
``-index.txt.bz2``), WikiExtractor
folders (``wiki_NN``, plain/bz2, ``<doc>`` blocks or ``--json`` lines) and plain text. A
folder or glob is one corpus. The :class:`Corpus` is re-iterable and yields
:class:`Document` objects (sentences of lower-cased tokens; with a :class:`PhraseMatcher`,
label phrases joined as ``grocery_store`` and ``(position, label)`` mentions), in the same
order for any ``processes``.

    >>> matcher = PhraseMatcher(["Grocery store", "Seal (animal)", "Seal"])
    >>> corpus = open_corpus("enwiki-pages-articles-multistream.xml.bz2", matcher=matcher,
    ...                      processes=2)
    >>> for doc in corpus: doc.sentences, doc.mentions
    >>> for shard, result in corpus.map_shards(count_fn): ...   # per-shard, resumable work
    >>> write_sentences(corpus, "sentences.txt", resume=True)   # gensim corpus_file

Links into other namespaces (files with their captions, categories, templates, ...) are
dropped by the names each dump declares in its ``<siteinfo><namespaces>``
(:class:`~corpora.namespace_table.NamespaceTable`: ``[[Datei:...]]`` in a German dump as
``[[File:...]]`` in an English one; MediaWiki's canonical English names are always known);
a dump that declares none is read with the canonical names and a warning. A page's namespace
is its ``<ns>``, or its title's prefix in schema 0.5 and older. ``open_corpus(...,
captions=True)`` keeps the image captions of wikitext pages (framed file links, gallery lines:
:mod:`corpora.image_captions`) apart, as :attr:`Document.captions`, without changing the
sentences; :mod:`corpora.scene_sentences` tells sentences that describe a scene.

The cleaner and the tokenizer have a compiled twin (``corpora/_ctext.c``, built by
``pip install -e .`` where a C compiler is at hand) that gives the same output several times
faster; without it, or with ``CORPORA_PURE_PYTHON=1``, the pure-Python code runs
(``corpora._speedups``).

A phrase shared by several labels (both "Seal" labels above) is one token in the output and
one mention *per label* at that position, so per-label counts count it for each label.
Broken input raises :class:`CorruptInputError` naming the file, the byte offset and the last
good page (``skip_bad_pages=True`` counts and skips instead); a missing path or unknown
format raises :class:`InputError`.

``corpora`` is also the base layer of the package: shared plumbing (:mod:`corpora.errors`,
:mod:`corpora.atomic`, :mod:`corpora.cli_common`, :mod:`corpora.catalogue`,
:mod:`corpora.versions`) and one parser per external file format (:mod:`corpora.formats`).
"""

from corpora.catalogue import import_plugins
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

# The readers (every module named ``*_reader``) register themselves in the reader catalogue when
# imported here (the catalogue never imports its readers): a new reader is one new file
# ``corpora/NAME_reader.py``.
import_plugins(__name__, __path__, suffix="_reader")
