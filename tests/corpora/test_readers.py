import bz2
import gzip
import json
from pathlib import Path

import pytest

from corpora import CorruptInputError, InputError, PhraseMatcher, open_corpus
from corpora.multistream_writer import write_multistream

EXPECTED = {
    "1": [["cat", "is", "a", "small", "feline"], ["it", "likes", "a", "grocery", "store"]],
    "2": [["a", "dog", "barks"], ["dogs", "and", "cats", "play"]],
    "5": [["the", "seal", "swims"], ["seals", "eat", "fish"]],
}


def _docs(corpus):
    return {d.doc_id: d.sentences for d in corpus}


@pytest.mark.parametrize("schema", ["0.10", "0.11"])
@pytest.mark.parametrize("compress", ["bz2", "gz", ""])
def test_mediawiki_schemas_and_compression(write_dump, schema: str, compress: str) -> None:
    path = write_dump(
        f"d-{schema}.xml{'.' + compress if compress else ''}", schema=schema, compress=compress
    )
    corpus = open_corpus(path, progress=False)
    assert _docs(corpus) == EXPECTED
    s = corpus.stats
    assert (s.files, s.pages, s.articles, s.redirects, s.skipped) == (1, 5, 3, 1, 1)
    assert s.sentences == 6 and s.tokens == 23 and s.bad_pages == 0
    assert (
        s.uncompressed_bytes == len(path.read_bytes()) if not compress else s.uncompressed_bytes > 0
    )
    assert [d.title for d in corpus] == ["Cat", "Dog", "Seal (animal)"]  # re-iterable


def test_utf16(write_dump) -> None:
    path = write_dump("d16.xml.bz2", encoding="utf-16-le")
    assert _docs(open_corpus(path, progress=False)) == EXPECTED


def test_namespaces_and_disambiguation(write_dump, micro_pages) -> None:
    pages = micro_pages + [("Seal", "'''Seal''' may mean:\n* a [[seal]]\n{{disambiguation}}", 6)]
    path = write_dump("d.xml.bz2", pages=pages)
    assert set(_docs(open_corpus(path, progress=False))) == {"1", "2", "5", "6"}
    c = open_corpus(path, progress=False, skip_disambiguation=True, namespaces=None)
    assert set(_docs(c)) == {"1", "2", "3", "5"} and c.stats.skipped == 1


def test_matcher_in_corpus(write_dump) -> None:
    m = PhraseMatcher(["Grocery store", "Seal (animal)", "Cat"])
    docs = {d.doc_id: d for d in open_corpus(write_dump("d.xml"), matcher=m, progress=False)}
    assert docs["1"].sentences[1] == ["it", "likes", "a", "grocery_store"]
    assert docs["1"].mentions == [[(0, 2)], [(3, 0)]]
    assert docs["2"].mentions == [[], [(2, 2)]]  # "cats"
    assert docs["5"].mentions == [[(1, 1)], [(0, 1)]]  # "seal", "seals"


def test_multistream_with_index(write_dump, tmp_path: Path) -> None:
    src = write_dump("src.xml.bz2")
    out, index = write_multistream(
        src, tmp_path / "ms-multistream.xml.bz2", pages_per_stream=1, repeat=3
    )
    assert index.name == "ms-multistream-index.txt.bz2"
    corpus = open_corpus(out, progress=False, shard_mb=1e-6)  # one stream per shard
    shards = corpus.shards()
    assert len(shards) > 5 and shards[0].start == 0 and shards[-1].is_last
    docs = [(d.doc_id, d.sentences) for d in corpus]
    assert [s for _, s in docs] == list(EXPECTED.values()) * 3
    assert corpus.stats.pages == 15 and corpus.stats.files == 1
    # the same dump without its index is one shard with the same documents
    alone = tmp_path / "alone" / "x.xml.bz2"
    alone.parent.mkdir()
    alone.write_bytes(out.read_bytes())
    single = open_corpus(alone, progress=False)
    assert len(single.shards()) == 1 and [(d.doc_id, d.sentences) for d in single] == docs
    # an index passed explicitly (as a second source) is used too
    assert len(open_corpus([alone, index], progress=False).shards()) == 1  # other stem
    assert len(open_corpus(alone, index=index, progress=False, shard_mb=1e-6).shards()) == len(
        shards
    )


def _wikiextractor_text() -> str:
    return (
        '<doc id="12" url="http://x?curid=12" title="Anarchism">\nAnarchism\n\n'
        "Anarchism is a philosophy. It is old.\n</doc>\n"
        '<doc id="25" url="http://x?curid=25" title="Autism">\nAutism\n\nAutism is a condition.\n</doc>\n'
    )


