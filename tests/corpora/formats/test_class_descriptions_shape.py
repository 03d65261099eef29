"""corpora.formats.class_descriptions refuses files of another shape as a whole (one error
naming the file and what looks wrong) and still reads every real variant."""

from __future__ import annotations

import pytest

from corpora.errors import InputError
from corpora.formats.class_descriptions import is_label_code, read_label_names


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "image_id,labels\nabc,/m/1 /m/2\n",
            r"line 1: 'image_id,labels' looks like a column header",
        ),
        ("name,description\nhorse,a horse\n", r"line 1: 'name,description' looks like a column"),
        (
            "ImageID,Source,LabelName,Confidence\na,human,/m/1,1\nb,human,/m/2,0\n",
            r"3 of 3 rows have 4 columns",
        ),
        ("label_a,label_b,images\ncat,dog,3\ncat,horse,5\n", r"3 of 3 rows have 3 columns"),
        (
            "i1,/m/1 /m/2\ni2,/m/3\ni3,/m/1 /m/3\n",
            r"second column holds label codes, not names .*label-set file",
        ),
        (
            "Person,/m/01g317\nHorse,/m/03k3r\n",
            r"second column holds label codes, not names .*swapped",
        ),
        ("Grocery store,shop\nHot dog,food\n", r"first column holds names, not label codes"),
        ("label,images\ncat,10\ndog,12\nhorse,3\n", r"second column holds numbers in 3 of 3 rows"),
        ("image_id,labels\na,\nb,\nc,\n", r"3 of 4 rows have no name"),
        ("code_id,display\n/m/1,A\n/m/2,B\n", r"line 1: 'code_id,display' looks like a column"),
        ("Header row,x\n/m/1,A\n/m/2,B\n/m/3,C\n", r"line 1: 'Header row,x' does not start with"),
    ],
)
def test_wrong_shapes_are_refused_naming_the_file(tmp_path, text, message):
    p = write(tmp_path, "labels.csv", text)
    with pytest.raises(InputError, match=message) as exc:
        read_label_names(p)
    assert str(exc.value).startswith(str(p))
    assert "\n" not in str(exc.value)


def test_real_variants_still_read(tmp_path):
    ok = {
        "no header, MIDs": "/m/01g317,Person\n/m/0k4j,Car\n",
        "emoji header, numeric names": "label_code,description\n/e/1,143\n/e/2,face\n/e/3,3\n",
        "names with unquoted commas": "/m/1,Seal, animal\n/m/2,Person\n",
        "one label": "/m/a,A\n",
        "plain codes": "horse,Horse\ncow,Cow\nimage,Image\n"
        + "".join(f"w{i},Word {i}\n" for i in range(30)),
    }
    for name, text in ok.items():
        codes, names = read_label_names(write(tmp_path, "ok.csv", text))
        assert codes and len(codes) == len(names), name


def test_is_label_code():
    assert is_label_code("/m/01g317") and is_label_code("/g/11b6x") and is_label_code("/e/f47aea8")
    assert not is_label_code("Person") and not is_label_code("/m/") and not is_label_code("m/01")
