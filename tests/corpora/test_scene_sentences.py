"""The scene-sentence detector (corpora.scene_sentences)."""

from __future__ import annotations

import pytest

from corpora.scene_sentences import (
    SCENE_PHRASES,
    SCENE_PREPOSITIONS,
    SCENE_VERBS,
    is_scene_sentence,
)

POSITIVE = [
    "a man wearing a hat",
    "the rider holds the reins",
    "two boys riding bicycles",
    "a cat sitting on the sofa",
    "a woman standing at the door",
    "a dog lying on the grass",
    "the boy carries a bag",
    "a lamp beside the bed",
    "the car behind the bus",
    "a bridge under construction",  # a false positive of "under": the list is a cheap filter
    "a vase next to the window",
    "a tree in front of the house",
    "a cat on top of the car",
    "A Man WEARING A Hat",  # any case
    "the grocery_store beside the river",  # joined label tokens are fine
]
NEGATIVE = [
    "the election was held in may",
    "a cat is a small animal",
    "the town stands on a river",
    "as shown in the table",
    "he is next in line to the throne",  # "next" and "to" not consecutive
    "in front the line",  # "in front" without "of"
    "the front of the house",
    "",
]


@pytest.mark.parametrize("sentence", POSITIVE)
def test_scene_sentences(sentence: str) -> None:
    assert is_scene_sentence(sentence.split())


@pytest.mark.parametrize("sentence", NEGATIVE)
def test_other_sentences(sentence: str) -> None:
    assert not is_scene_sentence(sentence.split())


def test_word_lists_are_lower_case_single_tokens() -> None:
    for word in SCENE_VERBS | SCENE_PREPOSITIONS:
        assert word == word.lower() and " " not in word
    assert not SCENE_PREPOSITIONS & {"in", "on", "at", "with"}
    assert all(len(p) >= 2 for p in SCENE_PHRASES)
