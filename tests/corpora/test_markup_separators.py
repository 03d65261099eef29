"""Markup that separates words, extractor leftovers, and cleaning time on broken markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpora import PhraseMatcher, Tokenizer, clean_wikitext, open_corpus
from corpora.wikitext_cleaner import clean_extracted_text

TOK = Tokenizer()


def words(wikitext: str) -> list[str]:
    return [t for s in TOK.sentences(clean_wikitext(wikitext, tidy=False)) for t in s]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Horse<br>Sheep<br/>Cow<BR />Goat", ["horse", "sheep", "cow", "goat"]),
        ("Tomato<p>Lemon</p>Lime", ["tomato", "lemon", "lime"]),
        ('a<div class="x">b</div>c', ["a", "b", "c"]),
        ("<ul><li>Apple</li><li>Pear</li></ul>", ["apple", "pear"]),
        ("<dl><dt>Term</dt><dd>Definition</dd></dl>", ["term", "definition"]),
        ("<table><tr><td>Cell</td><td>Other</td></tr></table>", ["cell", "other"]),
        ("one<hr>two<blockquote>three</blockquote>four", ["one", "two", "three", "four"]),
        ("漢<rp>(</rp><rt>kan</rt><rp>)</rp>", ["漢", "kan"]),
        # inline tags render without a space: the word stays whole
        ("x<sup>2</sup> H<sub>2</sub>O <small>small</small>er", ["x2", "h2o", "smaller"]),
        ("[[cat]]<nowiki/>s and <span>dog</span>s", ["cats", "and", "dogs"]),
    ],
)
def test_tags_separate_words_as_rendered(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_line_break_ends_the_line() -> None:
    assert clean_wikitext("Horse<br>Sheep<br/>Cow") == "Horse\nSheep\nCow"


def test_extractor_leftovers_are_not_words() -> None:
    text = (
        "The area is formula_1 where formula_12 holds.<br>Next</dl> line "
        "<onlyinclude>kept</onlyinclude> with codice_3 and AT&amp;T."
    )
    cleaned = clean_extracted_text(text)
    assert [t for s in TOK.sentences(cleaned) for t in s] == [
        "the",
        "area",
        "is",
        "where",
        "holds",
        "next",
        "line",
        "kept",
        "with",
        "and",
        "at",
        "t",
    ]
    assert clean_extracted_text("plain text, 3 < 4") == "plain text, 3 < 4"


def test_wikiextractor_leftovers_in_a_corpus(tmp_path: Path) -> None:
    path = tmp_path / "wiki_00"
    path.write_text(
        '<doc id="1" url="u" title="Farm">\nFarm\nHorse<br>Sheep and formula_1 Cow</dl>\n</doc>\n',
        encoding="utf-8",
    )
    corpus = open_corpus(path, matcher=PhraseMatcher(["Horse", "Sheep", "Cow"]), progress=False)
    docs = list(corpus)
    assert docs[0].sentences == [["horse"], ["sheep", "and", "cow"]]
    assert corpus.stats.label_mentions == 3


# Adversarial pages: unclosed and deeply nested markup of every kind. The cleaner must finish
# on each (it used to take time quadratic or worse in the page size on several of them).
N = 20_000
ADVERSARIAL = {
    "unclosed templates": "{{a " * N,
    "nested templates": "{{" * N + "x" + "}}" * N,
    "unclosed links": "[[a " * N,
    "unclosed file links": "[[File:x.jpg|thumb|a " * N,
    "nested file links": "[[File:a.jpg|" * N + "x" + "]]" * N,
    "unclosed refs": "<ref>a " * N,
    "refs without >": "<ref name=x " * N,
    "unclosed tables": "\n{|\n| a" * N,
    "nested tables": "\n{|" * N + "\n|}" * N,
    "nested parameters": "{{{" * N + "1" + "}}}" * N,
    "badly nested": "{{a [[b <ref>c\n{| d }} ]] </ref>\n|} " * N,
    "heading of spaces": "\n==" + " " * (8 * N),
    "line of = signs": "\n" + "=" * (8 * N),
    "external link without ]": "[//" + "a" * (8 * N),
    "labelled external link without ]": "[http://x " + "b " * (4 * N),
    "unclosed comments": "<!-- a " * N,
    "switch-like underscores": "__A_" * N,
    "pipe trick of spaces": "[[" + " " * (8 * N) + "(x)|]]",
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_cleaning_finishes_on_broken_markup(name: str) -> None:
    text = ADVERSARIAL[name]
    cleaned = clean_wikitext(text)
    TOK.sentences(cleaned)
    assert len(cleaned) <= len(text)


def test_broken_markup_keeps_the_text_around_it() -> None:
    assert clean_wikitext("a <ref>b c") == "a b c"  # an unclosed <ref> is dropped alone
    assert clean_wikitext("a <ref>b</ref> c <ref>d") == "a c d"
    assert clean_wikitext("x {{a {{b}} y") == "x a y"
    assert clean_wikitext("x {| y |} z") == "x {| y |} z"  # not at a line start: no table
    assert clean_wikitext("x\n{| y\nz") == "x y\nz"  # an unclosed table: its opener alone
    assert clean_wikitext("== a ===\n=== b ==\n====\n=x") == "a =\n= b\n=x"
