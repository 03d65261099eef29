from __future__ import annotations

import pytest

from corpora.errors import InputError
from labelgraph import LabelVocabulary


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "class-descriptions.csv"
    p.write_text(
        "/m/01g317,Person\r\n/m/06ts_6,Shopkeeper\r\n/m/01jpn4,Grocery store\r\n"
        '/m/03k3r,Horse\r\n/m/x1,"Landing ship, tank"\r\n/m/x2,horse\r\n',
        encoding="utf-8",
    )
    return p


def test_from_csv_without_header_reads_codes_names_and_quoted_commas(csv_file):
    v = LabelVocabulary.from_csv(csv_file)
    assert len(v) == 6
    assert v.codes[:2] == ["/m/01g317", "/m/06ts_6"]
    assert v.names[4] == "Landing ship, tank"
    assert v.name("/m/01jpn4") == "Grocery store"


def test_from_csv_with_header_and_trainable_keeps_file_order(tmp_path):
    p = tmp_path / "cd.csv"
    p.write_text("label_code,description\n/e/1,face\n/e/2,horse\n/e/3,smile\n")
    t = tmp_path / "trainable.csv"
    t.write_text("label_code\n/e/3\n/e/1\n")
    v = LabelVocabulary.from_csv(p, trainable=t)
    assert v.codes == ["/e/1", "/e/3"]
    assert v.names == ["face", "smile"]


def test_trainable_code_not_in_descriptions_is_an_error(tmp_path):
    p = tmp_path / "cd.csv"
    p.write_text("/e/1,face\n")
    t = tmp_path / "trainable.csv"
    t.write_text("label_code\n/e/9\n")
    with pytest.raises(InputError, match="not in"):
        LabelVocabulary.from_csv(p, trainable=t)


def test_lookup_by_code_or_name_case_insensitive(csv_file):
    v = LabelVocabulary.from_csv(csv_file)
    assert v.index("grocery STORE") == 2
    assert v.index("/m/06ts_6") == 1
    assert v.code("person") == "/m/01g317"
    # a name shared by two codes resolves to the first one, case-insensitively
    assert v.code("HORSE") == "/m/03k3r"
    assert v.codes_named("horse") == ["/m/03k3r", "/m/x2"]


def test_unknown_label_suggests_close_names(csv_file):
    v = LabelVocabulary.from_csv(csv_file)
    with pytest.raises(InputError, match=r"unknown label 'Shopkeeepr'.*'Shopkeeper'"):
        v.index("Shopkeeepr")
    with pytest.raises(InputError, match="Grocery store"):
        v.index("grocery")


def test_missing_file_and_bad_rows(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        LabelVocabulary.from_csv(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("/m/1,ok\njustonecolumn\n")
    with pytest.raises(InputError, match=r"bad.csv:2"):
        LabelVocabulary.from_csv(bad)


def test_duplicate_codes_rejected():
    with pytest.raises(InputError, match="appears twice"):
        LabelVocabulary(["a", "b", "a"])


def test_from_names_and_roundtrip_dict():
    v = LabelVocabulary.from_names(["cat", "dog"])
    assert v.codes == ["cat", "dog"]
    assert LabelVocabulary.from_dict(v.to_dict()) == v
    assert v.digest() != LabelVocabulary.from_names(["dog", "cat"]).digest()


def test_from_file_reads_csv_or_plain_names(tmp_path, csv_file):
    assert LabelVocabulary.from_file(csv_file) == LabelVocabulary.from_csv(csv_file)
    names = tmp_path / "labels.txt"
    names.write_text("cat\ndog\n\nice cream\ndog\n")
    v = LabelVocabulary.from_file(names)
    assert v.codes == v.names == ["cat", "dog", "ice cream"]
    assert v.index("ICE CREAM") == 2
