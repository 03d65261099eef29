r"""Sentence splitting and word tokenization with compiled regexes (Unicode-aware).

A token is a run of letters, combining marks and digits of any script (Unicode categories
L, M and N, plus the zero-width joiners U+200C/U+200D between them), so that vowel signs,
viramas and nuktas (Devanagari, Bengali, Tamil, Thai, ...) and combining accents stay inside
their word. Python's ``re`` has no ``\p{..}`` classes (the ``regex`` module has, but is not
needed): the BMP's L/M/N code points are computed from Python's own Unicode database at
import (a few milliseconds) and written as one explicit character class, which the regex
engine tests with one bitmap lookup per character, as fast as ``re``'s ``\w``.

Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar, ...) are not
segmented: a run of their letters is one token (no dictionary segmenter is used), see the
README (corpora).
"""

from __future__ import annotations

import re
import unicodedata
from array import array

from corpora import _speedups

__all__ = ["NUMBER_MODES", "SENTENCE_TERMINALS", "UNSPACED_SCRIPTS_RE", "Tokenizer"]

NUMBER_MODES = ("keep", "normalize", "drop")

# Full stops, question and exclamation marks of other scripts (the Unicode Sentence_Terminal
# characters outside Latin, Greek and Cyrillic punctuation). They end a sentence wherever they
# stand: their scripts have no letter case, and Chinese and Japanese put no space after them.
SENTENCE_TERMINALS = (
    "\u0589"  # ։ Armenian full stop
    "\u061f\u06d4"  # ؟ Arabic question mark, ۔ Arabic full stop (Urdu)
    "\u0700\u0701\u0702"  # ܀ ܁ ܂ Syriac
    "\u07f9"  # ߹ N'Ko exclamation mark
    "\u0964\u0965"  # । ॥ danda, double danda (Devanagari, Bengali, Gurmukhi, Odia, ...)
    "\u104a\u104b"  # ၊ ။ Myanmar
    "\u1362\u1367\u1368"  # ። ፧ ፨ Ethiopic
    "\u166e"  # ᙮ Canadian syllabics full stop
    "\u17d4\u17d5"  # ។ ៕ Khmer
    "\u1803\u1809"  # ᠃ ᠉ Mongolian, Manchu full stops
    "\u1944\u1945"  # ᥄ ᥅ Limbu
    "\u1aa8\u1aa9\u1aaa\u1aab"  # Tai Tham
    "\u1b5a\u1b5b\u1b5e\u1b5f"  # Balinese
    "\u1c3b\u1c3c\u1c7e\u1c7f"  # Lepcha, Ol Chiki
    "\u3002\uff01\uff0e\uff1f\uff61"  # 。 ！ ． ？ ｡ ideographic and fullwidth
    "\ua4ff\ua60e\ua60f\ua6f3\ua6f7"  # Lisu, Vai, Bamum
    "\ua876\ua877\ua8ce\ua8cf\ua92f"  # Phags-pa, Saurashtra, Kayah Li
    "\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb"  # Javanese, Cham, Meetei Mayek
)
_TERMINALS = re.escape(SENTENCE_TERMINALS)


def word_char_ranges(first: int, last: int, marks_only: bool = False) -> list[tuple[int, int]]:
    """Ranges ``(first, last)`` of the code points in ``[first, last)`` whose Unicode general
    category is a letter, mark or number (L, M, N; only M with ``marks_only``), from this
    Python's Unicode database.

    Letters and numbers are what ``re``'s ``\\w`` holds besides ``_`` (found by one regex pass
    over all the code points); only the remaining code points (not private, not surrogates)
    are looked up one by one for the marks: a few milliseconds for the BMP.
    """
    chars = array("I", range(first, last)).tobytes().decode("utf-32", "surrogatepass")
    ranges = []
    if not marks_only:
        ranges = [(first + m.start(), first + m.end() - 1) for m in re.finditer(r"[^\W_]+", chars)]
    category = unicodedata.category
    marks = [
        first + m.start()
        for m in re.finditer(r"[^\w\ud800-\uf8ff\U000f0000-\U0010ffff]", chars)
        if category(m.group())[0] == "M"
    ]
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges + [(cp, cp) for cp in marks]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _char_class(ranges: list[tuple[int, int]]) -> str:
    """The inside of a regex character class, with the characters themselves (no escapes: the
    regex parser reads a class of a few thousand characters much faster so). L/M/N holds
    none of the characters that are special in a class (``] \\ ^ -``)."""
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


