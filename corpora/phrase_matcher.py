"""Find label phrases ("grocery store", "seal") in token streams with Aho-Corasick.

Matching works on *tokens*, not characters: every word that occurs in some label phrase gets
a private 3-character code (base-32 digits from three disjoint character ranges, so the
automaton's fan-out stays small and a match can only start at a token), a sentence becomes
the string of those codes (a filler code for other words), and a pyahocorasick automaton
over the phrases' code strings finds the leftmost-longest, non-overlapping matches
(``Automaton.iter_long``). Token boundaries are therefore exact in every script ("cat" never
matches inside "catalog", nor "गाय" inside "गाया": tokens are whole words, see
:class:`~corpora.Tokenizer`) and a longer phrase wins over the shorter phrases inside it ("grocery store" over "store"). A filler code is
appended to every sentence: pyahocorasick's ``iter_long`` drops a pending shorter match when
the input ends inside a longer candidate (``"a e"`` with keys ``"e"`` and ``"a e b"``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, repeat

import ahocorasick

from corpora.tokenizer import UNSPACED_SCRIPTS_RE, Tokenizer

__all__ = ["PhraseMatcher", "normalize_label_name", "plural_forms"]

logger = logging.getLogger(__name__)
_WARNED: set[tuple[str, ...]] = set()

_PAREN_RE = re.compile(r"\s*\([^()]*(?:\)|$)")
_IRREGULAR_PLURALS = {
    "man": "men",
    "woman": "women",
    "child": "children",
    "person": "people",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "ox": "oxen",
    "louse": "lice",
    "knife": "knives",
    "leaf": "leaves",
    "wolf": "wolves",
    "loaf": "loaves",
    "shelf": "shelves",
    "calf": "calves",
    "half": "halves",
    "wife": "wives",
    "life": "lives",
    "thief": "thieves",
    "cactus": "cacti",
    "fungus": "fungi",
}
# Words whose plural is the same word, or that are usually not pluralised.
_NO_PLURAL = frozenset(
    "sheep deer fish moose series species aircraft equipment furniture clothing hair rice "
    "news police cattle swine bison salmon trout shrimp squid".split()
)
_FILLER = "\x01\x01\x01"
_BASE = 32
_CODE_LEN = 3
_MAX_WORDS = _BASE**_CODE_LEN

_default_tokenizer = Tokenizer(lowercase=True, numbers="keep")


def _code(i: int) -> str:
    """Code of word number ``i``: one character per base-32 digit, digit k from range k."""
    return "".join(
        chr(0x100 + 0x100 * k + (i // _BASE ** (_CODE_LEN - 1 - k)) % _BASE)
        for k in range(_CODE_LEN)
    )


def normalize_label_name(name: str) -> list[str]:
    """Tokens of a label name: parenthetical qualifiers dropped, lower-cased, in Unicode NFC
    (the form MediaWiki stores text in).

    ``"Seal (animal)"`` -> ``["seal"]``, ``"Grocery store"`` -> ``["grocery", "store"]``,
    ``"T-shirt"`` -> ``["t", "shirt"]``, ``"घोड़ा"`` -> ``["घोड़ा"]`` (tokenized exactly like
    the corpus: whole words of any script).
    """
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    stripped = _PAREN_RE.sub("", name).strip()
    return _default_tokenizer.tokens(stripped or name)


def _is_latin(word: str) -> bool:
    return word.isascii() or all("LATIN" in unicodedata.name(c, "") for c in word)


def _plural(word: str) -> str | None:
    if word in _NO_PLURAL or not word.isalpha() or len(word) < 2 or not _is_latin(word):
        return None
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith("man") and len(word) > 4:  # fireman -> firemen
        return word[:-3] + "men"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def plural_forms(tokens: Sequence[str]) -> list[list[str]]:
    """Simple plural aliases of a phrase: the last word pluralised (``[]`` when none).

    English rules only, for words in Latin letters: ``-s/-x/-z/-ch/-sh`` + ``es``, consonant
    + ``y`` -> ``ies``, ``-man`` -> ``-men``, a short irregular table (``mouse`` -> ``mice``),
    otherwise + ``s``. Words of other scripts get no plural.
    """
    if not tokens:
        return []
    p = _plural(tokens[-1])
    if p is None or p == tokens[-1]:
        return []
    return [[*tokens[:-1], p]]


class PhraseMatcher:
    """Find label mentions in token lists and join multi-word label phrases.

    Args:
        names: label names; label index ``i`` is ``names[i]``.
        plurals: also match simple plural forms of each name (default ``True``).

    Normalization: names are NFC-normalized, lower-cased and tokenized like the corpus,
    parenthetical qualifiers are dropped (``"Seal (animal)"`` -> ``seal``), plural aliases are
    added (``"grocery stores"``, Latin-script names only). A canonical name always wins over another label's plural alias.

    Output tokens: every match, singular or plural, is replaced by the label's canonical
    phrase token (:attr:`phrases`, words joined with ``"_"``: ``"grocery_store"``), so each
    label has exactly one token in the output stream.

    Several labels with the same normalized name (two "Seal" labels, "Seal" and
    "Seal (animal)"): the phrase maps to *all* of them. A match is one token in ``joined``
    and yields one ``(position, label)`` pair per label, in ascending label order, so
    per-label mention counts count the mention once for each label sharing the phrase.
    Labels whose name normalizes to nothing are listed in :attr:`unmatchable`.
    """

    def __init__(self, names: Sequence[str], plurals: bool = True) -> None:
        self.names = list(names)
        self.plurals = plurals
        self.phrases: list[str] = []
        self.unmatchable: list[int] = []
        canonical: dict[tuple[str, ...], list[int]] = {}
        for i, name in enumerate(self.names):
            toks = tuple(normalize_label_name(str(name)))
            self.phrases.append("_".join(toks))
            if not toks:
                self.unmatchable.append(i)
                continue
            canonical.setdefault(toks, []).append(i)
        forms: dict[tuple[str, ...], tuple[int, ...]] = {k: tuple(v) for k, v in canonical.items()}
        if plurals:
            aliases: dict[tuple[str, ...], list[int]] = {}
            for toks, labels in canonical.items():
                for p in plural_forms(toks):
                    if tuple(p) not in canonical:
                        aliases.setdefault(tuple(p), []).extend(labels)
            for k, v in aliases.items():
                forms[k] = tuple(sorted(set(v)))
        self._word_code: dict[str, str] = {}
        for toks in forms:
            for w in toks:
                if w not in self._word_code:
                    if len(self._word_code) >= _MAX_WORDS:
                        raise ValueError("too many distinct words in the label names")
                    self._word_code[w] = _code(len(self._word_code))
        self._automaton = ahocorasick.Automaton()
        self._forms = forms
        for toks, labels in forms.items():
            key = "".join(self._word_code[w] for w in toks)
            # value: (number of tokens, output token, labels, mention pairs at offset 0)
            out = self.phrases[labels[0]]
            self._automaton.add_word(key, (len(toks), out, labels))
        if len(forms):
            self._automaton.make_automaton()
        self._empty = not forms
        unspaced = [n for n in self.names if UNSPACED_SCRIPTS_RE.search(str(n))]
        if unspaced and tuple(unspaced) not in _WARNED:  # once per process (not per worker)
            _WARNED.add(tuple(unspaced))
            logger.warning(
                "%d label names are written in a script without spaces between words "
                "(Chinese, Japanese, Thai, ...: %s): the tokenizer does not segment such text, "
                "so they are found only where they stand alone between spaces or punctuation; "
                "segment the text beforehand (README: corpora)",
                len(unspaced),
                ", ".join(repr(n) for n in unspaced[:3]),
            )

    def __reduce__(self):  # rebuild in worker processes instead of pickling the automaton
        return (PhraseMatcher, (self.names, self.plurals))

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"PhraseMatcher({len(self.names)} labels, {len(self._forms)} phrase forms)"

    def labels_of(self, phrase: str | Iterable[str]) -> tuple[int, ...]:
        """Label indices a phrase (``"grocery store"``, ``"grocery_store"`` or tokens) maps to."""
        if isinstance(phrase, str):
            toks = tuple(phrase.replace("_", " ").split())
        else:
            toks = tuple(phrase)
        return self._forms.get(toks, ())

    def match(
        self, tokens: list[str], original: list[str] | None = None
    ) -> tuple[list[str], list[tuple[int, int]]]:
        """Find label mentions in one sentence.

        Args:
            tokens: lower-cased tokens (as the corpus tokenizer makes them).
            original: optional same-length tokens (e.g. in their original case) copied to
                ``joined`` for the tokens that are not part of a match.

        Returns:
            ``(joined, mentions)``: ``joined`` is ``tokens`` with each match replaced by its
            label's phrase token; ``mentions`` holds ``(position in joined, label index)``
            pairs sorted by position then label. ``tokens`` itself is not modified.
        """
        src = tokens if original is None else original
        if self._empty or not tokens:
            return list(src), []
        get = self._word_code.get
        enc = "".join(map(get, tokens, repeat(_FILLER))) + _FILLER
        hits = [(end // _CODE_LEN, v) for end, v in self._automaton.iter_long(enc)]
        if not hits:
            return list(src), []
        return _apply(src, hits)

    def match_sentences(
        self, sentences: list[list[str]]
    ) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
        """:meth:`match` over many sentences; returns ``(joined sentences, mentions)``.

        One automaton pass over the whole list (a filler code between sentences keeps
        matches inside a sentence); sentences without a match are returned as they are.
        """
        mentions_all: list[list[tuple[int, int]]] = [[] for _ in sentences]
        if self._empty or not sentences:
            return list(sentences), mentions_all
        get = self._word_code.get
        enc = _FILLER.join(["".join(map(get, s, repeat(_FILLER))) for s in sentences]) + _FILLER
        hits = list(self._automaton.iter_long(enc))
        joined_all = list(sentences)
        if not hits:
            return joined_all, mentions_all
        # starts[i]: index of sentence i's first token in the flat stream (fillers included)
        starts = list(accumulate([len(s) + 1 for s in sentences[:-1]], initial=0))
        group: list[tuple[int, tuple[int, str, tuple[int, ...]]]] = []
        current = -1
        for end, value in hits:
            last = end // _CODE_LEN
            i = bisect_right(starts, last) - 1
            if i != current:
                if group:
                    joined_all[current], mentions_all[current] = _apply(sentences[current], group)
                group = []
                current = i
            group.append((last - starts[i], value))
        joined_all[current], mentions_all[current] = _apply(sentences[current], group)
        return joined_all, mentions_all


def _apply(
    tokens: list[str], hits: list[tuple[int, tuple[int, str, tuple[int, ...]]]]
) -> tuple[list[str], list[tuple[int, int]]]:
    """Replace matched token spans by phrase tokens; collect (position, label) pairs.

    ``hits``: (index of the match's last token, (n tokens, phrase token, labels)).
    """
    joined: list[str] = []
    mentions: list[tuple[int, int]] = []
    prev = 0
    for last, (n, out, labels) in hits:
        start = last - n + 1
        joined.extend(tokens[prev:start])
        pos = len(joined)
        joined.append(out)
        for lab in labels:
            mentions.append((pos, lab))
        prev = last + 1
    joined.extend(tokens[prev:])
    return joined, mentions
