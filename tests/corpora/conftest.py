"""Micro dumps written by hand for the corpora tests."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest

HEADER = (
    '<mediawiki xmlns="http://www.mediawiki.org/xml/export-{v}/" version="{v}" xml:lang="en">\n'
    "  <siteinfo>\n    <sitename>Wikipedia</sitename>\n  </siteinfo>\n"
)


def page_xml(title: str, text: str, page_id: int, ns: int = 0, redirect: str | None = None) -> str:
    esc = (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    red = f'    <redirect title="{redirect}" />\n' if redirect else ""
    return (
        f"  <page>\n    <title>{title}</title>\n    <ns>{ns}</ns>\n    <id>{page_id}</id>\n{red}"
        f"    <revision>\n      <id>{page_id * 10}</id>\n      <model>wikitext</model>\n"
        f'      <text bytes="{len(text)}" xml:space="preserve">{esc}</text>\n'
        "    </revision>\n  </page>\n"
    )


def dump_xml(pages: list[tuple], schema: str = "0.10") -> str:
    """``pages``: (title, text, id[, ns[, redirect]]) tuples."""
    body = "".join(page_xml(*p) for p in pages)
    return HEADER.format(v=schema) + body + "</mediawiki>\n"


PAGES = [
    (
        "Cat",
        "'''Cat''' is a small [[Felidae|feline]].{{Infobox|x={{y}}}} It likes a [[grocery store]].",
        1,
    ),
    ("Dog", "A [[dog]] barks.<ref>{{cite web|url=http://x.org}}</ref> Dogs and cats play.", 2),
    ("Talk:Cat", "Not an article.", 3, 1),
    ("Kitty", "#REDIRECT [[Cat]]", 4, 0, "Cat"),
    ("Seal (animal)", "The seal swims.\n\nSeals eat fish.", 5),
]


@pytest.fixture
def micro_pages() -> list[tuple]:
    return list(PAGES)


@pytest.fixture
def write_dump(tmp_path: Path):
    """write_dump(name, pages=PAGES, schema="0.10", encoding="utf-8", compress="bz2") -> Path."""

    def _write(name: str, pages=None, schema="0.10", encoding="utf-8", compress="bz2") -> Path:
        text = dump_xml(list(PAGES if pages is None else pages), schema)
        data = text.encode(encoding)
        if encoding == "utf-16-le":
            data = b"\xff\xfe" + data
        path = tmp_path / name
        if compress == "bz2":
            data = bz2.compress(data)
        elif compress == "gz":
            import gzip

            data = gzip.compress(data)
        path.write_bytes(data)
        return path

    return _write
