"""`vision evaluate` says what is wrong with a submission instead of scoring 0.0000 (issue 16):
label names instead of codes, ids that match none of the solution's; --per-label names."""

from __future__ import annotations

import json

import pytest

from corpora.errors import InputError
from vision.cli import main as vision_main
from vision.inference import evaluate_submission

SOLUTION = "image_id,labels\nimg1,/m/01g317 /m/07j7r\nimg2,/m/0dnkv\nimg3,/m/07j7r\n"
DESCRIPTIONS = "/m/01g317,Person\n/m/07j7r,Tree\n/m/0dnkv,Supermarket\n/m/01jpn4,Grocery store\n"


@pytest.fixture()
def data(tmp_path):
    (tmp_path / "test_solutions.csv").write_text(SOLUTION)
    (tmp_path / "class-descriptions.csv").write_text(DESCRIPTIONS)
    return tmp_path


def _sub(folder, rows: str, name="submission.csv"):
    path = folder / name
    path.write_text("image_id,labels\n" + rows)
    return path


def test_label_names_instead_of_codes(data, capsys):
    sub = _sub(data, "img1,Person Tree\nimg2,Supermarket\nimg3,Grocery store\n")
    with pytest.raises(InputError, match=r"holds label names instead of label codes .*'Person'"):
        evaluate_submission(data / "test_solutions.csv", sub)
    argv = ["evaluate", "--solution", str(data / "test_solutions.csv"), "--submission", str(sub)]
    assert vision_main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "label names instead of label codes" in err


def test_names_without_class_descriptions_still_caught(tmp_path):
    (tmp_path / "sol.csv").write_text(SOLUTION)
    sub = _sub(tmp_path, "img1,Person Tree\nimg2,Supermarket\n")
    with pytest.raises(
        InputError, match=r"none of the 3 distinct labels .* label codes, not names"
    ):
        evaluate_submission(tmp_path / "sol.csv", sub)


def test_codes_of_another_vocabulary(data):
    sub = _sub(data, "img1,/m/zzz\nimg2,/m/yyy\n")
    with pytest.raises(InputError, match="another label vocabulary"):
        evaluate_submission(data / "test_solutions.csv", sub)


def test_ids_that_match_none_of_the_solution(data):
    sub = _sub(data, "IMG1.jpg,/m/01g317\nIMG2.jpg,/m/0dnkv\n")
    with pytest.raises(InputError, match=r"none of the 3 image ids .*ignored: write the ids"):
        evaluate_submission(data / "test_solutions.csv", sub)
    other = _sub(data, "x9,/m/01g317\n", name="other.csv")
    with pytest.raises(InputError, match=r"none of the 3 image ids.*'x9'"):
        evaluate_submission(data / "test_solutions.csv", other)


def test_a_fair_submission_scores_and_per_label_shows_names(data, capsys):
    sub = _sub(data, "img1,/m/01g317\nimg2,/m/0dnkv /m/01jpn4\nimg3,/m/07j7r\n")
    out = data / "eval.json"
    argv = ["evaluate", "--solution", str(data / "test_solutions.csv"), "--submission", str(sub),
            "--per-label", "--json", str(out)]  # fmt: skip
    assert vision_main(argv) == 0
    printed = capsys.readouterr().out
    assert "Supermarket" in printed and "Grocery store" in printed and "Tree" in printed
    result = json.loads(out.read_text())
    names = {row["label"]: row["name"] for row in result["per_label"]}
    assert names["/m/01jpn4"] == "Grocery store"
    assert result["class_descriptions"].endswith("class-descriptions.csv")
    assert result["unknown_labels"] == 0


def test_class_descriptions_flag(tmp_path, data, capsys):
    (tmp_path / "a" / "b").mkdir(parents=True)
    sol = tmp_path / "a" / "b" / "sol.csv"  # no class-descriptions.csv in b/ or a/
    sol.write_text(SOLUTION)
    sub = _sub(data, "img1,/m/01g317\n")
    argv = ["evaluate", "--solution", str(sol), "--submission", str(sub), "--per-label"]
    assert vision_main(argv) == 0
    assert "--class-descriptions for names" in capsys.readouterr().out
    argv += ["--class-descriptions", str(data / "class-descriptions.csv")]
    assert vision_main(argv) == 0
    assert "Person" in capsys.readouterr().out
