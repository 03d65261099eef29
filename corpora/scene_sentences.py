"""Scene sentences: sentences that describe what can be seen (who wears, holds or rides what,
where things are relative to each other), found by a fixed word list.

A sentence is a scene sentence when one of its tokens (compared lower-cased) is in
:data:`SCENE_VERBS` or :data:`SCENE_PREPOSITIONS`, or it holds one of the multi-word
prepositions of :data:`SCENE_PHRASES` (``next to``, ``in front of``, ``on top of``, ...) as
consecutive tokens. It works on the token lists of any reader (MediaWiki dumps, WikiExtractor
text, plain text), phrase-joined or not (a joined label token such as ``grocery_store`` is
never a cue word).

The lists were fixed before any measurement (README, "Does the graph help?"):

* verbs of pose, wearing, holding, carrying and depiction, in the forms that describe a
  visible state (``wearing``, ``holding``, ``riding``, ``sitting``, ``standing``,
  ``carrying``, ``depicted``, ...). Left out on purpose: forms mostly used in another sense
  in encyclopaedic text (``held`` of events, ``stands``/``lies`` of places and offices,
  ``shown``/``showing`` of tables and figures, ``playing`` of roles and music);
* spatial prepositions other than ``in``/``on``/``at``/``with`` (which mark time, topics and
  membership as often as places): ``beside``, ``behind``, ``under``, ``atop``, ``near``, ...

Recall is low and precision modest (``near`` and ``under`` also mark geography and rule:
"a village near Leeds", "under the Tudors"): the detector is a cheap filter, not a parser.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["SCENE_PHRASES", "SCENE_PREPOSITIONS", "SCENE_VERBS", "SCENE_WORDS", "is_scene_sentence"]

#: Verbs (and participles) of pose, wearing, holding, carrying and depiction.
SCENE_VERBS = frozenset(
    """wearing wears wore worn holding holds riding rides rode sitting sits sat seated
    standing carrying carries carried lying eating eats drinking hanging hangs pulling pulls
    pushing leaning perched parked grazing depicting depicts depicted pictured photographed
    painted""".split()
)
#: One-word spatial prepositions.
SCENE_PREPOSITIONS = frozenset(
    """atop beside behind under underneath beneath above below near inside onto
    against around alongside""".split()
)
#: Multi-word spatial prepositions (consecutive tokens).
SCENE_PHRASES: tuple[tuple[str, ...], ...] = (
    ("next", "to"),
    ("in", "front", "of"),
    ("on", "top", "of"),
    ("close", "to"),
    ("in", "the", "middle", "of"),
)
#: Every one-word cue.
SCENE_WORDS = SCENE_VERBS | SCENE_PREPOSITIONS
_PHRASE_HEADS = frozenset(p[0] for p in SCENE_PHRASES)
_PHRASE_NEEDS = frozenset(w for p in SCENE_PHRASES for w in p[1:])


def is_scene_sentence(tokens: Sequence[str]) -> bool:
    """Whether the sentence ``tokens`` holds a scene cue (see the module docstring).

    Args:
        tokens: one sentence's tokens, any case.
    """
    words = {t.lower() for t in tokens}
    if not SCENE_WORDS.isdisjoint(words):
        return True
    if _PHRASE_HEADS.isdisjoint(words) or _PHRASE_NEEDS.isdisjoint(words):
        return False
    low = [t.lower() for t in tokens]
    for phrase in SCENE_PHRASES:
        n = len(phrase)
        if not words.issuperset(phrase):
            continue
        for i in range(len(low) - n + 1):
            if tuple(low[i : i + n]) == phrase:
                return True
    return False
