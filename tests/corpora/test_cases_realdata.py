"""The text cases of ``../shared/cases`` (README there), run as a user runs them: by the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labelgraph.cli import main

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def cases(shared_data: Path) -> Path:
    root = shared_data.parent / "cases"
    if not root.is_dir():
        pytest.skip(f"the shared cases are not at {root}")
    return root


def _stats(argv: list[str], capsys) -> dict:
    capsys.readouterr()  # drop what earlier commands printed
    assert main(["corpus", "stats", *argv, "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def _text(argv: list[str], out: Path) -> list[str]:
    assert main(["corpus", "text", *argv, "--out", str(out), "--quiet"]) == 0
    return out.read_text(encoding="utf-8").splitlines()


def test_dewiki_localized_namespaces(cases: Path, tmp_path: Path) -> None:
    dump = cases / "dewiki-localized-namespaces" / "dewiki-sample.xml"
    assert _text([str(dump)], tmp_path / "dewiki.txt") == [
        "das hauspferd ist ein haustier",
        "es frisst gras",
    ]


def test_html_line_breaks_in_wikitext(cases: Path, tmp_path: Path, capsys) -> None:
    folder = cases / "html-line-breaks-in-wikitext"
    argv = [str(folder / "br-sample.xml"), "--labels", str(folder / "labels.csv")]
    lines = _text(argv, tmp_path / "br.txt")
    assert (
        " ".join(lines).split()
        == (
            "common animals on a farm horse sheep cow a shop sells fruit vegetable and bread "
            "tomato lemon"
        ).split()
    )
    out = _stats(argv, capsys)
    assert out["label_mentions"] == 8
    seen = {d["name"]: d["mentions"] for d in out["top_labels"]}
    assert seen == {n: 1 for n in "Horse Sheep Cow Fruit Vegetable Tomato Lemon Bread".split()}


def test_devanagari_tokens(cases: Path, tmp_path: Path, capsys) -> None:
    folder = cases / "devanagari-tokens"
    argv = [
        str(folder / "hiwiki-sample.txt"),
        "--documents",
        "paragraph",
        "--labels",
        str(folder / "labels-hi.csv"),
    ]
    lines = _text(argv, tmp_path / "hi.txt")
    assert lines == [
        "दीवार पर एक घड़ी टंगी है",
        "उसने एक गीत गाया",
        "किसान के पास एक घोड़ा और एक गाय है",
    ]
    out = _stats(argv, capsys)
    assert (out["tokens"], out["label_mentions"]) == (19, 3)
    assert {d["name"]: d["mentions"] for d in out["top_labels"]} == {
        "घड़ी": 1,
        "घोड़ा": 1,
        "गाय": 1,
    }
