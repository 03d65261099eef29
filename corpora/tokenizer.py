"""Sentence splitting and word tokenization with compiled regexes (Unicode-aware)."""

from __future__ import annotations

import re

__all__ = ["Tokenizer", "NUMBER_MODES"]

NUMBER_MODES = ("keep", "normalize", "drop")

# A token is a run of letters/digits of any script (no underscore: "_" joins label phrases).
# Hyphens and apostrophes split words ("t-shirt" -> "t", "shirt"), as in gensim; one plain
# character class keeps the regex fast (about 2x faster than allowing inner hyphens).
_TOKEN_RE = re.compile(r"[^\W_]+")
# Byte table: ASCII letters/digits and newline kept, other ASCII bytes -> space, bytes >= 128
# (UTF-8 lead/continuation bytes) kept.
_ASCII_BLANKS = bytes(b if b >= 128 or b == 10 or chr(b).isalnum() else 32 for b in range(256))
# The same, with ASCII upper case letters lowered.
_ASCII_BLANKS_LOWER = bytes(
    ord(chr(b).lower()) if b < 128 and chr(b).isalpha() else _ASCII_BLANKS[b] for b in range(256)
)
_DIGIT_RE = re.compile(r"\d")
_HAS_DIGIT_RE = re.compile(r"\d")
# Words after which a period does not end a sentence (lower case, without the period).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc e.g i.e cf al no nos vol ca approx fig figs op inc
    ltd co corp gen col lt sgt capt rev mt ft jan feb mar apr jun jul aug sep sept oct nov
    dec u.s u.k b.c a.d p pp ed eds""".split()
)
# Lower-case letters a sentence does not start with (ASCII, Latin-1, Cyrillic, Greek).
_LOWER = "a-zß-öø-ÿа-џα-ω"


def _boundary_pattern(consume_punctuation: bool = False) -> str:
    """One regex for every sentence end: a newline, or ``.``/``!``/``?`` (not after an
    abbreviation or a single-letter initial) plus closing quotes and spaces, followed by a
    word that does not start with a lower-case letter. Abbreviations are fixed-width
    negative look-behinds, so no Python code runs per candidate.

    With ``consume_punctuation`` the match also takes the ``.``/``!``/``?`` itself (the
    sentence strings lose it, their tokens do not change) and the pattern starts with the
    character class ``[\n.!?]``: the regex engine then skips ahead to candidates in C instead
    of trying the look-behinds at every character (about 10x faster on running text).
    """
    behind = [r"(?<!\b[^\W\d_]\.)"]  # "J. Smith", "U.S. Army"
    # One look-behind per abbreviation length (alternatives of one width are allowed in a
    # look-behind); the first letter may be upper case ("Dr.").
    by_length: dict[int, list[str]] = {}
    for abbr in sorted(_ABBREVIATIONS):
        by_length.setdefault(len(abbr), []).append(
            f"[{abbr[0]}{abbr[0].upper()}]{re.escape(abbr[1:])}"
        )
    for _length, forms in sorted(by_length.items()):
        behind.append(rf"(?<!\b(?:{'|'.join(forms)})\.)")
    rest = "".join(behind) + r"[\"'”’»)\]]*[ \t]+" + rf"(?=[\"'“‘«(\[]*[^\W_{_LOWER}])"
    if consume_punctuation:
        return r"[\n.!?](?:(?<=\n)|" + rest + ")"
    return r"\n|(?<=[.!?])" + rest


# Sentence strings (punctuation kept) for split_sentences(); the pipeline uses the faster
# punctuation-consuming form, which gives the same tokens.
_SENT_END_RE = re.compile(_boundary_pattern())
_SENT_BREAK_RE = re.compile(_boundary_pattern(consume_punctuation=True))


class Tokenizer:
    """Split text into sentences of tokens.

    Sentences end at newlines and at ``.``/``!``/``?`` followed by a space and a word that is
    not lower-case, except after a known abbreviation ("Dr.", "e.g.") or a single letter
    ("J. Smith"). Tokens are runs of letters and digits of any script; everything else
    (punctuation, hyphens, apostrophes, underscores) separates tokens: ``"T-shirt"`` ->
    ``["t", "shirt"]``, ``"children's"`` -> ``["children", "s"]``.

    Args:
        lowercase: lower-case every token (default ``True``).
        numbers: ``"keep"`` (default) keeps tokens with digits as they are, ``"normalize"``
            replaces every digit with ``0`` (``"1990s"`` -> ``"0000s"``), ``"drop"`` removes
            tokens made only of digits.
        min_tokens: sentences with fewer tokens are dropped (default 1: only empty ones).
    """

    def __init__(self, lowercase: bool = True, numbers: str = "keep", min_tokens: int = 1) -> None:
        if numbers not in NUMBER_MODES:
            from corpora.errors import InputError

            raise InputError(f"numbers={numbers!r} is not one of {', '.join(NUMBER_MODES)}")
        self.lowercase = lowercase
        self.numbers = numbers
        self.min_tokens = max(1, int(min_tokens))

    def __repr__(self) -> str:
        return (
            f"Tokenizer(lowercase={self.lowercase}, numbers={self.numbers!r}, "
            f"min_tokens={self.min_tokens})"
        )

    def tokens(self, text: str) -> list[str]:
        """Tokens of ``text`` (no sentence splitting)."""
        if self.lowercase:
            text = text.lower()
        toks = _TOKEN_RE.findall(text)
        if self.numbers != "keep":
            toks = self._numbers(toks)
        return toks

    def _numbers(self, toks: list[str]) -> list[str]:
        if self.numbers == "drop":
            return [t for t in toks if not t.isdigit()]
        return [_DIGIT_RE.sub("0", t) if _HAS_DIGIT_RE.search(t) else t for t in toks]

    def split_sentences(self, text: str) -> list[str]:
        """Sentence strings of ``text`` (not tokenized; empty ones dropped)."""
        return [p for p in _SENT_END_RE.split(text) if p]

    def sentences(self, text: str) -> list[list[str]]:
        """Sentences of ``text`` as token lists (empty or too short sentences dropped)."""
        tok = _TOKEN_RE.findall
        min_tokens = self.min_tokens
        keep_numbers = self.numbers == "keep"
        # Every sentence end becomes one newline (sentences hold no other newline); the
        # replaced punctuation is never part of a token.
        joined = _SENT_BREAK_RE.sub("\n", text)
        # Fast path: blank out ASCII non-word bytes (and lower ASCII letters) with
        # bytes.translate (C speed, UTF-8 stays valid); an ASCII-only sentence is then
        # tokenized by str.split, the others (a few percent in English) are lower-cased by
        # str.lower and tokenized by the regex. Same tokens as lower() and the regex alone.
        table = _ASCII_BLANKS_LOWER if self.lowercase else _ASCII_BLANKS
        blanked = joined.encode("utf-8", "surrogatepass").translate(table)
        sents = blanked.decode("utf-8", "surrogatepass").split("\n")
        if self.lowercase:
            # lower() the original sentence: its punctuation is context for str.lower
            # (Greek final sigma), the translate keeps the same lines.
            originals = joined.split("\n")
            tokenized = (
                s.split() if s.isascii() else tok(o.lower()) for s, o in zip(sents, originals)
            )
        else:
            tokenized = (s.split() if s.isascii() else tok(s) for s in sents)
        if not keep_numbers:
            tokenized = map(self._numbers, tokenized)
        if min_tokens == 1:
            return [t for t in tokenized if t]
        return [t for t in tokenized if len(t) >= min_tokens]
