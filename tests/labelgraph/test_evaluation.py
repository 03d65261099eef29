"""labelgraph.evaluation: metrics, readers and the four tasks on hand-made files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from corpora.errors import InputError
from labelgraph.evaluation import evaluate_graph, format_table
from labelgraph.evaluation._folds import kfold_assignments
from labelgraph.evaluation._readers import read_label_sets, read_pair_counts, read_similarity_pairs
from labelgraph.evaluation.annotation_stats import AnnotationStats
from labelgraph.evaluation.cooccurrence import evaluate_cooccurrence
from labelgraph.evaluation.label_sets import evaluate_label_sets, odd_one_out_accuracy
from labelgraph.evaluation.metrics import (
    expected_recall_at_k,
    expected_reciprocal_rank,
    roc_auc,
    spearman,
    tie_aware_rank,
)
from labelgraph.evaluation.similarity import evaluate_similarity
from labelgraph.label_graph import LabelGraph

# ----------------------------------------------------------------------------- metrics


def test_spearman_hand_value():
    # ranks differ by one swap: sum d^2 = 2, rho = 1 - 6*2 / (4*15) = 0.8
    assert spearman(np.array([1, 2, 3, 4]), np.array([1, 3, 2, 4])) == pytest.approx(0.8)
    assert spearman(np.array([1, 2, 3]), np.array([3, 2, 1])) == pytest.approx(-1.0)
    assert math.isnan(spearman(np.array([1.0]), np.array([2.0])))


def test_roc_auc_hand_values():
    # positives 0.9, 0.7; negatives 0.8, 0.6, 0.5: 0.9 beats 3, 0.7 beats 2 -> 5/6
    assert roc_auc(
        np.array([0.9, 0.8, 0.7, 0.6, 0.5]), np.array([1, 0, 1, 0, 0], bool)
    ) == pytest.approx(5 / 6)
    # a tie between the positive and one negative counts 1/2: (0.5 + 1) / 2
    assert roc_auc(np.array([1.0, 1.0, 0.0]), np.array([1, 0, 0], bool)) == pytest.approx(0.75)
    assert math.isnan(roc_auc(np.array([1.0, 2.0]), np.array([1, 1], bool)))


def test_tie_aware_rank_and_expected_metrics():
    scores = np.array([5.0, 3.0, 3.0, 4.0, 3.0, 9.0, 3.0])
    # target 1 (score 3): 0, 3 and 5 are higher; 2, 4, 6 tie; 5 is excluded (a given label)
    assert tie_aware_rank(scores, 1) == (3, 3)
    assert tie_aware_rank(scores, 1, exclude=np.array([5])) == (2, 3)
    # greater 2, ties 3, k 4: the target is at one of positions 3..6 -> P(<= 4) = 2/4
    assert expected_recall_at_k(2, 3, 4) == pytest.approx(0.5)
    assert expected_recall_at_k(4, 0, 4) == 0.0
    assert expected_recall_at_k(0, 0, 1) == 1.0
    assert expected_reciprocal_rank(2, 3) == pytest.approx((1 / 3 + 1 / 4 + 1 / 5 + 1 / 6) / 4)
    assert expected_reciprocal_rank(0, 0) == 1.0


def test_odd_one_out_accuracy_ties():
    assert odd_one_out_accuracy(np.array([0.5, 0.1, 0.3]), 1) == 1.0
    assert odd_one_out_accuracy(np.array([0.5, 0.1, 0.1]), 1) == 0.5
    assert odd_one_out_accuracy(np.array([0.5, 0.1, 0.3]), 2) == 0.0


def test_kfold_assignments_balanced_and_seeded():
    a = kfold_assignments(10, 3, seed=1)
    assert sorted(np.bincount(a).tolist()) == [3, 3, 4]
    assert (a == kfold_assignments(10, 3, seed=1)).all()
    assert sorted(kfold_assignments(4, 4).tolist()) == [0, 1, 2, 3]


def test_annotation_stats_hand_values():
    stats = AnnotationStats([[0, 1], [0, 1], [0, 2]], 4)
    assert stats.freq.tolist() == [3, 2, 1, 0]
    assert stats.counts[0, 1] == 2 and stats.counts[1, 0] == 2 and stats.counts[1, 2] == 0
    # given label 0: P(1|0) = 2/3, P(2|0) = 1/3
    assert stats.completion_scores([0]).tolist() == pytest.approx([0.0, 2 / 3, 1 / 3, 0.0])
    # NPMI(1, 2) never together -> -1; NPMI(0, 1): p01 = 2/3, p0 = 1, p1 = 2/3 -> pmi 0 -> 0
    assert stats.npmi(1, 2) == -1.0
    assert stats.npmi(0, 1) == pytest.approx(0.0, abs=1e-12)
    # NPMI(1, 2) on [[1,2],[0]]: p12 = 1/2, p1 = p2 = 1/2 -> log 2 / log 2 = 1
    assert AnnotationStats([[1, 2], [0]], 3).npmi(1, 2) == pytest.approx(1.0)


# ----------------------------------------------------------------------------- readers


def test_read_similarity_pairs(tmp_path):
    p = tmp_path / "sim.tsv"
    p.write_text(
        "# comment\nWord 1\tWord 2\tHuman\ncat\tdog\t7.5\ncar\tcat\t1.0\n", encoding="utf-8"
    )
    assert read_similarity_pairs(p) == [("cat", "dog", 7.5), ("car", "cat", 1.0)]
    bad = tmp_path / "bad.tsv"
    bad.write_text("cat\tdog\t7\ncar\tcat\thigh\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.tsv, line 2: score 'high'"):
        read_similarity_pairs(bad)


def test_read_pair_counts_and_label_counts(tmp_path):
    p = tmp_path / "x_train_pair_counts.csv"
    p.write_text("label_a,label_b,images\ndog,cat,3\ncat,person,5\n", encoding="utf-8")
    (tmp_path / "x_train_label_counts.csv").write_text(
        "label,images\ncat,9\nzebra,2\n", encoding="utf-8"
    )
    labels, counts = read_pair_counts(p)
    assert labels == ["cat", "dog", "person", "zebra"]
    assert counts == {("cat", "dog"): 3, ("cat", "person"): 5}
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.csv, line 1: expected the header"):
        read_pair_counts(bad)


def test_read_label_sets_three_layouts(tmp_path):
    t = tmp_path / "tuning.csv"
    t.write_text('img1,/m/a /m/b\nimg2,"/m/c"\n', encoding="utf-8")
    assert read_label_sets(t) == {"img1": ["/m/a", "/m/b"], "img2": ["/m/c"]}
    s = tmp_path / "solution.csv"
    s.write_text("image_id,labels\nimg1,/m/a /m/a /m/b\n", encoding="utf-8")
    assert read_label_sets(s) == {"img1": ["/m/a", "/m/b"]}
    h = tmp_path / "human.csv"
    h.write_text(
        "ImageID,Source,LabelName,Confidence\nimg1,verification,/m/a,1\nimg1,verification,/m/b,0\n"
        "img2,crowd,/m/c,1\n",
        encoding="utf-8",
    )
    assert read_label_sets(h) == {"img1": ["/m/a"], "img2": ["/m/c"]}
    bad = tmp_path / "bad.csv"
    bad.write_text("img1,/m/a,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.csv, line 1: expected"):
        read_label_sets(bad)


# ----------------------------------------------------------------------------- tasks

CODES = ["/m/a", "/m/b", "/m/c", "/m/d", "/m/e"]


def _sim_graph() -> LabelGraph:
    names = ["cat", "dog", "car", "tiger", "person"]
    emb = np.array([[1, 0], [1, 1], [0, 1], [1, 0.2], [0, 0]], dtype=np.float32)
    missing = np.array([False, False, False, False, True])
    text = ([0, 0, 1], [1, 2, 2], [2.0, 0.5, 1.0])
    return LabelGraph.from_edges(
        CODES,
        names,
        edges={"text": text, "combined": text},
        embeddings=emb,
        missing=missing,
        frequencies={"corpus": np.array([10.0, 20, 40, 5, 80])},
    )


def test_similarity_spearman_and_coverage(tmp_path):
    p = tmp_path / "wordsim.tsv"
    p.write_text(
        "# w1\tw2\tscore\ncat\ttiger\t9\nCat\tdog\t6\ncat\tcar\t1\ndog\tcar\t2\n"
        "cat\tperson\t3\nunicorn\tcat\t5\n",
        encoding="utf-8",
    )
    rows = evaluate_similarity(_sim_graph(), p, methods=("embedding cosine", "text edges"))
    emb_row = next(r for r in rows if r.method == "embedding cosine")
    # covered: 4 pairs (person has no vector, unicorn is not a label). cosines:
    # cat-tiger 0.981, cat-dog 0.707, cat-car 0, dog-car 0.707 -> ranks 4, 2.5, 1, 2.5;
    # human 9, 6, 1, 2 -> ranks 4, 3, 1, 2 -> rho = 0.9487
    assert emb_row.coverage == "4/6 pairs" and emb_row.n == 4
    assert emb_row.value == pytest.approx(
        spearman(np.array([4, 2.5, 1, 2.5]), np.array([4, 3, 1, 2]))
    )
    assert emb_row.value == pytest.approx(0.9486833, abs=1e-6)
    text_row = next(r for r in rows if r.method == "text edges")
    # text weights: cat-tiger 0, cat-dog 2, cat-car 0.5, dog-car 1 vs human 9, 6, 1, 2
    assert text_row.value == pytest.approx(
        spearman(np.array([0, 2, 0.5, 1]), np.array([9, 6, 1, 2]))
    )
    assert text_row.baselines == [("chance", 0.0)]


def test_cooccurrence_spearman_auc_and_mapping(tmp_path):
    p = tmp_path / "pairs.csv"
    # "Tiger" and "dog" map directly, "sofa" does not exist, "cow" has no alias target here
    p.write_text(
        "label_a,label_b,images\ncat,dog,10\ncat,car,1\ndog,tiger,4\ncat,sofa,3\n",
        encoding="utf-8",
    )
    rows = evaluate_cooccurrence(_sim_graph(), p, methods=("text edges",))
    sp_row, auc_row = rows
    assert sp_row.coverage == "4/5 names mapped (0 via aliases), 6 pairs"
    # pairs in name order: car-cat, car-dog, car-tiger, cat-dog, cat-tiger, dog-tiger
    truth = np.array([1, 0, 0, 10, 0, 4])
    text = np.array([0.5, 1.0, 0, 2.0, 0, 0])
    assert sp_row.value == pytest.approx(spearman(text, truth))
    # positives {car-cat 0.5, cat-dog 2, dog-tiger 0}, negatives {car-dog 1, car-tiger 0, cat-tiger 0}:
    # 0.5 > 0,0 (2) ; 2 > all (3) ; 0 ties 0,0 (1) -> 6 / 9
    assert auc_row.value == pytest.approx(6 / 9)
    # baseline log(1+f) sums: freq cat 10, dog 20, car 40, tiger 5
    f = np.log1p(np.array([40.0, 10, 20, 5]))  # car, cat, dog, tiger
    base = np.array([f[0] + f[1], f[0] + f[2], f[0] + f[3], f[1] + f[2], f[1] + f[3], f[2] + f[3]])
    assert auc_row.baselines[0] == ("frequency product", pytest.approx(roc_auc(base, truth > 0)))
    assert auc_row.baselines[1] == ("chance", 0.5)


def test_cooccurrence_aliases_counted(tmp_path):
    p = tmp_path / "voc.csv"
    p.write_text("label_a,label_b,images\naeroplane,person,2\n", encoding="utf-8")
    g = LabelGraph.from_edges(
        ["/m/x", "/m/y"], ["Airplane", "Person"], edges={"text": ([0], [1], [1.0])}
    )
    rows = evaluate_cooccurrence(g, p, methods=("text edges",))
    assert rows[0].coverage == "2/2 names mapped (1 via aliases), 1 pairs"


def _tiny_sets(tmp_path):
    p = tmp_path / "tuning_labels.csv"
    p.write_text("i1,/m/a /m/b\ni2,/m/a /m/b\ni3,/m/a /m/c\n", encoding="utf-8")
    return p


def test_label_sets_leave_one_out_hand_values(tmp_path):
    """3 images, 3 folds (leave one out), hand-computed in the comments."""
    p = _tiny_sets(tmp_path)
    edges = ([0, 0], [1, 2], [1.0, 0.5])  # a-b 1.0, a-c 0.5
    g = LabelGraph.from_edges(
        CODES, None, edges={"text": edges, "combined": edges}, scoring={"completion": "association"}
    )
    rows = evaluate_label_sets(g, p, folds=3, k=1, intruder_pool=3, progress=False)
    rec, mrr, intr = rows
    # queries (train = the other two images):
    #  i1/i2 hide a|b: freq a=2 top -> 1,1 ; ann P(a|b)=1 -> 1,1 ; graph A[b,a]=1 -> 1,1
    #  i1/i2 hide b|a: freq b=c=1 tie -> r@1 1/2, rr 3/4 ; ann P(b|a)=P(c|a)=1/2 -> same ;
    #                  graph b=1 > c=.5 -> 1,1
    #  i3 hide a|c: freq a=b=2 tie -> 1/2, 3/4 ; ann all 0 (c unseen) 4-way tie -> 1/4, 25/48 ;
    #               graph A[c,a]=.5 -> 1,1
    #  i3 hide c|a: freq b=2 > c=d=e=0 -> 0, 13/36 ; ann P(b|a)=1 > c -> 0, 13/36 ;
    #               graph b=1 > c=.5 -> 0, 1/2
    assert rec.metric == "recall@1" and rec.n == 6
    assert rec.value == pytest.approx(5 / 6)
    assert dict(rec.baselines) == {
        "frequency prior": pytest.approx(3.5 / 6),
        "annotation co-occurrence": pytest.approx(3.25 / 6),
    }
    assert mrr.value == pytest.approx(5.5 / 6)
    assert dict(mrr.baselines) == {
        "frequency prior": pytest.approx((1 + 0.75 + 1 + 0.75 + 0.75 + 13 / 36) / 6),
        "annotation co-occurrence": pytest.approx((1 + 0.75 + 1 + 0.75 + 25 / 48 + 13 / 36) / 6),
    }
    # intruders (top-3 training labels not in the set): i1, i2 get c; i3 gets b.
    # graph/text coherence of {a,b,c}: a .75, b .5, c .25 -> c: right for i1, i2, wrong for i3.
    # annotation NPMI: i1/i2: a-b 0, a-c 0, b-c -1 -> b, c tie -> 1/2 each; i3: c lowest -> 0.
    assert intr.metric == "accuracy" and intr.n == 3
    assert intr.value == pytest.approx(2 / 3)
    assert dict(intr.baselines) == {
        "text only": pytest.approx(2 / 3),
        "annotation only": pytest.approx(1 / 3),
        "chance": pytest.approx(1 / 3),
    }


def test_label_sets_fold_graph_never_sees_test_image(tmp_path):
    p = tmp_path / "sets.csv"
    lines = [f"img{i},/m/a /m/{'bcde'[i % 4]}" for i in range(8)]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    g = LabelGraph.from_edges(CODES, None, edges={"combined": ([0], [1], [1.0])})
    seen_train: list[int] = []

    def fold_graph(train_sets):
        seen_train.append(len(train_sets))
        return g

    rows = evaluate_label_sets(g, p, folds=4, fold_graph=fold_graph, progress=False)
    assert seen_train == [6, 6, 6, 6]  # each fold trains on the 6 images of the 3 other folds
    assert "graph refit per fold" in rows[0].coverage


def test_evaluate_graph_refits_when_file_was_a_build_input(tmp_path, monkeypatch):
    p = _tiny_sets(tmp_path)
    edges = ([0, 0], [1, 2], [1.0, 0.5])
    g = LabelGraph.from_edges(CODES, None, edges={"combined": edges})
    calls = []

    import labelgraph.evaluation.fold_refit as fr

    monkeypatch.setattr(
        fr, "annotation_refit", lambda graph: lambda train: calls.append(1) or graph
    )
    rows = evaluate_graph(g, label_sets=[p], folds=3, progress=False)
    assert not calls and "graph as built" in rows[0].coverage
    g.manifest["inputs"] = {"annotations": [{"path": str(p)}]}
    rows = evaluate_graph(g, label_sets=[p], folds=3, progress=False)
    assert len(calls) == 3 and "graph refit per fold" in rows[0].coverage
    table = format_table(rows)
    assert "recall@10" in table and "frequency prior" in table


@pytest.mark.realdata
def test_real_files_read_and_map(shared_data):
    from labelgraph.label_vocabulary import LabelVocabulary

    vocab = LabelVocabulary.from_csv(shared_data / "openimages" / "class-descriptions.csv")
    n = len(vocab)
    g = LabelGraph.from_edges(vocab.codes, vocab.names, edges={"text": ([0], [1], [1.0])})
    co = shared_data / "cooccurrence"
    rows = evaluate_cooccurrence(g, co / "coco_train_pair_counts.csv", methods=("text edges",))
    # every COCO class but "sports ball" has an Open Images name (11 through DATASET_ALIASES)
    assert rows[0].coverage == "79/80 names mapped (11 via aliases), 3081 pairs"
    rows = evaluate_cooccurrence(g, co / "voc_train_pair_counts.csv", methods=("text edges",))
    assert rows[0].coverage == "20/20 names mapped (7 via aliases), 190 pairs"
    sets = read_label_sets(shared_data / "openimages" / "tuning_labels.csv")
    assert len(sets) == 1000 and sum(len(v) for v in sets.values()) == 2386
    assert n > 19_000


def test_directional_completion_fits_weights_per_fold_and_reports_ablations(tmp_path):
    p = tmp_path / "sets.csv"
    # a is in every image; b, c, d each go with a; e goes with d (a rare pair)
    lines = [f"img{i},/m/a /m/{'bcd'[i % 3]}" + (" /m/e" if i % 6 == 2 else "") for i in range(24)]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    g = LabelGraph.from_edges(CODES, None, edges={"text": ([3], [4], [2.0])})
    g.manifest["inputs"] = {"annotations": [{"path": str(p)}]}
    g = g.with_annotations([["/m/a"]])  # an annotation source, refit per fold from the file
    g.combination = {"weights": {"text": 1.0, "annotation": 1.0}}
    rows = evaluate_graph(g, label_sets=[p], folds=3, k=2, progress=False)
    comp = [r for r in rows if r.task == "completion"]
    assert [(r.metric, r.method) for r in comp] == [
        (m, name)
        for m in ("recall@2", "mrr")
        for name in ("combined graph", "graph, no hypernyms", "graph, no text", "graph, PMI sum")
    ]
    assert "graph refit per fold" in comp[0].coverage
    chosen = comp[0].coverage.split("inner CV: ")[1]
    assert chosen.count("(") == 3 and chosen.count(",") == 6  # each fold's (text, prior, hyp)
    assert all(0 <= r.value <= 1 for r in comp)
    # the prior breaks the ties of the image conditional: never below counting alone
    assert comp[0].value >= dict(comp[0].baselines)["annotation co-occurrence"]
    rows0 = evaluate_graph(g, label_sets=[p], folds=3, k=2, progress=False, inner_folds=0)
    assert "inner CV" not in rows0[0].coverage
