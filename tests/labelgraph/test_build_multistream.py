"""`labelgraph build --index`: a multistream dump is read as several shards, same counts."""

import json

import numpy as np

from corpora.multistream_writer import write_multistream
from labelgraph import LabelGraph
from labelgraph.cli import main


def _build(tmp_path, name, corpus, labels, extra=()):
    out = tmp_path / name
    rc = main(
        [
            "build",
            "--corpus",
            str(corpus),
            "--labels",
            str(labels),
            "--out",
            str(out),
            "--no-embeddings",
            "--quiet",
            *extra,
        ]
    )
    assert rc == 0
    return out


def test_build_from_multistream_index_matches_single_stream(tmp_path, gensim_wiki_dump):
    labels = tmp_path / "labels.txt"
    labels.write_text("Water\nWar\nArt\nCity\nHistory\nAnimal\nGovernment\nPeople\n")
    dump, index = write_multistream(gensim_wiki_dump, tmp_path / "ms.xml.bz2", pages_per_stream=20)
    single = _build(tmp_path, "single", gensim_wiki_dump, labels, ["--no-readahead"])
    multi = _build(
        tmp_path,
        "multi",
        dump,
        labels,
        ["--index", str(index), "--shard-mb", "0.05", "--processes", "2"],
    )
    shard_files = list((multi / "work").rglob("*.npz"))
    assert len(shard_files) > 2  # the index split the dump into several shards
    a, b = LabelGraph.load(single), LabelGraph.load(multi)
    np.testing.assert_array_equal(a.frequency("corpus"), b.frequency("corpus"))
    assert (a.adjacency("text") != b.adjacency("text")).nnz == 0
    manifest = json.loads((multi / "manifest.json").read_text())
    assert manifest["parameters"]["index"] == str(index)
    assert manifest["parameters"]["readahead"] is True
    single_manifest = json.loads((single / "manifest.json").read_text())
    assert single_manifest["parameters"]["readahead"] is False


def test_build_rejects_unknown_format(tmp_path, capsys):
    labels = tmp_path / "labels.txt"
    labels.write_text("Water\n")
    try:
        main(
            [
                "build",
                "--corpus",
                str(labels),
                "--labels",
                str(labels),
                "--out",
                str(tmp_path / "o"),
                "--format",
                "pdf",
            ]
        )
    except SystemExit as exc:
        assert exc.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err