# A token: letters, marks and digits, with ZWNJ/ZWJ allowed between them (Persian, Malayalam,
# Devanagari half forms). The BMP's L/M/N code points are one explicit class: the regex engine
# tests a character with one bitmap lookup (faster than the ``[^\W_]`` of letters and digits
# alone, which misses the marks), and "_" is not in it. The joiners cost a loop at every
# token end, so that form is only used for text that has them.
_BMP_WORD = _char_class(word_char_ranges(0, 0x10000))
_WORD_RE = re.compile(f"[{_BMP_WORD}]+")
_TERMINAL_RE = re.compile(f"[{_TERMINALS}]")
_joined_word_re: re.Pattern[str] | None = None


def _joined_words(text: str) -> list[str]:
    """Tokens of a text with ZWNJ/ZWJ (the regex is compiled on first use)."""
    global _joined_word_re
    if _joined_word_re is None:
        _joined_word_re = re.compile(f"[{_BMP_WORD}]+(?:[\u200c\u200d]+[{_BMP_WORD}]+)*")
    return _joined_word_re.findall(text)


_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_astral_token_re: re.Pattern[str] | None = None
# The combining marks beyond the BMP (planes 1 and 14), from the Unicode 14.0 database of
# Python 3.11: scanning those planes one code point at a time is the slow part of the
# lookups above (most of them are unassigned), so a later Unicode version recomputes them.
_ASTRAL_MARKS_UNICODE = (14, 0, 0)
_ASTRAL_MARKS = """
101FD 102E0 10376-1037A 10A01-10A03 10A05-10A06 10A0C-10A0F 10A38-10A3A 10A3F
10AE5-10AE6 10D24-10D27 10EAB-10EAC 10F46-10F50 10F82-10F85 11000-11002 11038-11046
11070 11073-11074 1107F-11082 110B0-110BA 110C2 11100-11102 11127-11134 11145-11146
11173 11180-11182 111B3-111C0 111C9-111CC 111CE-111CF 1122C-11237 1123E 112DF-112EA
11300-11303 1133B-1133C 1133E-11344 11347-11348 1134B-1134D 11357 11362-11363
11366-1136C 11370-11374 11435-11446 1145E 114B0-114C3 115AF-115B5 115B8-115C0
115DC-115DD 11630-11640 116AB-116B7 1171D-1172B 1182C-1183A 11930-11935 11937-11938
1193B-1193E 11940 11942-11943 119D1-119D7 119DA-119E0 119E4 11A01-11A0A 11A33-11A39
11A3B-11A3E 11A47 11A51-11A5B 11A8A-11A99 11C2F-11C36 11C38-11C3F 11C92-11CA7
11CA9-11CB6 11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D45 11D47 11D8A-11D8E 11D90-11D91
11D93-11D97 11EF3-11EF6 16AF0-16AF4 16B30-16B36 16F4F 16F51-16F87 16F8F-16F92 16FE4
16FF0-16FF1 1BC9D-1BC9E 1CF00-1CF2D 1CF30-1CF46 1D165-1D169 1D16D-1D172 1D17B-1D182
1D185-1D18B 1D1AA-1D1AD 1D242-1D244 1DA00-1DA36 1DA3B-1DA6C 1DA75 1DA84 1DA9B-1DA9F
1DAA1-1DAAF 1E000-1E006 1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A 1E130-1E136
1E2AE 1E2EC-1E2EF 1E8D0-1E8D6 1E944-1E94A E0100-E01EF
"""


def astral_mark_ranges() -> list[tuple[int, int]]:
    """The combining marks beyond the BMP, for this Python's Unicode version."""
    version = tuple(int(x) for x in unicodedata.unidata_version.split("."))
    if version > _ASTRAL_MARKS_UNICODE:  # new marks may have been assigned: look them up
        return [
            r
            for first, last in ((0x10000, 0x20000), (0xE0000, 0xE1000))
            for r in word_char_ranges(first, last, marks_only=True)
        ]
    ranges = []
    for item in _ASTRAL_MARKS.split():
        lo, _, hi = item.partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return ranges


