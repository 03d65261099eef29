"""Positive label sets from an image-labels file or a label-set file."""

from __future__ import annotations

import pytest

from corpora.errors import InputError
from corpora.formats.annotation_sets import read_annotation_sets


def test_both_formats(tmp_path):
    human = tmp_path / "human.csv"
    human.write_text(
        "\ufeffImageID,Source,LabelName,Confidence\r\n"
        "i1,verification,/m/a,1\r\ni1,verification,/m/b,0\r\ni2,crowd,/m/c,1\r\n"
        "i1,crowd,/m/a,1\r\ni1,machine,/m/d,0.6\r\n",
        encoding="utf-8",
    )
    assert read_annotation_sets(human) == {"i1": ["/m/a", "/m/d"], "i2": ["/m/c"]}
    tuning = tmp_path / "tuning.csv"
    tuning.write_text('i3,"/m/a /m/c"\ni4,\n')
    assert read_annotation_sets(tuning) == {"i3": ["/m/a", "/m/c"], "i4": []}
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert read_annotation_sets(empty) == {}
    bad = tmp_path / "bad.csv"
    bad.write_text("ImageID,Source,LabelName,Confidence\ni1,v,/m/a,1.5\n")
    with pytest.raises(InputError, match=r"bad\.csv line 2: Confidence is not a number"):
        read_annotation_sets(bad)
    with pytest.raises(InputError, match=r"annotation file not found"):
        read_annotation_sets(tmp_path / "nope.csv")
