"""``labelgraph explain`` on a tiny plain-text corpus built with ``labelgraph build``.

Corpus (two documents = paragraphs, 11 sentences)::

    doc 1: 5 x "The shopkeeper greeted a person in the grocery store."  2 x "A person walked home."
    doc 2: 3 x "The horse stood in the stable."                          1 x "A person rode the horse."

Sentence counts: Person 8, Shopkeeper 5, both 5, total 11 -> PMI = log(5 * 11 / (8 * 5)) and
NPMI = PMI / -log(5 / 11). Documents: Person 2, Shopkeeper 1, both 1, total 2.
Images (annotations): i1 {P, S}, i2 {P, S, G}, i3 {H}, i4 {P, H}: Person 3, Shopkeeper 2, both 2.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from labelgraph.cli import main
from labelgraph.evaluation.fold_refit import annotation_refit
from labelgraph.label_graph import LabelGraph

DOCS = [
    ["The shopkeeper greeted a person in the grocery store."] * 5 + ["A person walked home."] * 2,
    ["The horse stood in the stable."] * 3 + ["A person rode the horse."],
]
LABELS = [
    ("/m/p", "Person"),
    ("/m/s", "Shopkeeper"),
    ("/m/g", "Grocery store"),
    ("/m/h", "Horse"),
    ("/m/st", "Stable"),
]
SETS = "i1,/m/p /m/s\ni2,/m/p /m/s /m/g\ni3,/m/h\ni4,/m/p /m/h\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("explain")
    corpus = root / "corpus.txt"
    corpus.write_text("\n\n".join(" ".join(d) for d in DOCS) + "\n", encoding="utf-8")
    labels = root / "class-descriptions.csv"
    labels.write_text("".join(f"{c},{n}\n" for c, n in LABELS), encoding="utf-8")
    ann = root / "tuning_labels.csv"
    ann.write_text(SETS, encoding="utf-8")
    out = root / "graph"
    argv = [
        "build",
        "--corpus",
        str(corpus),
        "--labels",
        str(labels),
        "--annotations",
        str(ann),
        "--out",
        str(out),
        "--vector-size",
        "8",
        "--epochs",
        "2",
        "--min-count",
        "1",
        "--workers",
        "1",
        "--pair-min-count",
        "1",
        "--knn",
        "2",
        "--top-k",
        "1",
        "--quiet",
    ]
    assert main(argv) == 0
    return out, ann


def _row(out: str, context: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.strip().startswith(context + " "))


def test_explain_counts_measures_and_examples(built, capsys):
    out_dir, _ = built
    assert main(["explain", str(out_dir), "person", "Shopkeeper", "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Person (/m/p)  +  Shopkeeper (/m/s)")
    pmi = math.log(5 * 11 / (8 * 5))
    npmi = pmi / -math.log(5 / 11)
    sent = _row(out, "sentence")
    assert sent[1:5] == ["8", "5", "5", "11"]
    assert float(sent[5]) == pytest.approx(pmi, abs=1e-4)
    assert float(sent[7]) == pytest.approx(npmi, abs=1e-4)
    assert float(sent[8]) == pytest.approx(5 / 8, abs=1e-4)  # P(B|A)
    assert _row(out, "document")[1:5] == ["2", "1", "1", "2"]
    assert _row(out, "image")[1:5] == ["3", "2", "2", "4"]
    examples = [line for line in out.splitlines() if line.startswith("  - ")]
    assert len(examples) == 2
    assert all("shopkeeper greeted a person in the grocery store" in e for e in examples)
    assert "embedding cosine:" in out


def test_explain_rank_and_non_neighbour(built, capsys):
    out_dir, _ = built
    assert main(["explain", str(out_dir), "Person", "Horse", "--json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    # PMI(person, horse) = log(1 * 11 / (8 * 4)) < 0: no positive-PMI text edge
    assert ev["text"]["sentence"]["count_ab"] == 1
    assert ev["rank"]["text"] is None and ev["weights"]["text"] == 0.0
    assert ev["examples"] == []
    assert main(["explain", str(out_dir), "Person", "Horse"]) == 0
    out = capsys.readouterr().out
    assert "text         weight     0.0000   rank not a neighbour" in out
    assert "example sentences with both: none kept" in out
    assert main(["explain", str(out_dir), "Person", "Unicorn"]) == 2


def test_fold_refit_on_all_images_reproduces_the_build(built):
    """Refitting the annotation part on every image must give back the built graph (top-k 1
    with k-NN 2: the build combines the *unsparsified* sources, and so must the refit)."""
    out_dir, _ = built
    g = LabelGraph.load(out_dir)
    sets = [[0, 1], [0, 1, 2], [3], [0, 3]]
    full = annotation_refit(g)(sets)
    for source in ("annotation", "combined", "text"):
        diff = abs(full.adjacency(source) - g.adjacency(source))
        assert diff.max() == pytest.approx(0.0, abs=1e-6), source
    assert np.array_equal(full.frequency("annotation"), g.frequency("annotation"))
    part = annotation_refit(g)(sets[:2])  # without i3, i4: Horse never annotated
    assert part.frequency("annotation").tolist() == [2, 2, 1, 0, 0]
    assert part.adjacency("annotation")[0, 3] == 0 and g.adjacency("annotation")[0, 3] >= 0


def test_text_scorers_use_the_stored_counts(built, tmp_path):
    from labelgraph.evaluation.pair_scorers import create_pair_scorer
    from labelgraph.evaluation.similarity import evaluate_similarity

    out_dir, _ = built
    g = LabelGraph.load(out_dir)
    rows, cols = np.array([0, 1, 0]), np.array([1, 3, 3])  # P-S, S-H (never together), P-H
    npmi = create_pair_scorer("text NPMI")(g, rows, cols)
    pmi_ph = math.log(1 * 11 / (8 * 4))
    assert npmi[0] == pytest.approx(math.log(55 / 40) / -math.log(5 / 11), abs=1e-5)
    assert npmi[1] == -1.0
    assert npmi[2] == pytest.approx(pmi_ph / -math.log(1 / 11), abs=1e-5)
    ppmi = create_pair_scorer("text PPMI")(g, rows, cols)
    # the tiny graph keeps every edge (top_k 50), so the full and stored text edges agree
    assert ppmi.tolist() == pytest.approx([float(g.adjacency("text")[0, 1]), 0.0, 0.0])
    assert ppmi[0] > 0
    sim = tmp_path / "sim.tsv"
    sim.write_text(
        "person\tshopkeeper\t5\nhorse\tstable\t7\nperson\thome\t1\nzzz\tperson\t2\n",
        encoding="utf-8",
    )
    w2v = next(r for r in evaluate_similarity(g, sim) if r.method == "word2vec (all words)")
    assert w2v.coverage == "3/4 pairs"  # every corpus word has a vector (min count 1); zzz not


def test_text_joint_scores_every_pair_from_the_counts(built):
    from labelgraph.association import log_joint_scores
    from labelgraph.evaluation._text_statistics import text_counts
    from labelgraph.evaluation.pair_scorers import create_pair_scorer

    out_dir, _ = built
    g = LabelGraph.load(out_dir)
    rows, cols = np.array([0, 1, 0]), np.array([1, 3, 3])  # P-S, S-H (never together), P-H
    joint = create_pair_scorer("text joint")(g, rows, cols)
    assert np.isfinite(joint).all() and joint[0] > joint[2] > joint[1]
    want = log_joint_scores(text_counts(g), "sentence", rows, cols, kappa=0.1, min_count=1)
    assert joint.tolist() == pytest.approx(want.tolist())
    both = create_pair_scorer("combined joint")(g, rows, cols)
    lp = g.log_prior()
    assert both[1] == pytest.approx(lp[1] + lp[3])  # no combined edge: the priors alone
