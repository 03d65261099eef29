from __future__ import annotations

import pytest

from labelgraph.cooccurrence import CooccurrenceCounter, CooccurrenceCounts

DOC1 = [[(0, 0), (3, 1)], [(1, 0), (2, 2)], []]
DOC2 = [[(0, 1), (5, 2), (6, 2)], [(0, 3)]]


def _count(docs, window=2, examples=0):
    c = CooccurrenceCounter(4, window=window, examples_per_pair=examples)
    ref = 0
    for d in docs:
        c.add_document(d, first_ref=ref)
        ref += len(d)
    return c.result()


def test_sentence_window_document_counts_by_hand():
    r = _count([DOC1, DOC2])
    assert r.total("sentence") == 5
    assert r.unigram("sentence").tolist() == [2, 2, 2, 1]
    assert r.count("sentence", 0, 1) == 1 and r.count("sentence", 1, 0) == 1
    assert r.count("sentence", 0, 2) == 1 and r.count("sentence", 1, 2) == 1
    assert r.count("sentence", 0, 3) == 0
    assert r.pairs("sentence").nnz == 6  # symmetric
    # window W=2: only (0, 2) in doc1 sentence 1; the two label-2 mentions are not a pair
    assert r.upper("window").nnz == 1 and r.count("window", 0, 2) == 1
    assert r.total("window") == 8  # mentions
    assert r.mentions.tolist() == [2, 2, 3, 1]
    assert r.total("document") == 2
    assert r.count("document", 1, 2) == 2 and r.count("document", 0, 3) == 0
    assert r.count("document", 2, 3) == 1
    assert r.unigram("document").tolist() == [1, 2, 2, 1]


def test_window_size_matters():
    r = _count([DOC1, DOC2], window=3)
    assert r.count("window", 0, 1) == 1 and r.count("window", 0, 2) == 1


def test_labels_sharing_one_mention_are_not_a_pair():
    c = CooccurrenceCounter(8, window=5)
    c.add_document([[(0, 5), (0, 6)]])  # one phrase that names two labels
    r = c.result()
    assert r.count("sentence", 5, 6) == 0
    assert r.count("window", 5, 6) == 0
    assert r.count("document", 5, 6) == 0
    c.add_document([[(0, 5), (0, 6), (3, 5)]])  # label 5 mentioned again elsewhere
    r = c.result()
    assert r.count("sentence", 5, 6) == 1
    assert r.count("document", 5, 6) == 1
    assert r.count("window", 5, 6) == 1  # position 3 (label 5) with position 0 (label 6)


def test_merge_equals_counting_everything_and_save_load(tmp_path):
    whole = _count([DOC1, DOC2, DOC1], examples=2)
    a = _count([DOC1, DOC2], examples=2)
    b = _count([DOC1], examples=2)
    merged = CooccurrenceCounts.merge_all([a, b])
    for ctx in whole.contexts:
        assert (whole.upper(ctx) != merged.upper(ctx)).nnz == 0
        assert whole.unigram(ctx).tolist() == merged.unigram(ctx).tolist()
        assert whole.total(ctx) == merged.total(ctx)
    merged.save(tmp_path / "c.npz")
    back = CooccurrenceCounts.load(tmp_path / "c.npz")
    key = 1 * 4 + 2
    assert back.example_refs([key, 3 * 4 + 3]) == {key: merged.examples[key]}
    assert back.count("document", 1, 2) == 3
    assert back.meta["window"] == 2
    assert back.examples == merged.examples


def test_examples_keep_first_refs_up_to_cap():
    r = _count([DOC1, DOC2, DOC1], examples=2)
    key01 = 0 * 4 + 1
    # pair (0, 1) occurs in sentence refs 0 (doc1 s0) and 5 (third doc's s0)
    assert r.examples[key01] == [0, 5]
    r1 = _count([DOC1, DOC1, DOC1], examples=2)
    assert r1.examples[key01] == [0, 3]


def test_image_label_sets():
    c = CooccurrenceCounter(3, contexts=("image",))
    c.add_label_set([0, 1])
    c.add_label_set([1, 2, 1])
    c.add_label_set([])
    r = c.result()
    assert r.total("image") == 3
    assert r.unigram("image").tolist() == [1, 2, 1]
    assert r.count("image", 1, 2) == 1 and r.count("image", 0, 2) == 0


def test_bad_context_and_window():
    from corpora.errors import InputError

    with pytest.raises(InputError, match="unknown co-occurrence context"):
        CooccurrenceCounter(3, contexts=("paragraph",))
    with pytest.raises(InputError, match="window"):
        CooccurrenceCounter(3, window=0)


def test_document_context_keeps_the_most_mentioned_labels():
    c = CooccurrenceCounter(5, contexts=("document",), document_max_labels=2)
    # label 3 mentioned 3x, label 1 2x, labels 0/4 once: the document holds {1, 3}
    c.add_document([[(0, 3), (2, 1), (4, 0)], [(0, 3), (1, 3), (2, 1), (3, 4)]])
    r = c.result()
    assert r.unigram("document").tolist() == [0, 1, 0, 1, 0]
    assert r.upper("document").nnz == 1 and r.count("document", 1, 3) == 1
    c0 = CooccurrenceCounter(5, contexts=("document",), document_max_labels=0)
    c0.add_document([[(0, 3), (2, 1), (4, 0)], [(0, 3), (1, 3), (2, 1), (3, 4)]])
    assert c0.result().upper("document").nnz == 6