def test_wikiextractor_plain_bz2_and_json(tmp_path: Path) -> None:
    (tmp_path / "AA").mkdir()
    (tmp_path / "AA" / "wiki_00").write_text(_wikiextractor_text(), encoding="utf-8")
    (tmp_path / "AB").mkdir()
    (tmp_path / "AB" / "wiki_00.bz2").write_bytes(bz2.compress(_wikiextractor_text().encode()))
    lines = [json.dumps({"id": "7", "url": "u", "title": "Cat", "text": "Cat\n\nA cat sleeps."})]
    (tmp_path / "AC").mkdir()
    (tmp_path / "AC" / "wiki_00").write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = open_corpus(tmp_path, progress=False)
    docs = [(d.doc_id, d.title, d.sentences) for d in corpus]
    expected = [
        ("12", "Anarchism", [["anarchism", "is", "a", "philosophy"], ["it", "is", "old"]]),
        ("25", "Autism", [["autism", "is", "a", "condition"]]),
    ]
    assert docs == expected + expected + [("7", "Cat", [["cat"], ["a", "cat", "sleeps"]])]
    assert corpus.stats.files == 3 and corpus.stats.pages == 5
    # a glob is one corpus too
    assert len(list(open_corpus(str(tmp_path / "A[AB]" / "wiki_*"), progress=False))) == 4


def test_plain_text_modes(tmp_path: Path) -> None:
    (tmp_path / "lines.txt").write_text("First doc here.\nSecond doc. Two sentences.\n")
    (tmp_path / "paras.txt.gz").write_bytes(gzip.compress(b"A para\nwrapped line.\n\nNext one.\n"))
    docs = [(d.doc_id, d.sentences) for d in open_corpus(tmp_path, progress=False)]
    assert docs == [
        ("lines.txt:1", [["first", "doc", "here"]]),
        ("lines.txt:2", [["second", "doc"], ["two", "sentences"]]),
        ("paras.txt.gz:1", [["a", "para", "wrapped", "line"]]),
        ("paras.txt.gz:4", [["next", "one"]]),
    ]


def test_missing_and_unknown(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.xml: no such file or folder"):
        open_corpus(tmp_path / "nope.xml")
    (tmp_path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00")
    with pytest.raises(InputError, match="img.png: unrecognised format"):
        open_corpus(tmp_path / "img.png")
    with pytest.raises(InputError, match="pattern matches no files"):
        open_corpus(str(tmp_path / "*.xml"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no files"):
        open_corpus(tmp_path / "empty")


def test_truncated_bz2(write_dump) -> None:
    path = write_dump("t.xml.bz2")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    corpus = open_corpus(path, progress=False)
    with pytest.raises(
        CorruptInputError,
        match=r"t\.xml\.bz2: compressed data is truncated or corrupt .*last good page",
    ):
        list(corpus)
    skipped = open_corpus(path, progress=False, skip_bad_pages=True)
    list(skipped)
    assert skipped.stats.bad_pages == 1


def test_truncated_xml_names_last_page(write_dump, tmp_path: Path) -> None:
    path = write_dump("t.xml", compress="")
    text = path.read_text()
    cut = text.index("<title>Seal (animal)")
    path.write_text(text[:cut])
    with pytest.raises(
        CorruptInputError,
        match=r"t\.xml: the XML ends early \(an unfinished <page>.*last good page 'Kitty' \(id 4\)",
    ):
        list(open_corpus(path, progress=False))
    c = open_corpus(path, progress=False, skip_bad_pages=True)
    assert [d.doc_id for d in c] == ["1", "2"] and c.stats.bad_pages == 1


def test_malformed_page_skipped(write_dump, micro_pages, tmp_path: Path) -> None:
    path = write_dump("m.xml", compress="")
    text = path.read_text().replace(
        "</text>\n    </revision>\n  </page>\n  <page>\n    <title>Dog", "<page>\n    <title>Dog", 1
    )
    path.write_text(text)
    with pytest.raises(CorruptInputError, match=r"m\.xml: malformed XML: <page> without </page>"):
        list(open_corpus(path, progress=False))
    c = open_corpus(path, progress=False, skip_bad_pages=True)
    assert [d.doc_id for d in c] == ["2", "5"] and c.stats.bad_pages == 1


def test_gz_truncated(write_dump) -> None:
    path = write_dump("g.xml.gz", compress="gz")
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(CorruptInputError, match=r"g\.xml\.gz: compressed data is truncated"):
        list(open_corpus(path, progress=False))


def test_keep_case_with_matcher_and_forced_format(write_dump, tmp_path: Path) -> None:
    m = PhraseMatcher(["Grocery store"])
    docs = list(open_corpus(write_dump("d.xml"), matcher=m, lowercase=False, progress=False))
    assert docs[0].sentences == [
        ["Cat", "is", "a", "small", "feline"],
        ["It", "likes", "a", "grocery_store"],
    ]
    assert docs[0].mentions == [[], [(3, 0)]]
    odd = tmp_path / "notes.dat"
    odd.write_text("one doc\ntwo doc\n")
    assert len(list(open_corpus(odd, format="text", documents="line", progress=False))) == 2
    with pytest.raises(
        InputError,
        match="unknown corpus format 'pdf'; choose one of: mediawiki, wikiextractor, text",
    ):
        open_corpus(odd, format="pdf")
