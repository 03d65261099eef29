"""Hearst patterns over a hand-made corpus: directed (hyponym -> hypernym) evidence."""

from __future__ import annotations

from corpora import PhraseMatcher, Tokenizer
from labelgraph.hypernym_patterns import count_hypernyms, find_hypernyms

NAMES = [
    "Fruit",
    "Apple",
    "Pear",
    "Banana",
    "Car",
    "Bus",
    "Vehicle",
    "Shopkeeper",
    "Person",
    "Land vehicle",
    "Animal",
    "Horse",
    "Dog",
]
IDX = {n: i for i, n in enumerate(NAMES)}
TEXT = (
    "Fruits such as apples, red pears and bananas grow here. "
    "Cars, buses and other land vehicles filled the road. "
    "A shopkeeper is a kind of person. "
    "Many animals, including horses and dogs, live on the farm. "
    "She likes fruit, especially bananas. "
    "He sold such vehicles as buses. "
    "The horse and the dog were playing near a car. "
)


def _sentences():
    matcher = PhraseMatcher(NAMES)
    return [matcher.match(s) for s in Tokenizer().sentences(TEXT)]


def _named(pairs):
    return {(NAMES[c], NAMES[p]) for c, p in pairs}


def test_hypernym_patterns_found():
    found = [find_hypernyms(t, m) for t, m in _sentences()]
    assert {(NAMES[c], NAMES[p], pat) for c, p, pat in found[0]} == {
        ("Apple", "Fruit", "such_as"),
        ("Pear", "Fruit", "such_as"),  # "red" is a modifier
        ("Banana", "Fruit", "such_as"),
    }
    assert _named((c, p) for c, p, _ in found[1]) == {
        ("Car", "Land vehicle"),
        ("Bus", "Land vehicle"),
    }
    assert found[2] == [(IDX["Shopkeeper"], IDX["Person"], "kind_of")]
    assert _named((c, p) for c, p, _ in found[3]) == {("Horse", "Animal"), ("Dog", "Animal")}
    assert found[4] == [(IDX["Banana"], IDX["Fruit"], "especially")]
    assert found[5] == [(IDX["Bus"], IDX["Vehicle"], "such_as")]
    assert found[6] == []  # co-occurrence without a pattern is no is-a evidence


def test_counts_are_directed_and_per_sentence():
    counts = count_hypernyms(_sentences() + _sentences()[:1])
    assert counts[(IDX["Apple"], IDX["Fruit"])] == 2
    assert counts[(IDX["Fruit"], IDX["Apple"])] == 0  # the other direction is not evidence
    assert counts[(IDX["Shopkeeper"], IDX["Person"])] == 1
    assert sum(counts.values()) == 2 * 3 + 2 + 1 + 2 + 1 + 1


def test_sentence_file_and_implied_parents(tmp_path):
    from labelgraph.hypernym_patterns import implied_parents, joined_sentences

    f = tmp_path / "sentences.txt"
    f.write_text(
        "fruit such as apple and pear\nthe apple and the pear\ncar bus and other land_vehicle\n",
        encoding="utf-8",
    )
    found = list(joined_sentences(f, NAMES))
    assert [t for t, _ in found] == [
        ["fruit", "such", "as", "apple", "and", "pear"],
        ["car", "bus", "and", "other", "land_vehicle"],
    ]  # the line without a cue word is skipped
    assert _named(count_hypernyms(found)) == {
        ("Apple", "Fruit"),
        ("Pear", "Fruit"),
        ("Car", "Land vehicle"),
        ("Bus", "Land vehicle"),
    }
    sets = [[7, 8]] * 3 + [[8]] * 5 + [[1, 0]] * 2
    assert implied_parents(sets) == {(7, 8)}  # Person on every Shopkeeper image; Apple seen twice
