import random

import pytest

from corpora import PhraseMatcher, normalize_label_name, plural_forms

NAMES = [
    "Grocery store",
    "Store",
    "Seal (animal)",
    "Seal",
    "Traffic light",
    "Light",
    "Mouse",
    "T-shirt",
    "Bus",
    "Cherry",
    "Fireman",
    "(unnamed)",
]


@pytest.fixture(scope="module")
def matcher() -> PhraseMatcher:
    return PhraseMatcher(NAMES)


def test_normalize() -> None:
    assert normalize_label_name("Seal (animal)") == ["seal"]
    assert normalize_label_name("Speckled wood (butterfly") == ["speckled", "wood"]
    assert normalize_label_name("T-shirt") == ["t", "shirt"]
    assert plural_forms(["grocery", "store"]) == [["grocery", "stores"]]
    assert plural_forms(["bus"]) == [["buses"]]
    assert plural_forms(["cherry"]) == [["cherries"]]
    assert plural_forms(["mouse"]) == [["mice"]]
    assert plural_forms(["fireman"]) == [["firemen"]]
    assert plural_forms(["sheep"]) == []


def test_longest_match_wins(matcher: PhraseMatcher) -> None:
    joined, mentions = matcher.match("the grocery store sells a store light".split())
    assert joined == ["the", "grocery_store", "sells", "a", "store", "light"]
    assert mentions == [(1, 0), (4, 1), (5, 5)]


def test_token_boundaries(matcher: PhraseMatcher) -> None:
    joined, mentions = matcher.match("storeroom lights grocery".split())
    assert joined == ["storeroom", "light", "grocery"]  # "lights" is Light's plural alias
    assert mentions == [(1, 5)]


def test_plurals_map_to_canonical_token(matcher: PhraseMatcher) -> None:
    joined, mentions = matcher.match("two grocery stores three mice buses and cherries".split())
    assert joined == ["two", "grocery_store", "three", "mouse", "bus", "and", "cherry"]
    assert mentions == [(1, 0), (3, 6), (4, 8), (6, 9)]


def test_shared_phrase_reports_every_label(matcher: PhraseMatcher) -> None:
    joined, mentions = matcher.match("a seal and seals".split())
    assert joined == ["a", "seal", "and", "seal"]
    assert mentions == [(1, 2), (1, 3), (3, 2), (3, 3)]
    assert matcher.labels_of("seal") == (2, 3)


def test_hyphenated_and_unmatchable(matcher: PhraseMatcher) -> None:
    joined, mentions = matcher.match(["a", "t", "shirts", "t", "shirt"])
    assert joined == ["a", "t_shirt", "t_shirt"] and mentions == [(1, 7), (2, 7)]
    assert matcher.unmatchable == [] and matcher.phrases[11] == "unnamed"
    assert PhraseMatcher(["()", "x"]).unmatchable == [0]


def test_original_case_and_no_plurals() -> None:
    m = PhraseMatcher(["Traffic light"], plurals=False)
    assert m.match(["the", "traffic", "lights"]) == (["the", "traffic", "lights"], [])
    joined, mentions = m.match(["new", "traffic", "light"], original=["New", "Traffic", "Light"])
    assert joined == ["New", "traffic_light"] and mentions == [(1, 0)]


def _brute_force(forms: dict[tuple[str, ...], tuple[int, ...]], tokens: list[str]):
    """Leftmost-longest matching by trying every span (the definition, slowly)."""
    joined, mentions, i = [], [], 0
    longest = max(len(k) for k in forms)
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            labels = forms.get(tuple(tokens[i : i + n]))
            if labels:
                mentions += [(len(joined), lab) for lab in labels]
                joined.append("_".join(tokens[i : i + n]) if n > 1 else tokens[i])
                i += n
                break
        else:
            joined.append(tokens[i])
            i += 1
    return joined, mentions


def test_against_brute_force() -> None:
    rng = random.Random(0)
    words = ["a", "b", "c", "d", "e"]
    names = sorted({" ".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(12)})
    m = PhraseMatcher(names, plurals=False)
    forms = {tuple(n.split()): m.labels_of(n) for n in names}
    for _ in range(300):
        toks = rng.choices(words + ["z"], k=rng.randint(0, 12))
        assert m.match(toks) == _brute_force(forms, toks), toks
        assert m.match_sentences([toks]) == ([m.match(toks)[0]], [m.match(toks)[1]])


def test_pickle_roundtrip(matcher: PhraseMatcher) -> None:
    import pickle

    m2 = pickle.loads(pickle.dumps(matcher))
    toks = "a grocery store and seals".split()
    assert m2.match(toks) == matcher.match(toks)
