r"""Sentence splitting and word tokenization with compiled regexes (Unicode-aware).

A token is a run of letters, combining marks and digits of any script (Unicode categories
L, M and N, plus the zero-width joiners U+200C/U+200D between them), so that vowel signs,
viramas and nuktas (Devanagari, Bengali, Tamil, Thai, ...) and combining accents stay inside
their word. Python's ``re`` has no ``\p{..}`` classes: its ``\w`` covers L and N (and
``_``), and the combining marks are added as an explicit class (below), which keeps the token
regex as fast as plain ``\w`` (the ``regex`` module was not needed).

Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar, ...) are not
segmented: a run of their letters is one token (no dictionary segmenter is used), see the
README (corpora).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["NUMBER_MODES", "SENTENCE_TERMINALS", "UNSPACED_SCRIPTS_RE", "Tokenizer"]

NUMBER_MODES = ("keep", "normalize", "drop")

# Combining marks (general category M: Mn, Mc, Me) as code point ranges, from the Unicode
# 14.0 database of Python 3.11 (the marks of every later version are computed at import).
_MARKS_UNICODE = (14, 0, 0)
_MARK_RANGES = """
0300-036F 0483-0489 0591-05BD 05BF 05C1-05C2 05C4-05C5 05C7 0610-061A 064B-065F 0670
06D6-06DC 06DF-06E4 06E7-06E8 06EA-06ED 0711 0730-074A 07A6-07B0 07EB-07F3 07FD 0816-0819
081B-0823 0825-0827 0829-082D 0859-085B 0898-089F 08CA-08E1 08E3-0903 093A-093C 093E-094F
0951-0957 0962-0963 0981-0983 09BC 09BE-09C4 09C7-09C8 09CB-09CD 09D7 09E2-09E3 09FE
0A01-0A03 0A3C 0A3E-0A42 0A47-0A48 0A4B-0A4D 0A51 0A70-0A71 0A75 0A81-0A83 0ABC 0ABE-0AC5
0AC7-0AC9 0ACB-0ACD 0AE2-0AE3 0AFA-0AFF 0B01-0B03 0B3C 0B3E-0B44 0B47-0B48 0B4B-0B4D
0B55-0B57 0B62-0B63 0B82 0BBE-0BC2 0BC6-0BC8 0BCA-0BCD 0BD7 0C00-0C04 0C3C 0C3E-0C44
0C46-0C48 0C4A-0C4D 0C55-0C56 0C62-0C63 0C81-0C83 0CBC 0CBE-0CC4 0CC6-0CC8 0CCA-0CCD
0CD5-0CD6 0CE2-0CE3 0D00-0D03 0D3B-0D3C 0D3E-0D44 0D46-0D48 0D4A-0D4D 0D57 0D62-0D63
0D81-0D83 0DCA 0DCF-0DD4 0DD6 0DD8-0DDF 0DF2-0DF3 0E31 0E34-0E3A 0E47-0E4E 0EB1 0EB4-0EBC
0EC8-0ECD 0F18-0F19 0F35 0F37 0F39 0F3E-0F3F 0F71-0F84 0F86-0F87 0F8D-0F97 0F99-0FBC 0FC6
102B-103E 1056-1059 105E-1060 1062-1064 1067-106D 1071-1074 1082-108D 108F 109A-109D
135D-135F 1712-1715 1732-1734 1752-1753 1772-1773 17B4-17D3 17DD 180B-180D 180F 1885-1886
18A9 1920-192B 1930-193B 1A17-1A1B 1A55-1A5E 1A60-1A7C 1A7F 1AB0-1ACE 1B00-1B04 1B34-1B44
1B6B-1B73 1B80-1B82 1BA1-1BAD 1BE6-1BF3 1C24-1C37 1CD0-1CD2 1CD4-1CE8 1CED 1CF4 1CF7-1CF9
1DC0-1DFF 20D0-20F0 2CEF-2CF1 2D7F 2DE0-2DFF 302A-302F 3099-309A A66F-A672 A674-A67D
A69E-A69F A6F0-A6F1 A802 A806 A80B A823-A827 A82C A880-A881 A8B4-A8C5 A8E0-A8F1 A8FF
A926-A92D A947-A953 A980-A983 A9B3-A9C0 A9E5 AA29-AA36 AA43 AA4C-AA4D AA7B-AA7D AAB0
AAB2-AAB4 AAB7-AAB8 AABE-AABF AAC1 AAEB-AAEF AAF5-AAF6 ABE3-ABEA ABEC-ABED FB1E FE00-FE0F
FE20-FE2F 101FD 102E0 10376-1037A 10A01-10A03 10A05-10A06 10A0C-10A0F 10A38-10A3A 10A3F
10AE5-10AE6 10D24-10D27 10EAB-10EAC 10F46-10F50 10F82-10F85 11000-11002 11038-11046 11070
11073-11074 1107F-11082 110B0-110BA 110C2 11100-11102 11127-11134 11145-11146 11173
11180-11182 111B3-111C0 111C9-111CC 111CE-111CF 1122C-11237 1123E 112DF-112EA 11300-11303
1133B-1133C 1133E-11344 11347-11348 1134B-1134D 11357 11362-11363 11366-1136C 11370-11374
11435-11446 1145E 114B0-114C3 115AF-115B5 115B8-115C0 115DC-115DD 11630-11640 116AB-116B7
1171D-1172B 1182C-1183A 11930-11935 11937-11938 1193B-1193E 11940 11942-11943 119D1-119D7
119DA-119E0 119E4 11A01-11A0A 11A33-11A39 11A3B-11A3E 11A47 11A51-11A5B 11A8A-11A99
11C2F-11C36 11C38-11C3F 11C92-11CA7 11CA9-11CB6 11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D45
11D47 11D8A-11D8E 11D90-11D91 11D93-11D97 11EF3-11EF6 16AF0-16AF4 16B30-16B36 16F4F
16F51-16F87 16F8F-16F92 16FE4 16FF0-16FF1 1BC9D-1BC9E 1CF00-1CF2D 1CF30-1CF46 1D165-1D169
1D16D-1D172 1D17B-1D182 1D185-1D18B 1D1AA-1D1AD 1D242-1D244 1DA00-1DA36 1DA3B-1DA6C 1DA75
1DA84 1DA9B-1DA9F 1DAA1-1DAAF 1E000-1E006 1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A
1E130-1E136 1E2AE 1E2EC-1E2EF 1E8D0-1E8D6 1E944-1E94A E0100-E01EF
"""


def scan_mark_ranges() -> list[tuple[int, int]]:
    """Ranges ``(first, last)`` of the combining marks (category M) in this Python's Unicode
    database (planes 0, 1 and 14, the only ones that hold marks)."""
    category = unicodedata.category
    out: list[tuple[int, int]] = []
    for lo, hi in ((0, 0x20000), (0xE0000, 0xE1000)):
        for cp in range(lo, hi):
            if category(chr(cp))[0] == "M":
                if out and out[-1][1] == cp - 1:
                    out[-1] = (out[-1][0], cp)
                else:
                    out.append((cp, cp))
    return out


def _mark_ranges() -> list[tuple[int, int]]:
    version = tuple(int(x) for x in unicodedata.unidata_version.split("."))
    if version > _MARKS_UNICODE:  # a newer Unicode may add marks: compute them (~0.1 s)
        return scan_mark_ranges()
    ranges = []
    for item in _MARK_RANGES.split():
        first, _, last = item.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return ranges


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


_MARKS = _mark_ranges()
_BMP_MARKS = _char_class([r for r in _MARKS if r[1] <= 0xFFFF])
_ALL_MARKS = _char_class(_MARKS)
# A token: letters/digits (``\w`` without ``_``, which the tokenizer blanks out first) and
# combining marks, with ZWNJ/ZWJ allowed between them (Persian, Malayalam, Devanagari
# half forms). One positive class keeps the regex engine in its fast single-class loop: the
# BMP marks are a bitmap lookup. Astral marks (Brahmi, Grantha, ...) would add a linear list
# of ranges tried at every token end, so they are in a second regex, used only for text
# that holds astral characters at all.
_TOKEN_RE = re.compile(rf"[\w{_BMP_MARKS}]+(?:[\u200c\u200d]+[\w{_BMP_MARKS}]+)*")
_TOKEN_RE_ASTRAL = re.compile(rf"[\w{_ALL_MARKS}]+(?:[\u200c\u200d]+[\w{_ALL_MARKS}]+)*")
# UTF-8 lead bytes of astral characters (U+10000 and above).
_ASTRAL_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")

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


def _boundary_pattern(consume_punctuation: bool = False) -> str:
    """One regex for every sentence end: a newline, a full stop of a caseless script
    (:data:`SENTENCE_TERMINALS`: ``।``, ``。``, ``؟``, ...), or ``.``/``!``/``?`` (not after an
    abbreviation or a single-letter initial) plus closing quotes and spaces, followed by a
    word that does not start with a lower-case letter. Abbreviations are fixed-width
    negative look-behinds, so no Python code runs per candidate.

    With ``consume_punctuation`` the match also takes the punctuation itself (the sentence
    strings lose it, their tokens do not change) and the pattern starts with one character
    class of every candidate: the regex engine then skips ahead to candidates in C instead
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
        return rf"[\n.!?{_TERMINALS}](?:(?<=[\n{_TERMINALS}])|" + rest + ")"
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
        if "_" in text:
            text = text.replace("_", " ")
        rx = _TOKEN_RE if text.isascii() or max(text) <= "\uffff" else _TOKEN_RE_ASTRAL
        toks = rx.findall(text)
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
        blanked = raw.translate(table)
        sents = blanked.decode("utf-8", "surrogatepass").split("\n")
        # Astral characters (UTF-8 lead bytes F0-F4) are rare: only then the regex with the
        # astral marks.
        tok = _TOKEN_RE.findall
        if b"\xf0" in raw or b"\xf1" in raw or b"\xf2" in raw or b"\xf3" in raw or b"\xf4" in raw:
            tok = _TOKEN_RE_ASTRAL.findall
        if self.lowercase:
            # lower() the original sentence: its punctuation is context for str.lower
            # (Greek final sigma), the translate keeps the same lines. "_" is a word
            # character of the regex, and a separator here.
            originals = joined.split("\n")
            tokenized = (
                s.split() if s.isascii() else tok(o.lower().replace("_", " "))
                for s, o in zip(sents, originals)
            )
        else:  # the translate already blanked "_"
            tokenized = (s.split() if s.isascii() else tok(s) for s in sents)
        if not keep_numbers:
            tokenized = map(self._numbers, tokenized)
        if min_tokens == 1:
            return [t for t in tokenized if t]
        return [t for t in tokenized if len(t) >= min_tokens]
