"""Words in every script: combining marks stay inside words, other scripts' full stops end
sentences, label phrases match whole words only."""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path

import pytest

from corpora import PhraseMatcher, Tokenizer, open_corpus
from corpora.phrase_matcher import normalize_label_name, plural_forms
from labelgraph.cli import main

TOK = Tokenizer()


@pytest.mark.parametrize(
    "text,expected",
    [
        # Devanagari: vowel signs (Mc/Mn), virama and nukta inside the word
        ("दीवार पर एक घड़ी टंगी है", ["दीवार", "पर", "एक", "घड़ी", "टंगी", "है"]),
        ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),
        # Bengali, Tamil, Telugu, Malayalam (with ZWJ), Thai
        ("মাঠে একটি ঘোড়া আছে", ["মাঠে", "একটি", "ঘোড়া", "আছে"]),
        ("காடு பசுமையாக உள்ளது", ["காடு", "பசுமையாக", "உள்ளது"]),
        ("తెలుగు భాష", ["తెలుగు", "భాష"]),
        ("അവന്\u200dറെ കേരളം", ["അവന്\u200dറെ", "കേരളം"]),
        # Persian: the zero-width non-joiner inside a word
        ("می\u200cخواهم بروم", ["می\u200cخواهم", "بروم"]),
        # Latin with separate combining accents: one word with its marks
        ("Cafe\u0301 Ngo\u0302\u0300 Z\u0327", ["cafe\u0301", "ngo\u0302\u0300", "z\u0327"]),
        # Hebrew points, Arabic harakat
        ("שָׁלוֹם עוֹלָם", ["שָׁלוֹם", "עוֹלָם"]),
        ("الطُّوبُ", ["الطُّوبُ"]),
        # an astral script (Brahmi) with its vowel signs
        (
            "\U00011013\U00011038 \U0001101c\U0001103a",
            ["\U00011013\U00011038", "\U0001101c\U0001103a"],
        ),
    ],
)
def test_words_keep_their_combining_marks(text: str, expected: list[str]) -> None:
    assert TOK.tokens(text) == expected
    assert [t for s in TOK.sentences(text) for t in s] == expected


def test_zwj_only_between_letters() -> None:
    assert TOK.tokens("\u200dab\u200d cd\u200c") == ["ab", "cd"]


@pytest.mark.parametrize(
    "text,n",
    [
        ("दीवार पर घड़ी है। उसने गीत गाया॥ अंत", 3),
        ("মাঠে ঘোড়া আছে। ঘোড়া দৌড়ায়।", 2),
        ("我有一匹马。它很快！真的吗？是", 4),
        ("هل هذا حصان؟ نعم۔ لا", 3),
        ("မြင်း ရှိသည်။ နွား ရှိသည်။", 2),
        ("ձի է։ Կով է։", 2),
        ("ፈረስ ነው። ላም ነው።", 2),
        ("ម្នាក់។ ពីរ", 2),
    ],
)
def test_other_scripts_full_stops_end_sentences(text: str, n: int) -> None:
    assert len(TOK.sentences(text)) == n
    # the split_sentences form (punctuation kept) agrees
    pieces = [TOK.tokens(p) for p in TOK.split_sentences(text)]
    assert [p for p in pieces if p] == TOK.sentences(text)


def test_latin_period_rules_unchanged() -> None:
    assert TOK.sentences("Pi is 3.14 here. Dr. Smith came, e.g. by bus. The end") == [
        ["pi", "is", "3", "14", "here"],
        ["dr", "smith", "came", "e", "g", "by", "bus"],
        ["the", "end"],
    ]


def test_scripts_without_spaces_are_one_token_per_run() -> None:
    # No dictionary segmentation: a run of Han, kana or Thai letters is one token (documented
    # in the README), never a guess at words; punctuation still separates runs.
    assert TOK.tokens("我有一匹马，它很快") == ["我有一匹马", "它很快"]
    assert TOK.tokens("ภาษาไทย ง่าย") == ["ภาษาไทย", "ง่าย"]


