import unicodedata

import pytest

from corpora import InputError, Tokenizer


def reference_tokens(text: str) -> list[str]:
    """Tokens by definition, one character at a time: runs of characters of Unicode
    categories L, M and N, with ZWNJ/ZWJ kept between two of them."""
    tokens: list[str] = []
    cur: list[str] = []
    joiners = ""
    for ch in text:
        if unicodedata.category(ch)[0] in "LMN":
            if joiners and cur:
                cur.append(joiners)
            joiners = ""
            cur.append(ch)
        elif ch in "\u200c\u200d" and cur:
            joiners += ch
        else:
            if cur:
                tokens.append("".join(cur))
            cur, joiners = [], ""
    if cur:
        tokens.append("".join(cur))
    return tokens


def test_sentences_and_tokens() -> None:
    tok = Tokenizer()
    text = 'Dr. Smith met J. Doe in the U.S. yesterday. "Great!" He said it. It rained\nnew line'
    assert tok.sentences(text) == [
        ["dr", "smith", "met", "j", "doe", "in", "the", "u", "s", "yesterday"],
        ["great"],
        ["he", "said", "it"],
        ["it", "rained"],
        ["new", "line"],
    ]


def test_unicode_and_punctuation() -> None:
    tok = Tokenizer()
    assert tok.tokens("Ça va? Григорий — naïve T-shirt, children's_book") == [
        "ça",
        "va",
        "григорий",
        "naïve",
        "t",
        "shirt",
        "children",
        "s",
        "book",
    ]


def test_keep_case() -> None:
    assert Tokenizer(lowercase=False).tokens("New York") == ["New", "York"]


@pytest.mark.parametrize(
    "mode,expected",
    [
        ("keep", ["in", "1990s", "42", "cats"]),
        ("normalize", ["in", "0000s", "00", "cats"]),
        ("drop", ["in", "1990s", "cats"]),
    ],
)
def test_numbers(mode: str, expected: list[str]) -> None:
    assert Tokenizer(numbers=mode).tokens("In 1990s, 42 cats") == expected


def test_min_tokens_and_bad_mode() -> None:
    assert Tokenizer(min_tokens=3).sentences("One two. One two three.") == [["one", "two", "three"]]
    with pytest.raises(InputError, match="numbers='digits' is not one of keep"):
        Tokenizer(numbers="digits")


def test_ascii_fast_path_equals_regex() -> None:
    text = (
        "Plain ASCII, with_underscores & tabs\there. Ça va? Straße—naïve x\u00a0y.\n"
        "Ctrl\x1c\x00chars and 3.14 or İstanbul. Greek ΑΒΓ and Ǆ digraph. हिन्दी_भाषा।"
    )
    tok = Tokenizer()
    expected = [reference_tokens(s.lower()) for s in tok.split_sentences(text)]
    assert tok.sentences(text) == [t for t in expected if t]
    cased = Tokenizer(lowercase=False)
    assert cased.sentences(text) == [
        t for t in (reference_tokens(s) for s in cased.split_sentences(text)) if t
    ]


def test_sentence_breaks_equal_split_sentences() -> None:
    """The pipeline's punctuation-consuming boundary regex gives the same tokens as the
    sentence strings of split_sentences() (which keep the punctuation)."""
    text = (
        'Wow?! Next one. "Quoted." (Aside.) Then Dr. Who met Mr. X. e.g. Foo. St. Louis.\n'
        ". Leading dot\n\n... Ellipsis... And more! yes no? Maybe. 3. Numbers. U.S. Army. "
        "Ends with a. B. C. Initials.»  «Guillemets» here.\tTab. Über alles. ärger. End"
    )
    tok = Tokenizer()
    pieces = tok.split_sentences(text)
    expected = [t for t in (reference_tokens(s.lower()) for s in pieces) if t]
    got = tok.sentences(text)
    assert got == expected
    assert len(got) > 10  # the text does get split (the test can fail)


def test_every_abbreviation_blocks_a_break() -> None:
    from corpora.tokenizer import _ABBREVIATIONS

    tok = Tokenizer()
    for abbr in sorted(_ABBREVIATIONS):
        for form in (abbr, abbr[:1].upper() + abbr[1:]):
            text = f"See {form}. Smith here"
            assert len(tok.sentences(text)) == 1, text
            assert len(tok.split_sentences(text)) == 1, text
    # not abbreviations: the period ends the sentence
    for word in ("cat", "Mrx", "xdr", "ab"):
        assert len(tok.sentences(f"See {word}. Smith here")) == 2, word


@pytest.mark.parametrize("lowercase", [True, False])
def test_fast_paths_equal_lower_and_regex_on_random_text(lowercase: bool) -> None:
    """Byte-table lowering/blanking plus per-sentence lower() of non-ASCII sentences give the
    tokens of lower() + the token regex, also for letters whose lower case is ASCII (Kelvin
    sign) or longer (dotted capital I)."""
    import random

    rng = random.Random(0)
    alphabet = "aZq \n.!?ÉéKİıßΣ—–\u00a0_-'\"1Ǆǅ\u0301कि\u093c।。\u200c\U00011000\U00011038"
    tok = Tokenizer(lowercase=lowercase)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        pieces = tok.split_sentences(text)
        expected = [reference_tokens(s.lower() if lowercase else s) for s in pieces]
        assert tok.sentences(text) == [t for t in expected if t], repr(text)
