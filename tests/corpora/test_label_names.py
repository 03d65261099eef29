import pytest

from corpora.errors import CorruptInputError, InputError
from corpora.formats.class_descriptions import read_label_names
from labelgraph import LabelVocabulary


def test_header_optional_and_commas_in_names(tmp_path):
    p = tmp_path / "cd.csv"
    p.write_text('label_code,description\n/m/1,Person\n/m/2,"Seal, animal"\n')
    assert read_label_names(p) == (["/m/1", "/m/2"], ["Person", "Seal, animal"])
    # the vocabulary parses through the same reader
    assert LabelVocabulary.from_csv(p).names == ["Person", "Seal, animal"]


def test_bad_row_and_bad_encoding(tmp_path):
    p = tmp_path / "cd.csv"
    p.write_text("/m/1,Person\n/m/2\n")
    with pytest.raises(InputError, match=r"cd.csv:2: expected 'label_code,description'"):
        read_label_names(p)
    p.write_bytes(b"/m/1,Caf\xe9\n")
    with pytest.raises(CorruptInputError, match="cannot read as UTF-8 CSV"):
        LabelVocabulary.from_csv(p)
    with pytest.raises(InputError, match="does not exist"):
        LabelVocabulary.from_csv(tmp_path / "missing.csv")