def test_label_in_unspaced_script_warns(caplog, monkeypatch) -> None:
    from corpora import phrase_matcher

    monkeypatch.setattr(phrase_matcher, "_WARNED", set())  # warned once per process
    with caplog.at_level(logging.WARNING, logger="corpora.phrase_matcher"):
        m = PhraseMatcher(["马", "Horse", "ม้า"])
    assert any("without spaces" in r.getMessage() for r in caplog.records)
    _, mentions = m.match(TOK.tokens("马 我有一匹马 horse"))
    assert mentions == [(0, 0), (2, 1)]  # the stand-alone 马, not the one inside the run


def test_tamil_label_prefix_of_another_word(tmp_path: Path, capsys) -> None:
    """பசு (cow) is a prefix of பசுமையாக (greenly): only the whole word is a mention. With
    the vowel signs as separators both became the same bare consonants."""
    text = tmp_path / "tawiki.txt"
    text.write_text("வயலில் ஒரு பசு மேய்கிறது. காடு பசுமையாக உள்ளது.\n", encoding="utf-8")
    labels = tmp_path / "labels-ta.csv"
    labels.write_text("/m/01yrx,பசு\n/m/0f4s2w,காய்\n", encoding="utf-8")
    argv = ["corpus", "stats", str(text), "--labels", str(labels), "--json", "--quiet"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["sentences"], out["tokens"], out["label_mentions"]) == (2, 7, 1)
    assert out["top_labels"] == [{"code": "/m/01yrx", "name": "பசு", "mentions": 1}]


def test_bengali_label_matches_in_nfc(tmp_path: Path) -> None:
    """The label is written with the precomposed ড় (U+09DC, which NFC decomposes); the text,
    as MediaWiki stores it, in NFC. Whole words only: ঘোড়াগুলি (the horses) is no mention."""
    label = "ঘো\u09dcা"
    text = "মাঠে একটি ঘো\u09a1\u09bcা আছে। ঘো\u09a1\u09bcাগুলি দৌ\u09a1\u09bcায়।"
    assert normalize_label_name(label) == [unicodedata.normalize("NFC", label)]
    path = tmp_path / "bn.txt"
    path.write_text(text, encoding="utf-8")
    corpus = open_corpus(path, matcher=[label, "Cow"], progress=False)
    docs = list(corpus)
    assert len(docs[0].sentences) == 2
    assert corpus.stats.label_mentions == 1 and docs[0].mentions == [[(2, 0)], []]


def test_plurals_only_for_latin_words() -> None:
    assert plural_forms(["horse"]) == [["horses"]]
    assert plural_forms(["café"]) == [["cafés"]]
    assert plural_forms(["घर"]) == [] and plural_forms(["дом"]) == []


def test_word_classes_equal_this_pythons_unicode_database() -> None:
    from corpora.tokenizer import astral_mark_ranges, word_char_ranges

    def brute(first: int, last: int, cats: str = "LMN") -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for cp in range(first, last):
            if unicodedata.category(chr(cp))[0] in cats:
                if out and out[-1][1] == cp - 1:
                    out[-1] = (out[-1][0], cp)
                else:
                    out.append((cp, cp))
        return out

    assert word_char_ranges(0, 0x10000) == brute(0, 0x10000)
    assert word_char_ranges(0x10000, 0x20000) == brute(0x10000, 0x20000)
    # the astral marks (stored for Unicode 14, looked up on later versions)
    assert astral_mark_ranges() == brute(0x10000, 0x20000, "M") + brute(0xE0000, 0xE1000, "M")
    # planes 2 to 13 hold no marks
    for cp in range(0x20000, 0xE0000, 0x101):
        assert unicodedata.category(chr(cp))[0] != "M"


def test_astral_text_uses_the_same_rules() -> None:
    text = "𝐀𝐁 x_y 😀 \U00011013\U00011038 cafe\u0301 𑀓 ।"
    assert TOK.tokens(text) == ["𝐀𝐁", "x", "y", "\U00011013\U00011038", "cafe\u0301", "𑀓"]
    assert [t for s in TOK.sentences(text) for t in s] == TOK.tokens(text)
