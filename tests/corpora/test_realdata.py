"""Real Wikipedia: the gensim sample dumps (always installed) and ../shared/data (realdata)."""

from pathlib import Path

import pytest

from corpora import PhraseMatcher, open_corpus
from corpora.formats.class_descriptions import read_label_names


def test_gensim_enwiki_sample(gensim_wiki_dump: Path) -> None:
    corpus = open_corpus(gensim_wiki_dump, progress=False)
    titles = []
    for doc in corpus:
        titles.append(doc.title)
        for sent in doc.sentences:
            assert all(t and "{{" not in t and "[[" not in t for t in sent)
    s = corpus.stats
    assert (s.pages, s.articles, s.redirects) == (206, 106, 100)
    assert titles[0] == "Anarchism" and s.tokens > 400_000


def test_gensim_bgwiki_utf16() -> None:
    from gensim.test.utils import datapath

    corpus = open_corpus(datapath("bgwiki-latest-pages-articles-shortened.xml.bz2"), progress=False)
    docs = list(corpus)
    assert corpus.stats.pages == 3 and docs[0].title == "Григориански календар"
    assert docs[0].sentences[0][:2] == ["григорианският", "календар"]


@pytest.mark.realdata
def test_shared_xml_sample_schema_011(shared_data: Path) -> None:
    corpus = open_corpus(
        shared_data / "wikipedia/xml/enwiki-2024-tiny-sample.xml.bz2", progress=False
    )
    titles = [d.title for d in corpus]
    assert corpus.stats.pages == 70 and corpus.stats.articles == 6 and corpus.stats.redirects == 64
    assert titles[:2] == ["Anarchism", "Albedo"]


@pytest.mark.realdata
def test_shared_wikiextractor_slice(shared_data: Path) -> None:
    root = shared_data / "wikipedia/enwiki-2015-extracted"
    codes, names = read_label_names(shared_data / "openimages/class-descriptions.csv")
    assert len(codes) == len(names) > 19_000
    corpus = open_corpus(
        str(root / "AA" / "wiki_0[0]*"), matcher=PhraseMatcher(names), progress=False
    )
    docs = list(corpus)
    assert docs[0].doc_id == "12" and docs[0].title == "Anarchism"
    assert docs[0].sentences[0][:3] == ["anarchism", "is", "a"]
    assert corpus.stats.label_mentions > 1000 and corpus.stats.bad_pages == 0
