"""``labelgraph build`` exits that tell the truth: a labels file of the wrong shape, an output
folder that holds another build (--resume / --overwrite), --drop-work and what a later
--resume redoes, and the word2vec stage as one progress bar."""

from __future__ import annotations

import json
import re

import pytest
from _lg_tiny_corpus import build_args, write_inputs

from labelgraph.cli import main


@pytest.fixture()
def inputs(tmp_path):
    return write_inputs(tmp_path / "in")


def _err_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err  # one line, no traceback
    return err[0]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        # a label-set file with a header: its header row would have become a label
        (
            "image_id,labels\nabc,/m/p /m/s\n",
            r"line 1: 'image_id,labels' looks like a column header",
        ),
        # an image-level labels file: four columns
        (
            "ImageID,Source,LabelName,Confidence\ni1,human,/m/p,1\ni2,human,/m/s,1\n"
            "i3,human,/m/h,0\n",
            r"4 of 4 rows have 4 columns \(line 1: 'ImageID,Source,LabelName,Confidence'\)",
        ),
        # names and codes swapped
        ("Person,/m/p\nShopkeeper,/m/s\nHorse,/m/h\n", r"the second column holds label codes"),
    ],
)
def test_wrong_labels_file_exits_2_naming_the_file(inputs, tmp_path, capsys, content, why):
    bad = tmp_path / "wrong.csv"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "g"
    args = build_args(inputs, out)
    args[args.index("--labels") + 1] = str(bad)
    assert main(args) == 2
    line = _err_line(capsys)
    assert line.startswith(f"labelgraph: error: {bad}")
    assert re.search(why, line), line
    assert not out.exists()  # nothing written before the inputs were checked


def test_a_list_of_codes_is_not_a_list_of_names(inputs, tmp_path, capsys):
    codes = tmp_path / "trainable.csv"  # classes-trainable without its header, as --labels
    codes.write_text("/m/p\n/m/s\n/m/h\n", encoding="utf-8")
    args = build_args(inputs, tmp_path / "g")
    args[args.index("--labels") + 1] = str(codes)
    assert main(args) == 2
    assert "holds label codes, one per line" in _err_line(capsys)


def test_existing_build_is_refused_without_resume_or_overwrite(inputs, tmp_path, capsys):
    out = tmp_path / "g"
    assert main(build_args(inputs, out)) == 0
    capsys.readouterr()
    stages = (out / "work" / "stages.json").read_text()
    assert main(build_args(inputs, out)) == 2
    line = _err_line(capsys)
    assert line == (
        f"labelgraph: error: {out} already holds a graph build; pass --resume to continue it, "
        "--overwrite to start again, or choose a new --out"
    )
    assert (out / "work" / "stages.json").read_text() == stages  # untouched
    assert main(build_args(inputs, out, "--resume", "--overwrite")) == 2
    assert "pass only one" in _err_line(capsys)
    # --overwrite starts again: the earlier build's files go, other files stay
    (out / "work" / "shards" / "stale.npz").write_bytes(b"x")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(build_args(inputs, out, "--overwrite")) == 0
    assert not (out / "work" / "shards" / "stale.npz").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert json.loads((out / "work" / "stages.json").read_text())["count"]["reused_shards"] == 0


def test_a_folder_of_other_files_is_refused_even_with_overwrite(inputs, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("x", encoding="utf-8")
    for extra in ((), ("--overwrite",)):
        assert main(build_args(inputs, out, *extra)) == 2
        assert "is not empty and holds no graph build" in _err_line(capsys)
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]
    # an empty folder is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(build_args(inputs, empty)) == 0


def test_drop_work_then_resume_says_what_is_redone(inputs, tmp_path, capsys):
    out = tmp_path / "g"
    assert main(build_args(inputs, out, "--drop-work")) == 0
    assert not (out / "work").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["work"]["dropped"] and manifest["work"]["bytes"] > 0
    report = (out / "report.txt").read_text(encoding="utf-8")
    assert "work: " in report and "(dropped after the build: --drop-work)" in report
    before = manifest["stages"]
    # the graph still answers every query that needs only its folder
    assert main(["neighbors", str(out), "Shopkeeper", "-k", "2", "--quiet"]) == 0
    assert main(["explain", str(out), "Shopkeeper", "Grocery store", "--quiet"]) == 0
    capsys.readouterr()
    assert main(build_args(inputs, out, "--resume")) == 0  # --quiet: warnings still show
    said = [x for x in capsys.readouterr().err.splitlines() if "--resume" in x]
    assert len(said) == 1, said
    assert "stages count, merge, graph are redone" in said[0]
    assert "reused with unchanged parameters: annotations, embeddings" in said[0]
    after = json.loads((out / "work" / "stages.json").read_text())
    assert after["count"]["reused_shards"] == 0  # recounted, nothing stale reused
    for stage in ("annotations", "embeddings"):
        assert after[stage]["finished_at"] == before[stage]["finished_at"], stage
    assert after["merge"]["finished_at"] != before["merge"]["finished_at"]
    assert (out / "work" / "sentences.txt").is_file()


def test_word2vec_stage_is_one_progress_bar_and_gensim_info_only_with_v(inputs, tmp_path, capfd):
    args = [a for a in build_args(inputs, tmp_path / "g") if a != "--quiet"]
    assert main(args) == 0
    err = capfd.readouterr().err
    assert "word2vec: 100%" in err  # the bar, run to its end
    gensim_lines = [x for x in err.splitlines() if x.startswith("INFO gensim")]
    assert gensim_lines == []
    assert main([*build_args(inputs, tmp_path / "v"), "-v"]) == 0
    err = capfd.readouterr().err
    assert sum(x.startswith("INFO gensim") for x in err.splitlines()) > 5
