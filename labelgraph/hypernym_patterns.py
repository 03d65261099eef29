"""Hypernymy (is-a) evidence between labels from Hearst patterns in label-matched sentences.

The patterns run over sentences whose label phrases are already joined and located by
:class:`corpora.PhraseMatcher` (``match`` -> ``(joined tokens, [(position, label)])``; the
tokenizer drops punctuation), and yield directed ``(hyponym, hypernym)`` label pairs:

* ``such_as``: "X such as Y1, Y2 and Y3" (also "such X as Y");
* ``and_other``: "Y1, Y2 and other X" ("or other" too);
* ``including``: "X including Y1 and Y2";
* ``especially``: "X, especially Y";
* ``kind_of``: "Y is a kind of X" (also "type", "sort", "form", "species", "breed", "variety";
  "is", "are", "was", "were"; "a", "an" or none).

One non-label word may stand before a label of a list or of X ("red pears", "land
vehicles"). The same label is never its own hypernym.

Measured over the sentences of a build from the 65 M-word shared corpus (README): 26,556 mined
edges recover 24 of the 206 parent labels that the 1,000 tuning label sets imply
(:func:`implied_parents`) at precision 0.015. The text names taxonomic parents ("Cat ->
Animal"), while images pair labels that go together ("Shopkeeper -> Person" is never written
as a Hearst pattern), so the build does not use the mined edges.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

__all__ = [
    "HYPERNYM_PATTERNS",
    "find_hypernyms",
    "count_hypernyms",
    "joined_sentences",
    "implied_parents",
]

#: the pattern names, in the order they are tried
HYPERNYM_PATTERNS: tuple[str, ...] = (
    "such_as",
    "and_other",
    "including",
    "especially",
    "kind_of",
)
_COPULA = frozenset({"is", "are", "was", "were"})
_KINDS = frozenset(
    {"kind", "kinds", "type", "types", "sort", "form", "species", "breed", "variety"}
)
_JOINERS = frozenset({"and", "or"})
#: a sentence without one of these words holds no pattern
_CUES = re.compile(r"\b(?:such|other|including|especially|" + "|".join(sorted(_KINDS)) + r")\b")
_MAX_LIST = 12


def _labels_at(mentions: Sequence[tuple[int, int]]) -> dict[int, tuple[int, ...]]:
    at: dict[int, list[int]] = {}
    for pos, label in mentions:
        at.setdefault(int(pos), []).append(int(label))
    return {p: tuple(v) for p, v in at.items()}


def _list_after(tokens: Sequence[str], at: dict[int, tuple[int, ...]], j: int) -> list[int]:
    """Labels of a list "Y1 Y2 and Y3" starting at token ``j`` (one modifier per item)."""
    found: list[int] = []
    n = len(tokens)
    while j < n and len(found) < _MAX_LIST:
        if j in at:
            found.extend(at[j])
            j += 1
            if j < n and tokens[j] in _JOINERS:
                j += 1
        elif j + 1 in at and tokens[j] not in _JOINERS:  # one modifier before the label
            j += 1
        else:
            break
    return found


def _list_before(tokens: Sequence[str], at: dict[int, tuple[int, ...]], j: int) -> list[int]:
    """Labels of a list "Y1 Y2 and Y3" ending at token ``j`` (read backwards)."""
    found: list[int] = []
    while j >= 0 and len(found) < _MAX_LIST:
        if j in at:
            found.extend(at[j])
            j -= 1
            if j >= 0 and tokens[j] in _JOINERS:
                j -= 1
            continue
        break
    return found


def _label_near(at: dict[int, tuple[int, ...]], *positions: int) -> tuple[int, ...]:
    """The labels at the first of ``positions`` that holds one."""
    for p in positions:
        if p in at:
            return at[p]
    return ()


def find_hypernyms(
    tokens: Sequence[str], mentions: Sequence[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """``[(hyponym, hypernym, pattern)]`` found in one sentence.

    Args:
        tokens: the joined tokens of :meth:`corpora.PhraseMatcher.match` (lower-cased).
        mentions: its ``(position, label)`` pairs.
    """
    at = _labels_at(mentions)
    if len(at) < 2:
        return []
    n = len(tokens)
    out: list[tuple[int, int, str]] = []

    def add(children: Iterable[int], parents: Iterable[int], pattern: str) -> None:
        parents = tuple(parents)
        for c in children:
            for p in parents:
                if c != p:
                    out.append((c, p, pattern))

    for j, tok in enumerate(tokens):
        nxt = tokens[j + 1] if j + 1 < n else ""
        if tok == "such" and nxt == "as":  # X such as Y
            add(_list_after(tokens, at, j + 2), _label_near(at, j - 1, j - 2), "such_as")
        elif tok == "such" and j + 2 < n and tokens[j + 2] == "as" and j + 1 in at:  # such X as Y
            add(_list_after(tokens, at, j + 3), at[j + 1], "such_as")
        elif tok in _JOINERS and nxt == "other":  # Y and other X
            add(_list_before(tokens, at, j - 1), _label_near(at, j + 2, j + 3), "and_other")
        elif tok == "including":
            add(_list_after(tokens, at, j + 1), _label_near(at, j - 1, j - 2), "including")
        elif tok == "especially":
            add(_list_after(tokens, at, j + 1), _label_near(at, j - 1, j - 2), "especially")
        elif tok in _KINDS and nxt == "of" and j >= 2:  # Y is (a) kind of X
            k = j - 1
            if tokens[k] in ("a", "an"):
                k -= 1
            if k >= 1 and tokens[k] in _COPULA:
                add(_label_near(at, k - 1, k - 2), _label_near(at, j + 2, j + 3), "kind_of")
    return out


def count_hypernyms(
    sentences: Iterable[tuple[Sequence[str], Sequence[tuple[int, int]]]],
) -> Counter[tuple[int, int]]:
    """``{(hyponym, hypernym): sentences}`` over ``(joined tokens, mentions)`` sentences (a
    pair found twice in one sentence counts once)."""
    counts: Counter[tuple[int, int]] = Counter()
    for tokens, mentions in sentences:
        counts.update({(c, p) for c, p, _ in find_hypernyms(tokens, mentions)})
    return counts


def joined_sentences(
    path: str | os.PathLike[str], names: Sequence[str]
) -> Iterator[tuple[list[str], list[tuple[int, int]]]]:
    """``(tokens, mentions)`` of the sentences of a build's phrase-joined sentence file
    (``OUT/work/sentences.txt``: one sentence per line, each label mention already replaced by
    its phrase token, e.g. ``grocery_store``) that contain a pattern cue word.

    Args:
        path: the sentence file.
        names: the label names of the build (label ``i`` is ``names[i]``).
    """
    from corpora import PhraseMatcher

    labels_of: dict[str, list[int]] = {}
    for i, phrase in enumerate(PhraseMatcher(names).phrases):
        if phrase:
            labels_of.setdefault(phrase, []).append(i)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not _CUES.search(line):
                continue
            tokens = line.split()
            mentions = [(j, i) for j, t in enumerate(tokens) for i in labels_of.get(t, ())]
            if len(mentions) >= 2:
                yield tokens, mentions


def implied_parents(
    label_sets: Iterable[Sequence[int]], min_child: int = 3, min_share: float = 0.5
) -> set[tuple[int, int]]:
    """``(child, parent)`` pairs that image label sets imply: the child is seen on at least
    ``min_child`` images and at least ``min_share`` of them also carry the parent."""
    freq: Counter[int] = Counter()
    pairs: Counter[tuple[int, int]] = Counter()
    for s in label_sets:
        u = sorted(set(s))
        freq.update(u)
        pairs.update((a, b) for a in u for b in u if a != b)
    return {
        (c, p) for (c, p), k in pairs.items() if freq[c] >= min_child and k / freq[c] >= min_share
    }
