"""The compiled text pipeline (``corpora._ctext``) against the pure-Python reference.

Same output on hand-made fragments of every cleaner rule and tokenizer case, composed at
random (fixed seed), on every BMP letter, mark and digit, and on real Wikipedia (``realdata``:
the shared WikiExtractor corpus and the XML dumps). The selection of the backend (built or
not, current or stale, ``CORPORA_PURE_PYTHON``) is tested as well. Every other test of the
text modules runs with both backends (``tests/corpora/conftest.py``).
"""

from __future__ import annotations

import bz2
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from corpora import PhraseMatcher, Tokenizer, _speedups, clean_wikitext, open_corpus
from corpora._pipeline import _wikitext_sentences
from corpora.namespace_table import DEFAULT_NAMESPACES, NamespaceTable
from corpora.tokenizer import word_char_ranges

REPO = Path(__file__).resolve().parents[2]

# One or more fragments per rule of the cleaner (corpora/wikitext_cleaner.py) and per case of
# the tokenizer, with their edge cases: unclosed and stray delimiters, case-insensitive tag
# names with the characters that Python's regex equates with ASCII letters (İ ı ſ K), Unicode
# spaces, astral characters, joiners, every kind of entity.
# fmt: off
FRAGMENTS = [
    # comments
    "<!-- c -->", "<!-- unclosed", "-->", "<!--x-->y",
    # elements dropped with their content
    "<ref>r</ref>", "<ref name=x/>", "<REF>x</Ref >", "<ref>unclosed", "<math>x^2</math>",
    "<references/>", "<refs>kept</refs>", "<ref_x>", "<ref\u0131>", "</ref>",
    "<gallery>\nFile:x.jpg|cap\n</gallery>", "<source lang=x>code</source>",
    '<ref name="a/b">x</ref>', "<ref \u00e9>", "<\u017fource>x</source>", "</\u017fource>",
    "<ref>a</re\u212af>", "<chem>H2O</CHEM\t>", "<ref>x</ref\u00a0>", "<timeline", "<ref <b>",
    "<includeonly>t</includeonly>", "<math/>", "<ce>x</ce>",
    # templates and tables
    "{{t|a}}", "{{a|{{b}}}}", "}}", "{{", "\n{|\n|a\n|}", "\n:{| x\n|}", "\n |}", "{{{1|d}}}",
    "{{{", "|}}", "\n|}}", "{|", "{{a\n{|\n}}\n|}", "\n{| {{x}}",
    # links
    "[[a]]", "[[a|b]]", "[[a]]s", "[[a]]\u00fcber", "[[a]]1", "[[File:x.jpg|thumb|a [[b]] c]]",
    "[[Category:X|k]]", "[[:Category:X|y]]", "[[de:Foo]]", "[[wikt:foo|bar]]",
    "[[Datei:Pferd.jpg|mini|x]]", "[[Bild:Pferd.JPG ]]", "[[Foo (bar)|]]", "[[ foo : bar ]]",
    "[[Wikipedia:X]]", "[[simple:X]]", "[[zh-min-nan:X]]", "[[\u041a\u0430\u0442\u0435\u0433\u043e\u0440\u0438\u044f:\u041b\u043e\u0448\u0430\u0434\u0438]]",
    "[[\u0424\u0430\u0439\u043b:x.png|\u043c\u0438\u043d\u0438]]", "[[a|]]", "[[a", "a]]", "[[[a]]]", "[[x:y.g\u0131f]]",
    "[[x:y.svg\n]]", "[[  :x]]", "[[Image_talk:x]]", "[[w:  x|y]]", "[[a|b|c]]", "[[a:b|]]",
    "[[Foo (bar\n)|]]", "[[Template:X]]", "[[Portal:Y|z]]", "[[ab-cdefghijk:x]]",
    "[[\u00e9t\u00e9:x]]", "[[x:Y.tar.gz]]", "[[Media:a.ogg]]", "[[e\u0301:x]]", "[[a]]\u0301",
    # external links and URLs
    "[http://x.org label]", "[https://x y z ]", "[//x.org]", "[ftp://a b]", "[http:x]",
    "[http://a\u00a0b c]", "http://bare.org/x|y", "xhttps://a", "[http://a [b]",
    "ftp://", "http:// x", "[http://a\n\n]", "[http://a b\n c]", "https://a<b",
    # quotes, headings, lists, switches
    "''i''", "'''b'''", "'''''bi'''''", "l'x", "''", "\n== H ==", "\n=H", "\n===",
    "\n = H = ", "\n==H=", "\n=a=b=", "\n* a", "\n#: b", "\n----", "\n---", "\n ;x",
    "__TOC__", "__NOTOC__", "__init__", "__KEIN_INHALTSVERZEICHNIS__", "___A__", "__A__B__",
    "__\u00c4\u00d6__", "__\u00e4b__", "__\u00df__", "__A1_B2__", "__a_",
    # tags
    "<br>", "<br/>", "<br />", "</div>", "<span style=x>", "<small>", "</p >", "<p\u00a0x>",
    "<a1>", "< b>", "</ br>", "<br", "<x y<", "<BLOCKQUOTE>", "<ruby>a<rt>b</rt></ruby>",
    # HTML entities (after the XML unescaping of a dump)
    "&nbsp;", "&ndash;", "&#8212;", "&#x2014;", "&#X41;", "&amp;", "&ampx", "&notit;",
    "&#0;", "&#128;", "&#xD800;", "&#1114112;", "&#99999999999999999999;", "&#xFFFF;",
    "&#65534", "& x", "&#;", "&abcdefghijklmnopqrstuvwxyzabcdefghij;", "&#x1F600;", "&Eacute",
    "&\u00e9;", "&#13;", "&#x80;",
    # running text: sentence ends, abbreviations, initials, quotes, scripts
    "Mr. Smith", "J. Smith", "U.S. Army", "e.g. this", "Hello world. The end", 'a." B',
    "x! Y", "x? (Z)", "end.  \u00abQ", "Dr. X", "dr. X", "\u039f\u0394\u039f\u03a3. \u0391",
    "\u0130stanbul", "\u03a3\u0391\u03a3", "\u0918\u094b\u0921\u093c\u093e\u0964",
    "cafe\u0301", "ZW\u200dJ", "a\u200c", "\U00011013\U00011038", "\U0001f600 emoji",
    "\u6211\u6709\u4e00\u5339\u9a6c\u3002\u5b83\u5f88\u5feb", "\u216b. X", "\u00b2", "\u0663. X",
    "\x1c", "\u2028", "\u212a.", "Stra\u00dfe", "\ufb01 ligature", "1990s", "T-shirt",
    "children's", "x.\u201d Y", "a.\t\t\u2018B", "3.14", "i.e. a", "No. 5", "St. Louis",
    "\u0644\u0627 \u061f \u0646\u0639\u0645", "x\u200d\u200dy", "\u200cx", "\U0001d400bc",
    "\u1e9e", "\u0345", "\u2160\u2161", "\u00ad", "\u01c5", "\ud800", "\U000e0100",
]
# fmt: on
SEPARATORS = ["", " ", "\n", ". ", "|", "\n\n", "]]", "{{", "''", "<", "&"]
GERMAN = NamespaceTable({"Datei": 6, "Bild": 6, "Kategorie": 14, "Vorlage": 10})
TOKENIZERS = [
    Tokenizer(),
    Tokenizer(lowercase=False),
    Tokenizer(numbers="normalize", min_tokens=2),
    Tokenizer(numbers="drop"),
]


