"""The one ``image_id,labels`` reader and writer: header or none, extra columns, quoting, BOM,
CRLF, blank lines; bad rows named by file and line, or counted and skipped."""

from __future__ import annotations

import pytest

from corpora.errors import CorruptInputError, InputError
from corpora.formats.label_sets import (
    read_label_sets,
    read_solution,
    read_submission,
    read_submission_ids,
    read_tuning_labels,
    write_label_sets,
)
from corpora.formats.read_report import ReadReport


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_variants_read_alike(tmp_path):
    want = {"a": ["/m/1", "/m/2"], "b": []}
    variants = {
        "plain.csv": "a,/m/1 /m/2\nb,\n",
        "quoted.csv": 'a,"/m/1 /m/2"\n"b",""\n',
        "header.csv": "image_id,labels\na,/m/1 /m/2\nb,\n",
        "imageid.csv": "ImageID,Labels\na,/m/1 /m/2\nb\n",  # a lone id: no labels
        "usage.csv": "image_id,labels,Usage\na,/m/1 /m/2,Public\nb,,Private\n",
        "kaggle.csv": "image_id,PredictionString\na,/m/1 /m/2 /m/1\nb,\n",  # repeat counts once
        "crlf_bom.csv": "\ufeffimage_id,labels\r\na,/m/1 /m/2\r\n\r\nb,\r\n",
        "blank.csv": "\n  \na,/m/1  /m/2\n\nb,\n\n",
    }
    for name, text in variants.items():
        assert read_tuning_labels(write(tmp_path, name, text)) == want, name
        if "header" in name or "usage" in name or "imageid" in name or "kaggle" in name:
            assert read_solution(tmp_path / name) == want, name
            assert read_submission(tmp_path / name) == want, name


def test_header_required_for_solutions_and_submissions(tmp_path):
    p = write(tmp_path, "noheader.csv", "a,/m/1\n")
    with pytest.raises(InputError, match=r"noheader\.csv line 1: header .*lacks column\(s\)"):
        read_solution(p)
    with pytest.raises(InputError, match=r"line 1: the file is empty; expected a header"):
        read_submission(write(tmp_path, "empty.csv", ""))
    assert read_tuning_labels(tmp_path / "empty.csv") == {}
    with pytest.raises(InputError, match=r"lacks column\(s\) \['labels'\]"):
        read_tuning_labels(write(tmp_path, "preds.csv", "ImageID,preds\na,/m/1\n"))
    with pytest.raises(InputError, match="repeats a column name"):
        read_solution(write(tmp_path, "rep.csv", "image_id,labels,labels\na,/m/1,x\n"))


def test_bad_rows_named_or_counted(tmp_path):
    text = "image_id,labels,Usage\na,/m/1,Public\nb,/m/1,/m/2,Public\n,/m/3,Public\na,/m/4,P\nc,,\n"
    p = write(tmp_path, "sol.csv", text)
    with pytest.raises(
        InputError,
        match=r"sol\.csv, line 3: expected 3 fields \(image_id,labels,Usage\), got 4; "
        r"separate labels with spaces, not commas; 3 such row\(s\)",
    ):
        read_solution(p)
    report = ReadReport()
    assert read_solution(p, skip_bad_rows=True, report=report) == {"a": ["/m/1"], "c": []}
    assert report.rows == 2 and report.bad_rows == 3
    assert [ln for ln, _ in report.bad_lines] == [3, 4, 5]
    assert report.bad_lines[1][1] == "empty ImageID"
    assert report.bad_lines[2][1].startswith("duplicate ImageID 'a'")
    with pytest.raises(InputError, match=r"t\.csv line 2: duplicate ImageID 'a' .*first on line 1"):
        read_tuning_labels(write(tmp_path, "t.csv", "a,/m/1\na,/m/2\n"))


def test_unknown_codes_missing_file_and_bad_encoding(tmp_path):
    report = ReadReport()
    p = write(tmp_path, "t.csv", "a,/m/1 /m/9\nb,/m/9\n")
    assert read_tuning_labels(p, vocabulary={"/m/1"}, report=report)["a"] == ["/m/1", "/m/9"]
    assert dict(report.unknown_codes) == {"/m/9": 2}
    with pytest.raises(InputError, match="tuning labels file not found: .*does not exist"):
        read_tuning_labels(tmp_path / "nope.csv")
    with pytest.raises(CorruptInputError, match=r"latin\.csv: cannot read as UTF-8 CSV"):
        read_label_sets(write(tmp_path, "latin.csv", "caf\xe9,/m/1\n", encoding="latin-1"))


def test_writer_is_atomic_and_round_trips(tmp_path):
    out = write_label_sets(tmp_path / "sub.csv", {"b": ["/m/2", "/m/1"], "a": []})
    assert out.read_text() == "image_id,labels\nb,/m/2 /m/1\na,\n"
    assert read_submission(out) == {"b": ["/m/2", "/m/1"], "a": []}
    assert read_submission_ids(out) == ["b", "a"]
    write_label_sets(out, {"b": ["/m/2"]}, order=["a", "b"], fallback=["/m/0"])
    assert out.read_text() == "image_id,labels\na,/m/0\nb,/m/2\n"
    assert not list(tmp_path.glob(".*.tmp"))