def _astral_tokens(text: str) -> list[str]:
    """Tokens of ``text`` that holds characters beyond the BMP (Brahmi, Adlam, emoji, ...).

    Such a character is a word character when ``\\w`` says so (astral letters and digits) or
    when it is an astral combining mark. The regex is built on first use (a few
    milliseconds) and is slower per character than :data:`_WORD_RE`, so it is only used
    for text that has such characters.
    """
    global _astral_token_re
    if _astral_token_re is None:
        marks = _char_class(astral_mark_ranges())
        char = rf"(?:[{_BMP_WORD}]|[\U00010000-\U0010ffff](?<=[\w{marks}]))"
        _astral_token_re = re.compile(rf"{char}+(?:[\u200c\u200d]+{char}+)*")
    return _astral_token_re.findall(text)


def _words(text: str, astral: bool = True) -> list[str]:
    """Tokens of a text that is not ASCII (sentence terminals separate like punctuation).
    ``astral``: whether the text may hold characters beyond the BMP."""
    if astral and _ASTRAL_RE.search(text):
        return _astral_tokens(text)
    if "\u200c" in text or "\u200d" in text:
        return _joined_words(text)
    return _WORD_RE.findall(text)


def _terminal_split_tokens(line: str, astral: bool = True) -> list[str]:
    """Tokens of a line with full stops of other scripts: a ``"\\n"`` token after each part."""
    toks: list[str] = []
    for part in _TERMINAL_RE.split(line):
        toks += _words(part, astral)
        toks.append("\n")
    return toks


def _line_tokens(line: str) -> list[str]:
    """Tokens of one sentence that is not ASCII (lower-cased already where asked), with a
    ``"\\n"`` token where a full stop of another script ends a sentence: what
    :meth:`Tokenizer.sentences` does with such a line (the compiled tokenizer calls this for
    lines with characters beyond the BMP)."""
    if _TERMINAL_RE.search(line) is None:
        return _words(line)
    return _terminal_split_tokens(line)


def _split_at_breaks(sentences: list[list[str]]) -> list[list[str]]:
    """Split token lists at their ``"\\n"`` tokens (where a sentence terminal stood)."""
    out: list[list[str]] = []
    for toks in sentences:
        if "\n" not in toks:
            out.append(toks)
            continue
        cur: list[str] = []
        for t in toks:
            if t == "\n":
                out.append(cur)
                cur = []
            else:
                cur.append(t)
        out.append(cur)
    return out


# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Tai Tham, and the
# CJK ideographs and kana. The tokenizer does not segment them (a run is one token).
UNSPACED_SCRIPTS_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u1a20-\u1aaf"
    "\u2e80-\u2fdf\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f]"
)

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
    """One regex for every sentence end: a newline, a full stop of a caseless script
    (:data:`SENTENCE_TERMINALS`: ``।``, ``。``, ``؟``, ...), or ``.``/``!``/``?`` (not after an
    abbreviation or a single-letter initial) plus closing quotes and spaces, followed by a
    word that does not start with a lower-case letter. Abbreviations are fixed-width
    negative look-behinds, so no Python code runs per candidate.

    With ``consume_punctuation`` the match also takes the ``.``/``!``/``?`` itself (the
    sentence strings lose it, their tokens do not change) and the pattern starts with the
    character class ``[\n.!?]``: the regex engine then skips ahead to candidates in C instead
    of trying the look-behinds at every character (about 10x faster on running text). The
    full stops of other scripts are then found by the token regex of the sentences that are
    not ASCII (:data:`_TERMINAL_RE`), which keeps that class a plain 256-bit table.
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
    return rf"\n|(?<=[{_TERMINALS}])|(?<=[.!?])" + rest


# Sentence strings (punctuation kept) for split_sentences(); the pipeline uses the faster
# punctuation-consuming form, which gives the same tokens.
_SENT_END_RE = re.compile(_boundary_pattern())
_SENT_BREAK_RE = re.compile(_boundary_pattern(consume_punctuation=True))


class Tokenizer:
    r"""Split text into sentences of tokens.

    Sentences end at newlines, at the full stops of caseless scripts
    (:data:`SENTENCE_TERMINALS`: the danda ``।``, ``。``, ``؟``, ``။``, ...) and at
    ``.``/``!``/``?`` followed by a space and a word that is not lower-case, except after a
    known abbreviation ("Dr.", "e.g.") or a single letter ("J. Smith"). Tokens are whole
    words of any script: runs of letters, combining marks and digits (``\p{L}\p{M}\p{N}``),
    so ``"घोड़ा"`` and ``"cafe\u0301"`` are one token each; everything else (punctuation,
    hyphens, apostrophes, underscores) separates tokens: ``"T-shirt"`` -> ``["t", "shirt"]``,
    ``"children's"`` -> ``["children", "s"]``. A run of a script written without spaces
    (Chinese, Japanese, Thai, ...) is one token: no dictionary segmentation. Text is not
    Unicode-normalized (MediaWiki stores NFC).

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
        toks = _WORD_RE.findall(text) if text.isascii() else _words(text)
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
        """Sentences of ``text`` as token lists (empty or too short sentences dropped).

        Runs the compiled twin of this method when it is built (``corpora._speedups``: same
        output); :meth:`_sentences_python` is the reference.
        """
        fast = _speedups.active
        if fast is not None:
            out = fast.sentences(text, self.lowercase, self._compiled_min_tokens())
            if out is not None:
                return self._compiled_numbers(out)
        return self._sentences_python(text)

    def _compiled_min_tokens(self) -> int:
        """The ``min_tokens`` for the compiled tokenizer, which keeps numbers as they are
        (:meth:`_compiled_numbers` then applies the other modes and the minimum)."""
        return self.min_tokens if self.numbers == "keep" else 1

    def _compiled_numbers(self, sentences: list[list[str]]) -> list[list[str]]:
        """The number mode and ``min_tokens`` applied to the compiled tokenizer's output."""
        if self.numbers == "keep":
            return sentences
        tokenized = map(self._numbers, sentences)
        return [t for t in tokenized if len(t) >= self.min_tokens]

    def _sentences_python(self, text: str) -> list[list[str]]:
        """:meth:`sentences` in pure Python (the reference for the compiled code)."""
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
        raw = joined.encode("utf-8", "surrogatepass")
        sents = raw.translate(table).decode("utf-8", "surrogatepass").split("\n")
        # Beyond the BMP (UTF-8 lead bytes F0-F4; letters and marks only in F0 and F3): rare.
        astral = not joined.isascii() and (b"\xf0" in raw or b"\xf3" in raw)
        breaks: list[int] = []

        def tok(line: str, astral: bool = astral, hit=breaks.append) -> list[str]:
            """Tokens of a line that is not ASCII; a "\\n" token where a full stop of
            another script (।, 。, ؟, ...) ends a sentence."""
            if _TERMINAL_RE.search(line) is None:
                return _words(line, astral)
            hit(1)
            return _terminal_split_tokens(line, astral)

        if self.lowercase:
            # lower() the original sentence: its punctuation is context for str.lower
            # (Greek final sigma), the translate keeps the same lines.
            originals = joined.split("\n")
            tokenized = [
                s.split() if s.isascii() else tok(o.lower()) for s, o in zip(sents, originals)
            ]
        else:
            tokenized = [s.split() if s.isascii() else tok(s) for s in sents]
        if breaks:
            tokenized = _split_at_breaks(tokenized)
        if not keep_numbers:
            tokenized = map(self._numbers, tokenized)
        if min_tokens == 1:
            return [t for t in tokenized if t]
        return [t for t in tokenized if len(t) >= min_tokens]


def _configure_compiled() -> None:
    """Hand this module's tables to the compiled tokenizer (when it is built)."""
    ctext = _speedups.compiled()
    if ctext is not None:
        ctext.configure_tokenizer(
            word_ranges=word_char_ranges(0, 0x10000),
            terminals=SENTENCE_TERMINALS,
            abbreviations=sorted(_ABBREVIATIONS),
            astral_line_tokens=_line_tokens,
        )


_configure_compiled()
