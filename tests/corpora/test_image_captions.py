"""Image captions of framed file links and gallery lines (corpora.image_captions), and the
corpus option that keeps them apart from the sentences."""

from __future__ import annotations

import pytest

from corpora import PhraseMatcher, open_corpus
from corpora.corpus import _pack, _unpack
from corpora.image_captions import MAX_LINK_CHARS, image_captions
from corpora.namespace_table import NamespaceTable

CASES = [
    # (case, wikitext, captions)
    ("thumb", "x [[File:Cat.jpg|thumb|A cat sleeps]] y", ["A cat sleeps"]),
    ("thumbnail and size", "[[File:Cat.jpg|thumbnail|220px|left|A cat]]", ["A cat"]),
    ("frame", "[[Image:Cat.jpg|frame|center|Cat on a mat]]", ["Cat on a mat"]),
    ("framed, x-size", "[[File:a.png|framed|x120px|Two dogs]]", ["Two dogs"]),
    ("upright and alt", "[[File:a.jpg|thumb|upright=1.3|alt=A brown horse|A horse]]", ["A horse"]),
    ("bare upright", "[[File:a.jpg|upright|thumb|A horse]]", ["A horse"]),
    ("thumb= another picture", "[[File:a.jpg|thumb=b.jpg|A horse]]", ["A horse"]),
    (
        "nested links",
        "[[File:a.jpg|thumb|A [[rider]] on a [[Horse (animal)|horse]], [[Seal (animal)|]]]]",
        ["A rider on a horse, Seal"],
    ),
    ("nested template with pipes", "[[File:a.jpg|thumb|A {{lang|fr|chat}} cat]]", ["A cat"]),
    ("bold and ref", "[[File:a.jpg|thumb|'''Bold''' cat<ref>src</ref>]]", ["Bold cat"]),
    ("last unnamed wins", "[[File:a.jpg|thumb|First|link=Cat|Second]]", ["Second"]),
    ("caption with =", "[[File:a.jpg|thumb|E = mc2 on a board]]", ["E = mc2 on a board"]),
    ("no frame: no caption", "[[File:a.jpg|left|200px|A tooltip]]", []),
    ("only options", "[[File:a.jpg|thumb|200px]]", []),
    ("empty caption", "[[File:a.jpg|thumb| ]]", []),
    ("visible file link", "[[:File:a.jpg|thumb|not a picture]]", []),
    ("media link", "[[Media:a.ogg|thumb|a sound]]", []),
    ("category", "[[Category:Cats|thumb|sort key]]", []),
    ("interwiki", "[[commons:File:a.jpg|thumb|elsewhere]]", []),
    ("commented out", "<!-- [[File:a.jpg|thumb|hidden]] --> x", []),
    ("unclosed", "[[File:a.jpg|thumb|never closed", []),
    ("undeclared prefix, media file", "[[Foto:a.jpg|mini|Ein Pferd]]", ["Ein Pferd"]),
    ("spaces and case", "[[ file : a.jpg | Thumb | A cat ]]", ["A cat"]),
    (
        "gallery",
        "<gallery mode=packed>\nFile:a.jpg|A [[cat]]\nb.jpg\nImage:c.jpg|alt=x|link=y|A dog\n"
        "d.jpg|\n</gallery>",
        ["A cat", "A dog"],
    ),
    (
        "page order",
        "<gallery>\nb.jpg|Second\n</gallery> [[File:a.jpg|thumb|First]] [[File:c.jpg|thumb|Third]]",
        ["Second", "First", "Third"],
    ),
    (
        "nested file link is part of the caption",
        "[[File:a.jpg|thumb|Outer [[File:b.jpg|thumb|inner]] end]] [[File:c.jpg|thumb|Next]]",
        ["Outer end", "Next"],
    ),
]


@pytest.mark.parametrize("case,text,expected", CASES, ids=[c[0] for c in CASES])
def test_captions(case: str, text: str, expected: list[str]) -> None:
    assert image_captions(text) == expected


def test_declared_file_namespace_of_another_language() -> None:
    de = NamespaceTable({"Datei": 6, "Kategorie": 14})
    text = "[[Datei:Pferd.png|miniatur|Ein [[Pferd]]]] [[Kategorie:Pferd|mini|x]] [[Bild:x|mini|B]]"
    assert image_captions(text, de) == ["Ein Pferd"]  # Bild:x is no media file, no declared name
    assert image_captions("[[Datei:Pferd|mini|Ein Pferd]]") == []  # not declared, not a media file


def test_a_long_unclosed_link_is_given_up() -> None:
    text = "[[File:a.jpg|thumb|" + "x " * MAX_LINK_CHARS + "]] [[File:b.jpg|thumb|B]]"
    assert image_captions(text) == ["B"]


def test_the_cleaner_still_drops_captions_from_the_text() -> None:
    from corpora import clean_wikitext

    text = "Cats. [[File:a.jpg|thumb|A cat]]\n<gallery>\nb.jpg|A dog\n</gallery>"
    assert clean_wikitext(text) == "Cats."


PAGES = [
    (
        "Horse",
        "A [[horse]] eats grass.[[File:h.jpg|thumb|upright|A rider on a horse]]\n"
        "<gallery>\nFile:z.jpg|A zebra and a horse\nFile:y.jpg\n</gallery>\nHorses run.",
        1,
    ),
    ("Plain", "No pictures here.", 2),
]


def test_corpus_keeps_captions_apart(write_dump) -> None:
    path = write_dump("caps.xml.bz2", PAGES)
    matcher = PhraseMatcher(["Horse", "Zebra", "Rider"])
    plain = list(open_corpus(path, matcher=matcher, progress=False))
    docs = list(open_corpus(path, matcher=matcher, progress=False, captions=True))
    assert [d.sentences for d in docs] == [d.sentences for d in plain]
    assert [d.mentions for d in docs] == [d.mentions for d in plain]
    assert all(d.captions == [] and d.caption_mentions == [] for d in plain)
    assert docs[0].captions == [
        ["a", "rider", "on", "a", "horse"],
        ["a", "zebra", "and", "a", "horse"],
    ]
    assert docs[0].caption_mentions == [[(1, 2), (4, 0)], [(1, 1), (4, 0)]]
    assert docs[1].captions == []
    # the worker processes' packing keeps them
    assert [
        (d.sentences, d.mentions, d.captions, d.caption_mentions) for d in _unpack(_pack(docs))
    ] == [(d.sentences, d.mentions, d.captions, d.caption_mentions) for d in docs]
    two = list(open_corpus(path, matcher=matcher, progress=False, captions=True, processes=2))
    assert [d.captions for d in two] == [d.captions for d in docs]


def test_wikiextractor_text_has_no_captions(tmp_path) -> None:
    folder = tmp_path / "AA"
    folder.mkdir()
    (folder / "wiki_00").write_text(
        '<doc id="1" url="u" title="Horse">\nHorse\n\nA horse eats grass.\n</doc>\n'
    )
    docs = list(open_corpus(tmp_path, progress=False, captions=True))
    assert docs[0].sentences and docs[0].captions == []
