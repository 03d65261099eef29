"""The ``"visual"`` co-occurrence context: text that describes what pictures show, counted on
its own and mixed into the text edges with a weight (``labelgraph build
--visual-context-weight W``).

What counts as one visual context (a ``"set"`` context: labels in the same context co-occur):

* every **image caption** of a wikitext page (framed file links and gallery lines,
  :mod:`corpora.image_captions`; the corpus is opened with ``captions=True``, and the
  captions never enter the sentence, window or document contexts or the word2vec sentences);
* every **scene sentence** of the running text (:func:`corpora.scene_sentences.
  is_scene_sentence`: a pose/wearing/holding verb or a spatial preposition), from any reader;
  WikiExtractor text has no captions left, so there it is scene sentences only.

Mixing (:func:`text_context_counts`): the text edges and the ``text ...`` pair scorers of
``labelgraph evaluate`` use the build's ``--context`` ``c`` plus ``W`` times the visual
context, summed count by count: ``n_ab = n_ab(c) + W n_ab(visual)``, ``n_a = n_a(c) + W
n_a(visual)``, ``N = N(c) + W N(visual)`` (each visual context counts as ``W`` contexts of
``c``; a pair seen in a scene sentence is also in its sentence and document, so the visual
evidence is counted again, with weight ``W``). The mixture is the context
``"<c>+<W>*visual"`` (e.g. ``"document+1*visual"``); ``W = 0`` (the default) counts nothing
more and leaves every output as without this option. Minimum pair counts (``min_count`` of the
edge builders, ``--pair-min-count``) apply to the mixed counts: with ``W < 1``, a pair seen
in one visual context only stays below a minimum of 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from corpora.document import Document
from corpora.errors import InputError
from corpora.scene_sentences import SCENE_PHRASES, SCENE_WORDS, is_scene_sentence
from labelgraph.cooccurrence import CooccurrenceCounter, CooccurrenceCounts

__all__ = [
    "VISUAL_CONTEXT",
    "count_visual_contexts",
    "mixture_name",
    "scene_word_list",
    "text_context_counts",
    "text_edge_context",
    "visual_context_weight",
]

#: The context's name in :class:`~labelgraph.cooccurrence.CooccurrenceCounts`.
VISUAL_CONTEXT = "visual"


def scene_word_list() -> list[str]:
    """The scene cues (one-word and multi-word, sorted), recorded in a build's count stage
    parameters: a changed list recounts."""
    return sorted(SCENE_WORDS) + sorted(" ".join(p) for p in SCENE_PHRASES)


def count_visual_contexts(counter: CooccurrenceCounter, doc: Document) -> tuple[int, int]:
    """Count ``doc``'s scene sentences and captions as visual contexts of ``counter`` (which
    must count :data:`VISUAL_CONTEXT`).

    Returns:
        ``(scene sentences, captions)`` counted.
    """
    scenes = 0
    for tokens, mentions in zip(doc.sentences, doc.mentions):
        if is_scene_sentence(tokens):
            counter.add_context_sentence(mentions, VISUAL_CONTEXT)
            scenes += 1
    for mentions in doc.caption_mentions:
        counter.add_context_sentence(mentions, VISUAL_CONTEXT)
    return scenes, len(doc.caption_mentions)


def visual_context_weight(parameters: Mapping[str, Any]) -> float:
    """A build's ``visual_context_weight`` (0 when absent: graphs built before the option).

    Raises:
        InputError: a negative or non-finite weight.
    """
    w = float(parameters.get("visual_context_weight") or 0.0)
    if not math.isfinite(w) or w < 0:
        raise InputError(f"--visual-context-weight must be a finite number >= 0 (0 = off), got {w}")
    return w


def mixture_name(context: str, weight: float) -> str:
    """``"document+0.5*visual"``: the name of ``context`` mixed with ``weight`` visual."""
    return f"{context}+{weight:g}*{VISUAL_CONTEXT}"


def text_edge_context(parameters: Mapping[str, Any]) -> str:
    """The context a build's text edges are computed in: its ``context`` (default
    ``sentence``), or the mixture name when ``visual_context_weight > 0``."""
    context = parameters.get("context") or "sentence"
    w = visual_context_weight(parameters)
    return mixture_name(context, w) if w > 0 else context


def text_context_counts(
    counts: CooccurrenceCounts, parameters: Mapping[str, Any]
) -> tuple[CooccurrenceCounts, str]:
    """``(counts, context)`` to compute a build's text edges from: ``counts`` and its
    ``context`` unchanged when ``visual_context_weight`` is 0, else counts holding the
    mixture ``context + W * visual`` (:meth:`CooccurrenceCounts.mixed`) and its name.

    Raises:
        InputError: the weight is > 0 but ``counts`` hold no visual context (counted
            without ``--visual-context-weight``).
    """
    context = parameters.get("context") or "sentence"
    w = visual_context_weight(parameters)
    if w == 0:
        return counts, context
    if VISUAL_CONTEXT not in counts.contexts:
        raise InputError(
            f"--visual-context-weight {w:g} needs counts of the {VISUAL_CONTEXT!r} context, "
            f"and these hold only {', '.join(counts.contexts)}; count the corpus again with "
            "the weight set (labelgraph build --visual-context-weight W, without reusing the "
            "earlier count stage)"
        )
    name = mixture_name(context, w)
    return counts.mixed(name, {context: 1.0, VISUAL_CONTEXT: w}), name
