"""Sentence splitting and word tokenization with compiled regexes (Unicode-aware)."""

from __future__ import annotations

import re

__all__ = ["Tokenizer", "NUMBER_MODES"]

NUMBER_MODES = ("keep", "normalize", "drop")

# A token is a run of letters/digits of any script (no underscore: "_" joins label phrases).
# Hyphens and apostrophes split words ("t-shirt" -> "t", "shirt"), as in gensim; one plain
# character class keeps the regex fast (about 2x faster than allowing inner hyphens).
_TOKEN_RE = re.compile(r"[^\W_]+")
# Candidate sentence ends: ., ! or ? (plus closing quotes/brackets) followed by spaces.
_SENT_END_RE = re.compile(r"(?<=[.!?])[\"'”’»)\]]*[ \t]+")
_DIGIT_RE = re.compile(r"\d")
_HAS_DIGIT_RE = re.compile(r"\d")
# Words after which a period does not end a sentence (lower case, without the period).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc e.g i.e cf al no nos vol ca approx fig figs op inc
    ltd co corp gen col lt sgt capt rev mt ft jan feb mar apr jun jul aug sep sept oct nov
    dec u.s u.k b.c a.d p pp ed eds""".split()
)


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
        """Sentence strings of ``text`` (not tokenized)."""
        out: list[str] = []
        for line in text.split("\n"):
            if not line:
                continue
            pieces = _SENT_END_RE.split(line)
            if len(pieces) == 1:
                out.append(line)
                continue
            cur = pieces[0]
            for nxt in pieces[1:]:
                if not nxt:
                    continue
                first = nxt[0]
                if first.islower() or first in ",;:" or _ends_with_abbreviation(cur):
                    cur = cur + " " + nxt
                else:
                    out.append(cur)
                    cur = nxt
            out.append(cur)
        return out

    def sentences(self, text: str) -> list[list[str]]:
        """Sentences of ``text`` as token lists (empty or too short sentences dropped)."""
        tok = _TOKEN_RE.findall
        min_tokens = self.min_tokens
        keep_numbers = self.numbers == "keep"
        sents = self.split_sentences(text)
        if self.lowercase:  # one lower() per document; sentences hold no newline
            sents = "\n".join(sents).lower().split("\n")
        out: list[list[str]] = []
        for sent in sents:
            toks = tok(sent)
            if not keep_numbers:
                toks = self._numbers(toks)
            if len(toks) >= min_tokens:
                out.append(toks)
        return out


def _ends_with_abbreviation(text: str) -> bool:
    """Whether ``text`` (ending with a period) ends with an abbreviation or an initial."""
    if not text.endswith("."):
        return False
    # Only the tail matters: abbreviations are short, a longer last word is not one.
    parts = text[-12:-1].rsplit(None, 1)
    if not parts:
        return False
    word = parts[-1].lstrip("\"'(“[").lower()
    return len(word) == 1 or word in _ABBREVIATIONS
