"""Readers: headers, bad rows (error with file and line, or counted and skipped), unknown codes."""

from __future__ import annotations

import logging

import pytest

from corpora.errors import InputError
from vision.data import (
    ReadReport,
    read_bounding_boxes,
    read_class_descriptions,
    read_classes_trainable,
    read_human_labels,
    read_machine_labels,
    read_solution,
    read_submission,
    read_tuning_labels,
    write_submission,
)

HEADER = "ImageID,Source,LabelName,Confidence\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_human_labels_read_with_types(tmp_path):
    p = write(tmp_path, "h.csv", HEADER + "img1,verification,/m/a,1\nimg2,verification,/m/b,0\n")
    df = read_human_labels(p)
    assert list(df.columns) == ["ImageID", "Source", "LabelName", "Confidence"]
    assert df["ImageID"].tolist() == ["img1", "img2"]
    assert df["Confidence"].tolist() == [1.0, 0.0]
    assert df.attrs["read_report"].rows == 2


def test_machine_labels_crlf_and_bom(tmp_path):
    p = tmp_path / "m.csv"
    p.write_bytes(
        ("\ufeff" + HEADER + "img1,machine,/m/a,0.75\n").replace("\n", "\r\n").encode("utf-8")
    )
    df = read_machine_labels(p)
    assert df["Confidence"].tolist() == [0.75]
    assert df["LabelName"].tolist() == ["/m/a"]


def test_wrong_header_names_line_1(tmp_path):
    p = write(tmp_path, "h.csv", "ImageID,LabelName,Confidence\nimg1,/m/a,1\n")
    with pytest.raises(InputError, match=r"h\.csv line 1: .*lacks column\(s\) \['Source'\]"):
        read_human_labels(p)


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_human_labels(tmp_path / "nope.csv")


def test_too_many_fields_names_line_and_skip_counts(tmp_path):
    text = HEADER + "img1,v,/m/a,1\n\nimg2,v,/m/b,1,extra\nimg3,v,/m/c,1\n"
    p = write(tmp_path, "h.csv", text)
    with pytest.raises(
        InputError, match=r"h\.csv line 4: malformed row \(expected 4 fields, saw 5\)"
    ):
        read_human_labels(p)
    report = ReadReport()
    df = read_human_labels(p, skip_bad_rows=True, report=report)
    assert df["ImageID"].tolist() == ["img1", "img3"]  # the blank line 3 is ignored
    assert report.bad_rows == 1 and report.bad_lines[0][0] == 4 and report.rows == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("img2,v,/m/b,abc", "Confidence is not a number"),
        ("img2,v,/m/b,1.5", "Confidence is not a number in"),
        ("img2,v,/m/b,-0.1", "Confidence is not a number in"),
        (",v,/m/b,1", "empty ImageID"),
        ("img2,v,,1", "empty LabelName"),
        (" img2 ,v,  ,1", "empty LabelName"),
        ("img2,v,/m/b", "expected 4 fields, saw 3"),  # too few fields
        ("img2,v,/m/b,1,x,", "expected 4 fields, saw 6"),  # too many
    ],
)
def test_bad_values_name_the_line(tmp_path, row, reason):
    p = write(
        tmp_path, "h.csv", HEADER + "img1,v,/m/a,1\nimg0,v,/m/a,0\n" + row + "\nimg3,v,/m/c,1\n"
    )
    with pytest.raises(InputError, match=rf"h\.csv line 4: (malformed row \()?{reason}"):
        read_human_labels(p)
    report = ReadReport()
    df = read_human_labels(p, skip_bad_rows=True, report=report)
    assert df["ImageID"].tolist() == ["img1", "img0", "img3"]
    assert report.bad_rows == 1 and report.bad_lines == [(4, report.bad_lines[0][1])]
    assert report.bad_lines[0][1].startswith(reason.split(" in")[0])


def test_line_numbers_after_skipped_rows_stay_exact(tmp_path):
    text = HEADER + "a,v,/m/a,1,x\nb,v,/m/a,1,x\nc,v,/m/a,1\nd,v,/m/a,zz\n"
    p = write(tmp_path, "h.csv", text)
    report = ReadReport()
    read_human_labels(p, skip_bad_rows=True, report=report)
    assert [ln for ln, _ in report.bad_lines] == [2, 3, 5]


def test_unknown_codes_reported_with_counts(tmp_path, caplog):
    text = HEADER + "img1,v,/m/a,1\nimg2,v,/m/zzz,1\nimg3,v,/m/zzz,0\nimg3,v,/m/yyy,1\n"
    p = write(tmp_path, "h.csv", text)
    report = ReadReport()
    with caplog.at_level(logging.WARNING):
        df = read_human_labels(p, vocabulary={"/m/a"}, report=report)
    assert len(df) == 4  # kept, only reported
    assert dict(report.unknown_codes) == {"/m/zzz": 2, "/m/yyy": 1}
    assert report.unknown_rows == 3
    assert "/m/zzz (2)" in caplog.text and "3 rows use 2 label codes" in caplog.text


