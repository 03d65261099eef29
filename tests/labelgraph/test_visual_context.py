"""The visual co-occurrence context (captions and scene sentences), its weighted mixture into the
text context, and ``labelgraph build --visual-context-weight``."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import numpy as np
import pytest

from corpora import Document, InputError
from labelgraph import LabelGraph
from labelgraph.cli import main
from labelgraph.cooccurrence import TEXT_CONTEXTS, CooccurrenceCounter, CooccurrenceCounts
from labelgraph.visual_context import (
    VISUAL_CONTEXT,
    count_visual_contexts,
    mixture_name,
    text_context_counts,
    text_edge_context,
    visual_context_weight,
)

# ------------------------------------------------------------------ counting


def test_a_visual_sentence_is_one_set_context() -> None:
    c = CooccurrenceCounter(4, (VISUAL_CONTEXT,))
    c.add_context_sentence([(0, 0), (2, 1), (5, 1)])
    c.add_context_sentence([(1, 2), (1, 3)])  # one phrase, two labels: not a pair
    c.add_context_sentence([])
    counts = c.result()
    assert counts.total(VISUAL_CONTEXT) == 3
    assert counts.count(VISUAL_CONTEXT, 0, 1) == 1
    assert counts.count(VISUAL_CONTEXT, 2, 3) == 0
    assert counts.unigram(VISUAL_CONTEXT).tolist() == [1, 1, 1, 1]
    assert counts.kind(VISUAL_CONTEXT) == "set"


def test_count_visual_contexts_takes_scene_sentences_and_captions() -> None:
    doc = Document(
        "1",
        "Horse",
        sentences=[
            ["a", "rider", "sitting", "on", "a", "horse"],
            ["a", "horse", "and", "a", "rider"],
        ],
        mentions=[[(1, 1), (5, 0)], [(1, 0), (4, 1)]],
        captions=[["a", "zebra", "and", "a", "horse"]],
        caption_mentions=[[(1, 2), (4, 0)]],
    )
    c = CooccurrenceCounter(3, (*TEXT_CONTEXTS, VISUAL_CONTEXT))
    c.add_document(doc.mentions)
    assert count_visual_contexts(c, doc) == (1, 1)
    counts = c.result()
    assert counts.total(VISUAL_CONTEXT) == 2
    assert counts.count(VISUAL_CONTEXT, 0, 1) == 1  # the scene sentence only
    assert counts.count(VISUAL_CONTEXT, 0, 2) == 1  # the caption
    assert counts.count("sentence", 0, 2) == 0  # captions stay out of the text contexts
    assert counts.count("document", 0, 2) == 0


# ------------------------------------------------------------------ mixing


def _counts() -> CooccurrenceCounts:
    c = CooccurrenceCounter(3, ("document", VISUAL_CONTEXT))
    c.add_document([[(0, 0), (1, 1)], [(0, 2)]])
    c.add_document([[(0, 0)]])
    c.add_context_sentence([(0, 0), (1, 2)])
    c.add_context_sentence([(0, 0), (1, 2)])
    c.add_context_sentence([(0, 1)])
    return c.result()


def test_mixture_is_the_weighted_sum() -> None:
    counts = _counts()
    mixed = counts.mixed("m", {"document": 1.0, VISUAL_CONTEXT: 0.5})
    assert mixed.count("m", 0, 2) == pytest.approx(1 + 0.5 * 2)
    assert mixed.count("m", 0, 1) == pytest.approx(1)
    assert mixed.total("m") == pytest.approx(2 + 0.5 * 3)
    np.testing.assert_allclose(mixed.unigram("m"), [2 + 1, 1 + 0.5, 1 + 1])
    assert mixed.kind("m") == "set"
    assert mixed.upper("m").dtype == np.float64
    assert counts.contexts == ["document", VISUAL_CONTEXT]  # the parts are unchanged
    assert mixed.meta["mixtures"] == {"m": {"document": 1.0, VISUAL_CONTEXT: 0.5}}


def test_mixture_errors(tmp_path: Path) -> None:
    counts = _counts()
    with pytest.raises(InputError, match="no co-occurrence counts for context 'window'"):
        counts.mixed("m", {"window": 1.0})
    with pytest.raises(ValueError, match="must be finite and >= 0, got -1"):
        counts.mixed("m", {"document": 1.0, VISUAL_CONTEXT: -1.0})
    with pytest.raises(InputError, match="context 'document' exists already"):
        counts.mixed("document", {VISUAL_CONTEXT: 1.0})
    mixed = counts.mixed("m", {"document": 1.0, VISUAL_CONTEXT: 0.5})
    with pytest.raises(ValueError, match="'m' is a weighted mixture; save the counts"):
        mixed.save(tmp_path / "x.npz")


def test_text_context_counts_follow_the_build_parameters() -> None:
    counts = _counts()
    same, ctx = text_context_counts(counts, {"context": "document", "visual_context_weight": 0})
    assert same is counts and ctx == "document"
    assert text_edge_context({"context": "document"}) == "document"  # graphs from before
    mixed, ctx = text_context_counts(counts, {"context": "document", "visual_context_weight": 2})
    assert ctx == mixture_name("document", 2) == "document+2*visual"
    assert text_edge_context({"context": "document", "visual_context_weight": 2.0}) == ctx
    assert mixed.count(ctx, 0, 2) == pytest.approx(1 + 2 * 2)
    without = CooccurrenceCounts(
        3,
        {"document": counts.upper("document")},
        {"document": counts.unigram("document")},
        {"document": 2},
    )
    with pytest.raises(InputError, match="needs counts of the 'visual' context"):
        text_context_counts(without, {"context": "document", "visual_context_weight": 1})
    with pytest.raises(InputError, match="must be a finite number >= 0"):
        visual_context_weight({"visual_context_weight": -0.5})


# ------------------------------------------------------------------ labelgraph build

LABELS = [("/m/p", "Person"), ("/m/h", "Horse"), ("/m/r", "Rider"), ("/m/z", "Zebra")]
PAGES = [
    (
        "Riding",
        "A [[rider]] sitting on a horse.\nThe rider and the person talked.\n"
        "[[File:r.jpg|thumb|upright|A person beside a zebra]]\n"
        "<gallery>\nFile:z.jpg|A zebra and a horse\n</gallery>\nThe horse ran.",
    ),
    ("Field", "A person walked. A horse grazing.\nThe rider fed the horse."),
    ("Town", "The person lives in the town. A horse is an animal."),
]


def _dump_xml(pages: list[tuple[str, str, int]]) -> str:
    body = []
    for title, text, page_id in pages:
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        body.append(
            f"  <page>\n    <title>{title}</title>\n    <ns>0</ns>\n    <id>{page_id}</id>\n"
            f'    <revision>\n      <text xml:space="preserve">{esc}</text>\n    </revision>\n'
            "  </page>\n"
        )
    return (
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10">\n'
        '  <siteinfo>\n    <namespaces>\n      <namespace key="6">File</namespace>\n'
        "    </namespaces>\n  </siteinfo>\n" + "".join(body) + "</mediawiki>\n"
    )


def _dump(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    pages = [(title, text, i + 1) for i, (title, text) in enumerate(PAGES)]
    corpus = root / "dump.xml.bz2"
    corpus.write_bytes(bz2.compress(_dump_xml(pages).encode("utf-8")))
    labels = root / "class-descriptions.csv"
    labels.write_text("".join(f"{c},{n}\n" for c, n in LABELS), encoding="utf-8")
    return {"corpus": corpus, "labels": labels}


def _build(inputs: dict[str, Path], out: Path, *extra: str) -> int:
    args = ["build", "--corpus", str(inputs["corpus"]), "--labels", str(inputs["labels"])]
    args += ["--out", str(out), "--no-embeddings", "--context", "document", "--quiet"]
    args += ["--text-edges", "joint", "--pair-min-count", "1", *extra]
    return main(args)


def _arrays(folder: Path) -> dict[str, np.ndarray]:
    with np.load(folder / "graph.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("visual")
    inputs = _dump(root / "in")
    for name, extra in (
        ("default", ()),
        ("w0", ("--visual-context-weight", "0")),
        ("w1", ("--visual-context-weight", "1")),
    ):
        assert _build(inputs, root / name, *extra) == 0
    return inputs, root


def test_weight_0_is_the_graph_without_the_option(builds) -> None:
    _, root = builds
    a, b = _arrays(root / "default"), _arrays(root / "w0")
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k
    counts = CooccurrenceCounts.load(root / "w0" / "counts" / "text_counts.npz")
    assert VISUAL_CONTEXT not in counts.contexts  # not even counted
    manifest = json.loads((root / "w0" / "manifest.json").read_text())
    assert "captions" not in manifest["counts"]
    assert manifest["parameters"]["visual_context_weight"] == 0.0
    for name in ("default", "w0"):
        assert (root / name / "graph.json").read_text() == (root / "w0" / "graph.json").read_text()


def test_weight_reaches_the_manifest_config_and_counts(builds) -> None:
    _, root = builds
    out = root / "w1"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["visual_context_weight"] == 1.0
    assert "visual-context-weight: 1.0" in (out / "config.yaml").read_text()
    # scene sentences: "a rider sitting on a horse", "a horse grazing"; captions: 2
    assert manifest["counts"]["scene_sentences"] == 2 and manifest["counts"]["captions"] == 2
    counts = CooccurrenceCounts.load(out / "counts" / "text_counts.npz")
    assert counts.total(VISUAL_CONTEXT) == 4
    p, h, r, z = 0, 1, 2, 3
    assert counts.count(VISUAL_CONTEXT, p, z) == 1 and counts.count(VISUAL_CONTEXT, h, r) == 1
    assert counts.count("document", p, z) == 0  # zebras are in captions only
    # the captions never enter the sentences of word2vec or the examples
    assert "beside" not in (out / "work" / "sentences.txt").read_text()


def test_weight_changes_the_text_edges_and_the_text_joint_scorer(builds) -> None:
    from labelgraph.evaluation.pair_scorers import create_pair_scorer

    _, root = builds
    g0, g1 = LabelGraph.load(root / "w0"), LabelGraph.load(root / "w1")
    t0, t1 = g0.adjacency("text").toarray(), g1.adjacency("text").toarray()
    p, z = 0, 3
    assert t0[p, z] == 0 and t1[p, z] > 0  # seen together in a caption only
    rows, cols = np.array([0, 1]), np.array([3, 3])
    s0 = create_pair_scorer("text joint")(g0, rows, cols)
    s1 = create_pair_scorer("text joint")(g1, rows, cols)
    assert np.all(np.isfinite(s0)) and np.all(np.isfinite(s1)) and not np.allclose(s0, s1)


def test_resume_with_another_weight_reuses_the_count(builds, tmp_path) -> None:
    import shutil

    inputs, root = builds
    out = tmp_path / "w2"
    shutil.copytree(root / "w1", out)
    assert _build(inputs, out, "--visual-context-weight", "2", "--resume") == 0
    stages = json.loads((out / "work" / "stages.json").read_text())
    assert stages["count"]["reused_shards"] == stages["count"]["shards"]
    g = LabelGraph.load(out)
    assert g.manifest["parameters"]["visual_context_weight"] == 2.0
    # and back to 0 counts again without the visual context
    assert _build(inputs, out, "--visual-context-weight", "0", "--resume") == 0
    stages = json.loads((out / "work" / "stages.json").read_text())
    assert stages["count"]["reused_shards"] == 0


def test_a_negative_weight_is_refused(builds, capsys) -> None:
    inputs, root = builds
    assert _build(inputs, root / "bad", "--visual-context-weight", "-1") == 2
    assert "--visual-context-weight must be a finite number >= 0" in capsys.readouterr().err


def test_info_summary_names_the_text_context_and_the_visual_counts(builds, capsys) -> None:
    _, root = builds
    assert main(["info", str(root / "w1")]) == 0
    out = capsys.readouterr().out
    summary = out.split("manifest (what was built")[0]
    assert "text edges: joint in the document+1*visual context (visual: 2 captions, 2 scene " in (
        summary
    )
    assert main(["info", str(root / "w0")]) == 0
    summary = capsys.readouterr().out.split("manifest (what was built")[0]
    assert "text edges: joint in the document context\n" in summary


def test_explain_names_the_visual_context_in_its_header(builds, capsys) -> None:
    _, root = builds
    assert main(["explain", str(root / "w1"), LABELS[0][1], LABELS[3][1]]) == 0
    out = capsys.readouterr().out
    assert "(counted per sentence, token window, document, image caption or scene sentence):" in (
        out
    )
    assert main(["explain", str(root / "w0"), LABELS[0][1], LABELS[3][1]]) == 0
    assert "(counted per sentence, token window, document):" in capsys.readouterr().out
