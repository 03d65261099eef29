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

Measured on the 65 M-word shared corpus (R12 prototype, README "Does the graph help?"):
the mined edges recover 27 of the 206 parent labels that the tuning label sets imply
(``P(parent | child) >= 0.5``, child seen at least 3 times) at precision 0.015, because the text
names taxonomic parents ("Cat -> Animal", "Wood -> Material") while images pair labels that
co-occur ("Shopkeeper -> Person" is never written as a Hearst pattern); so the build does not
use them and this module is the pattern finder with its counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["HYPERNYM_PATTERNS", "find_hypernyms", "count_hypernyms"]

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