def test_bounding_boxes(tmp_path):
    header = "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\n"
    good = "img1,xclick,/m/a,1,0.1,0.5,0.2,0.6,0,1,0,0,-1\n"
    df = read_bounding_boxes(write(tmp_path, "b.csv", header + good))
    assert (
        df.loc[0, "XMax"] == 0.5 and df.loc[0, "IsTruncated"] == 1 and df.loc[0, "IsInside"] == -1
    )
    for bad, reason in [
        ("img2,xclick,/m/a,1,0.6,0.5,0.2,0.6,0,0,0,0,0\n", "XMin > XMax"),
        ("img2,xclick,/m/a,1,0.1,1.5,0.2,0.6,0,0,0,0,0\n", "XMax is not a number"),
        ("img2,xclick,/m/a,1,0.1,0.5,0.2,0.6,2,0,0,0,0\n", "IsOccluded is not -1, 0 or 1"),
    ]:
        p = write(tmp_path, "b2.csv", header + good + bad)
        with pytest.raises(InputError, match=rf"b2\.csv line 3: {reason}"):
            read_bounding_boxes(p)
        assert len(read_bounding_boxes(p, skip_bad_rows=True)) == 1
    # Only the required columns: the rest get their documented defaults.
    df = read_bounding_boxes(
        write(tmp_path, "b3.csv", "ImageID,LabelName,XMin,XMax,YMin,YMax\ni,/m/a,0,1,0,0.5\n")
    )
    assert (
        df.loc[0, "Confidence"] == 1.0
        and df.loc[0, "IsGroupOf"] == -1
        and df.loc[0, "Source"] == ""
    )


def test_class_descriptions_without_and_with_header(tmp_path):
    plain = write(
        tmp_path, "c1.csv", '/m/01g317,Person\n/m/0k4j,Car\n/m/x,"Sprenger\'s tulip, red"\n'
    )
    df = read_class_descriptions(plain)
    assert df["LabelName"].tolist() == ["/m/01g317", "/m/0k4j", "/m/x"]
    assert df["DisplayName"].tolist() == ["Person", "Car", "Sprenger's tulip, red"]
    headed = write(tmp_path, "c2.csv", "label_code,description\n/e/1,143\n/e/2,face\n")
    df = read_class_descriptions(headed)
    assert df["LabelName"].tolist() == ["/e/1", "/e/2"] and df["DisplayName"].tolist() == [
        "143",
        "face",
    ]
    dup = write(tmp_path, "c3.csv", "/m/a,A\n/m/b,B\n/m/a,A again\n")
    with pytest.raises(InputError, match=r"c3\.csv line 3: duplicate LabelName"):
        read_class_descriptions(dup)
    empty_name = write(tmp_path, "c4.csv", "/m/a,A\n/m/b,\n")
    with pytest.raises(InputError, match=r"c4\.csv line 2: empty DisplayName"):
        read_class_descriptions(empty_name)


def test_classes_trainable_header_optional(tmp_path):
    assert read_classes_trainable(write(tmp_path, "t1.csv", "label_code\n/m/a\n/m/b\n")) == [
        "/m/a",
        "/m/b",
    ]
    assert read_classes_trainable(write(tmp_path, "t2.csv", "/m/a\n/m/b\n")) == ["/m/a", "/m/b"]
    with pytest.raises(InputError, match=r"t3\.csv line 3: malformed row"):
        read_classes_trainable(write(tmp_path, "t3.csv", "label_code\n/m/a\n/m/b,/m/c\n"))
    report = ReadReport()
    read_classes_trainable(
        write(tmp_path, "t4.csv", "/m/a\n/m/q\n"), vocabulary=["/m/a"], report=report
    )
    assert dict(report.unknown_codes) == {"/m/q": 1}


def test_tuning_labels_no_header(tmp_path):
    p = write(tmp_path, "tune.csv", 'abc,/m/a /m/b\ndef,"/m/c"\nghi,\n')
    assert read_tuning_labels(p) == {"abc": ["/m/a", "/m/b"], "def": ["/m/c"], "ghi": []}
    p2 = write(tmp_path, "tune2.csv", "abc,/m/a\nabc,/m/b\n")
    with pytest.raises(InputError, match=r"tune2\.csv line 2: duplicate ImageID"):
        read_tuning_labels(p2)
    report = ReadReport()
    assert read_tuning_labels(p2, skip_bad_rows=True, report=report) == {"abc": ["/m/a"]}
    assert report.bad_rows == 1


def test_solution_and_submission(tmp_path):
    p = write(tmp_path, "sol.csv", "image_id,labels,Usage\nx,/m/a /m/b,Public\ny,,Private\n")
    assert read_solution(p) == {"x": ["/m/a", "/m/b"], "y": []}
    with pytest.raises(InputError, match=r"line 1: .*lacks column\(s\) \['labels'\]"):
        read_solution(write(tmp_path, "sol2.csv", "image_id,preds\nx,/m/a\n"))
    out = write_submission(tmp_path / "sub.csv", {"x": ["/m/a", "/m/b"], "y": []})
    assert out.read_text() == "image_id,labels\nx,/m/a /m/b\ny,\n"
    assert read_submission(out) == {"x": ["/m/a", "/m/b"], "y": []}
