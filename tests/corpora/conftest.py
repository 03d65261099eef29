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


# ---- the compiled and the pure-Python text pipeline (corpora._speedups)
# Every test of these modules runs twice: with the compiled cleaner and tokenizer (skipped with
# its reason where they are not built) and with the pure-Python code, which must give the same
# output.
BOTH_BACKENDS_MODULES = {
    "test_wikitext_cleaner.py",
    "test_tokenizer.py",
    "test_scripts.py",
    "test_markup_separators.py",
    "test_namespaces.py",
    "test_readers.py",
    "test_cases_realdata.py",
    "test_realdata.py",
    "test_phrase_matcher.py",
    "test_label_names.py",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        "text_backend" in metafunc.fixturenames
        and Path(str(metafunc.module.__file__)).name in BOTH_BACKENDS_MODULES
    ):
        metafunc.parametrize("text_backend", ["compiled", "python"], indirect=True)


@pytest.fixture(autouse=True)
def text_backend(request: pytest.FixtureRequest):
    """The text pipeline a test runs with (``None``: the default selection, unchanged)."""
    from corpora import _speedups

    name = getattr(request, "param", None)
    if name is None:
        yield None
        return
    if name == "compiled" and _speedups.compiled() is None:
        pytest.skip(f"corpora's compiled text pipeline is not built: {_speedups.load_error()}")
    previous = _speedups.backend()
    _speedups.set_backend(name)
    try:
        yield name
    finally:
        _speedups.set_backend(previous)
