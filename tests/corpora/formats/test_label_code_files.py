"""``class-descriptions.csv`` and ``classes-trainable.csv``: one reader each."""

from __future__ import annotations

import pytest

from corpora.errors import CorruptInputError, InputError
from corpora.formats.class_descriptions import read_class_descriptions, read_label_names
from corpora.formats.classes_trainable import read_classes_trainable
from corpora.formats.read_report import ReadReport


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def test_class_descriptions_variants(tmp_path):
    want = (["/m/1", "/m/2"], ["Person", "Seal, animal"])
    for name, text in {
        "plain.csv": '/m/1,Person\n/m/2,"Seal, animal"\n',
        "unquoted_comma.csv": "/m/1,Person\n/m/2,Seal, animal\n",
        "header.csv": 'label_code,description\n/m/1,Person\n/m/2,"Seal, animal"\n',
        "crlf_bom.csv": '\ufeffLabelName,DisplayName\r\n/m/1, Person \r\n\r\n/m/2,"Seal, animal"\r\n',
    }.items():
        assert read_label_names(write(tmp_path, name, text)) == want, name
    df = read_class_descriptions(tmp_path / "plain.csv")
    assert df["LabelName"].tolist() == want[0] and df["DisplayName"].tolist() == want[1]
    assert df.attrs["read_report"].rows == 2


def test_class_descriptions_errors(tmp_path):
    with pytest.raises(InputError, match=r"h\.csv line 1: expected 2 columns"):
        read_label_names(write(tmp_path, "h.csv", "label_code,description,x\n/m/1,A,b\n"))
    with pytest.raises(InputError, match="no labels found"):
        read_label_names(write(tmp_path, "e.csv", "label_code,description\n"))
    with pytest.raises(InputError, match="label file not found: .*does not exist"):
        read_label_names(tmp_path / "missing.csv")
    p = write(tmp_path, "bad.csv", "/m/1,A\n/m/2\n,B\n/m/1,A again\n/m/3,C\n")
    with pytest.raises(InputError, match=r"bad\.csv:2: expected .*; 3 such row\(s\)"):
        read_label_names(p)
    report = ReadReport()
    assert read_label_names(p, skip_bad_rows=True, report=report) == (["/m/1", "/m/3"], ["A", "C"])
    assert [why for _, why in report.bad_lines][1:] == ["empty LabelName", "duplicate LabelName"]
    p.write_bytes(b"/m/1,Caf\xe9\n")
    with pytest.raises(CorruptInputError, match="cannot read as UTF-8 CSV"):
        read_label_names(p)


def test_classes_trainable(tmp_path):
    for text in (
        "label_code\n/m/a\n/m/b\n",
        "/m/a\r\n\r\n/m/b\r\n",
        "\ufeffLabelName,x\n/m/a,1\n/m/b\n",
    ):
        assert read_classes_trainable(write(tmp_path, "t.csv", text)) == ["/m/a", "/m/b"]
    p = write(tmp_path, "bad.csv", "/m/a\n/m/b,/m/c\n/m/a\n")
    with pytest.raises(
        InputError, match=r"bad\.csv line 2: malformed row \(expected 1 field, saw 2\)"
    ):
        read_classes_trainable(p)
    report = ReadReport()
    assert read_classes_trainable(p, skip_bad_rows=True, report=report, vocabulary=["/m/x"]) == [
        "/m/a"
    ]
    assert report.bad_rows == 2 and dict(report.unknown_codes) == {"/m/a": 1}