def _compiled_or_skip():
    ctext = _speedups.compiled()
    if ctext is None:
        pytest.skip(f"corpora's compiled text pipeline is not built: {_speedups.load_error()}")
    return ctext


def _both(fn):
    """``fn()`` with the compiled code, then with the Python code."""
    previous = _speedups.backend()
    try:
        _speedups.set_backend("compiled")
        fast = fn()
        _speedups.set_backend("python")
        slow = fn()
    finally:
        _speedups.set_backend(previous)
    return fast, slow


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cases(n: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    cases = list(FRAGMENTS)
    for _ in range(n):
        k = rng.randint(1, 8)
        parts = [rng.choice(FRAGMENTS) for _ in range(k)]
        cases.append("".join(p + rng.choice(SEPARATORS) for p in parts))
    return cases


def test_cleaner_same_output_on_fragments_and_their_compositions() -> None:
    _compiled_or_skip()
    for text in _cases(6000):
        for table in (None, GERMAN):
            for tidy in (False, True):
                fast, slow = _both(lambda t=text, n=table, y=tidy: clean_wikitext(t, y, n))
                assert fast == slow, (text, table, tidy)


def test_tokenizer_same_output_on_fragments_and_their_compositions() -> None:
    _compiled_or_skip()
    for text in _cases(6000, seed=16):
        for tok in TOKENIZERS:
            fast, slow = _both(lambda t=text, k=tok: k.sentences(t))
            assert fast == slow, (text, tok)


def test_page_pipeline_same_output_with_xml_entities() -> None:
    # The dump path: XML entities resolved, cleaned and tokenized in one compiled call.
    _compiled_or_skip()
    for text in _cases(3000, seed=17):
        escaped = _xml_escape(text)
        for tok in TOKENIZERS[:2]:
            fast, slow = _both(lambda e=escaped, k=tok: _wikitext_sentences(k, e, True, GERMAN))
            assert fast == slow, (text, tok)
    for raw in ["&#55296;", "&#xd800;x", "&#x110000;", "&#1114111;", "&amp;lt;", "&lt;ref&gt;x"]:
        fast, slow = _both(lambda r=raw: _wikitext_sentences(TOKENIZERS[0], r, True, None))
        assert fast == slow, raw


def test_every_bmp_word_character_in_both_cases() -> None:
    # Letters, marks and digits of the whole BMP, upper and lower case, one word each and in
    # runs: the compiled tokenizer lower-cases character by character, Python's str.lower()
    # by context (final sigma, dotted I), so both must agree everywhere.
    _compiled_or_skip()
    chars = [
        chr(c)
        for lo, hi in word_char_ranges(0, 0x10000)
        for c in range(lo, hi + 1)
        if not 0xD800 <= c <= 0xDFFF
    ]
    for step in (1, 7):
        text = " ".join("".join(chars[i : i + step]) for i in range(0, len(chars), step))
        for tok in TOKENIZERS[:2]:
            fast, slow = _both(lambda t=text, k=tok: k.sentences(t))
            assert fast == slow
            fast, slow = _both(lambda t=text.upper(), k=tok: k.sentences(t))
            assert fast == slow


def test_set_backend_and_backend_names() -> None:
    previous = _speedups.backend()
    try:
        assert _speedups.set_backend("python") == "python"
        assert _speedups.active is None
        if _speedups.compiled() is not None:
            assert _speedups.set_backend("auto") == "compiled"
        with pytest.raises(ValueError, match="unknown backend 'fast'"):
            _speedups.set_backend("fast")
    finally:
        _speedups.set_backend(previous)


def test_stale_build_falls_back_to_python(monkeypatch) -> None:
    ctext = _compiled_or_skip()
    monkeypatch.setattr(ctext, "ABI", _speedups.ABI + 1)
    monkeypatch.setattr(_speedups, "_loaded", None)
    monkeypatch.setattr(_speedups, "_load_error", "")
    assert _speedups.compiled() is None
    assert "rebuild it with `pip install -e .`" in _speedups.load_error()
    with pytest.raises(RuntimeError, match="compiled text pipeline is unavailable"):
        _speedups.set_backend("compiled")


def test_environment_variable_selects_python() -> None:
    code = "from corpora import _speedups; print(_speedups.backend())"
    env = {**os.environ, "PYTHONPATH": str(REPO), _speedups.ENV_PURE_PYTHON: "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "python", out.stderr
    env[_speedups.ENV_PURE_PYTHON] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    expected = "compiled" if _speedups.compiled() is not None else "python"
    assert out.stdout.strip() == expected, out.stderr


def _documents(path: Path, matcher: PhraseMatcher | None) -> list[tuple]:
    corpus = open_corpus(path, processes=1, progress=False, matcher=matcher, skip_bad_pages=True)
    return [(d.doc_id, d.title, d.sentences, d.mentions) for d in corpus]


@pytest.mark.realdata
@pytest.mark.slow
def test_real_corpora_same_documents_token_for_token(shared_data: Path, tmp_path: Path) -> None:
    # The first 20 files of the shared WikiExtractor corpus (through clean_extracted_text and
    # the tokenizer: 20 MB of text), the real XML dumps (the gensim samples in English and
    # Bulgarian UTF-16, the table-heavy one, the 2024 excerpt) with all Open Images names as
    # the matcher.
    _compiled_or_skip()
    from gensim.test.utils import datapath

    from corpora.formats.class_descriptions import read_label_names

    extracted = shared_data / "wikipedia" / "enwiki-2015-extracted" / "AA"
    folder = tmp_path / "AA20"
    folder.mkdir()
    for f in sorted(extracted.glob("wiki_*.bz2"))[:20]:
        (folder / f.name).symlink_to(f)
    labels = shared_data / "openimages" / "class-descriptions.csv"
    matcher = PhraseMatcher(read_label_names(labels)[1])
    inputs = [
        folder,
        Path(datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")),
        Path(datapath("bgwiki-latest-pages-articles-shortened.xml.bz2")),
        Path(datapath("enwiki-table-markup.xml.bz2")),
        shared_data / "wikipedia" / "xml" / "enwiki-2024-tiny-sample.xml.bz2",
    ]
    for path in inputs:
        # the matcher is the same Python code on both sides: used on the dumps only (time)
        m = None if path == folder else matcher
        fast, slow = _both(lambda p=path, m=m: _documents(p, m))
        assert len(fast) == len(slow) and len(fast) > 0, path
        for a, b in zip(fast, slow):
            assert a == b, (path, a[1])


@pytest.mark.realdata
def test_real_xml_pages_are_not_handed_back(shared_data: Path) -> None:
    # The compiled cleaner does every page of the real dumps itself (no Python fallback).
    ctext = _compiled_or_skip()
    from gensim.test.utils import datapath

    from corpora.mediawiki_reader import _XML_ENTITY_RE  # noqa: F401  (module import check)

    path = datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    text = bz2.open(path, "rt", encoding="utf-8").read()
    pages = text.split("<text ")[1:]
    names = DEFAULT_NAMESPACES.names
    handed_back = 0
    for page in pages:
        body = page[page.index(">") + 1 : page.index("</text>")]
        if ctext.clean_wikitext(body, names, True, True) is None:
            handed_back += 1
    assert handed_back == 0 and len(pages) > 200
