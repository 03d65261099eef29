"""Dumps in any language: each dump's own namespace names, in every export schema version."""

from __future__ import annotations

import bz2
import logging
from pathlib import Path

import pytest

from corpora import clean_wikitext, open_corpus
from corpora.multistream_writer import write_multistream
from corpora.namespace_table import DEFAULT_NAMESPACES, NamespaceTable

# (key, name) pairs of a French Wikipedia's <namespaces> block (abridged).
FR_NAMESPACES = [
    (-2, "Média"),
    (-1, "Spécial"),
    (0, ""),
    (1, "Discussion"),
    (2, "Utilisateur"),
    (4, "Wikipédia"),
    (6, "Fichier"),
    (10, "Modèle"),
    (14, "Catégorie"),
    (100, "Portail"),
]
FR_ARTICLE = (
    "[[Fichier:Cheval au pré.jpg|vignette|upright=1.2|Un [[cheval]] au pré]]\n"
    "Le '''cheval''' est un [[mammifère]] [[Herbivore|herbivore]].<br />Il mange de "
    "l'herbe.\n"
    "[[Image:Autre cheval.png|gauche|Une légende]]\n"
    "[[ catégorie : Équidé|Cheval]]\n"
    "[[Catégorie:Animal domestique]]\n"
    "[[Modèle:Palette Chevaux]]\n"
    "[[Portail:Équitation]]\n"
    "[[en:Horse]]"
)
FR_EXPECTED = [["le", "cheval", "est", "un", "mammifère", "herbivore"], ["il", "mange", "de", "l"]]
# "de l'herbe": the apostrophe separates ("l", "herbe").
FR_EXPECTED[1].append("herbe")


def _siteinfo(namespaces: list[tuple[int, str]], schema: str, lang: str) -> str:
    rows = []
    for key, name in namespaces:
        case = "" if schema in ("0.3", "0.4") else ' case="first-letter"'
        if name:
            rows.append(f'      <namespace key="{key}"{case}>{name}</namespace>')
        else:
            rows.append(f'      <namespace key="{key}"{case} />')
    body = "\n".join(rows)
    return (
        f'<mediawiki xmlns="http://www.mediawiki.org/xml/export-{schema}/" version="{schema}" '
        f'xml:lang="{lang}">\n  <siteinfo>\n    <sitename>Wikipedia</sitename>\n'
        f"    <namespaces>\n{body}\n    </namespaces>\n  </siteinfo>\n"
    )


def _page(title: str, text: str, page_id: int, ns: int, schema: str, redirect: str = "") -> str:
    """A <page> as export schema ``schema`` writes it: <ns> since 0.6, <redirect> since 0.4
    (with a title attribute since 0.6), text attributes of 0.11."""
    major = int(schema.split(".")[1])
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    ns_el = f"    <ns>{ns}</ns>\n" if major >= 6 else ""
    red = ""
    if redirect and major >= 6:
        red = f'    <redirect title="{redirect}" />\n'
    elif redirect and major >= 4:
        red = "    <redirect />\n"
    text_attrs = f' bytes="{len(text)}" sha1="x"' if major >= 11 else ""
    return (
        f"  <page>\n    <title>{title}</title>\n{ns_el}    <id>{page_id}</id>\n{red}"
        f"    <revision>\n      <id>{page_id}0</id>\n"
        f'      <text{text_attrs} xml:space="preserve">{esc}</text>\n    </revision>\n  </page>\n'
    )


def _french_dump(schema: str) -> str:
    pages = [
        _page("Cheval", FR_ARTICLE, 1, 0, schema),
        _page("Catégorie:Équidé", "Les [[cheval|chevaux]] et les ânes.", 2, 14, schema),
        _page("Discussion:Cheval", "Une discussion sur le cheval.", 3, 1, schema),
        _page("Cheval domestique", "#REDIRECTION [[Cheval]]", 4, 0, schema, redirect="Cheval"),
    ]
    return _siteinfo(FR_NAMESPACES, schema, "fr") + "".join(pages) + "</mediawiki>\n"


SCHEMAS = ["0.3", "0.4", "0.5", "0.6", "0.8", "0.10", "0.11"]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_french_dump_every_schema_version(tmp_path: Path, schema: str) -> None:
    path = tmp_path / f"frwiki-{schema}.xml.bz2"
    path.write_bytes(bz2.compress(_french_dump(schema).encode("utf-8")))
    corpus = open_corpus(path, progress=False)
    docs = list(corpus)
    assert [d.title for d in docs] == ["Cheval"]
    assert docs[0].sentences == FR_EXPECTED
    s = corpus.stats
    # The category and the talk page are other namespaces (from <ns>, or from the title's
    # prefix before schema 0.6); the redirect is known by <redirect> or by its text.
    assert (s.pages, s.articles, s.redirects, s.skipped) == (4, 1, 1, 2)


def test_russian_dump_with_undeclared_alias(tmp_path: Path) -> None:
    """Russian names from the dump; Изображение: (an alias MediaWiki has for Файл: that the
    dump does not declare) is a file link by its target; Image: is canonical."""
    namespaces = [(0, ""), (6, "Файл"), (10, "Шаблон"), (14, "Категория"), (4, "Википедия")]
    text = (
        "[[Файл:Лошадь.jpg|мини|200px|Лошадь на лугу]]\n"
        "'''Ло́шадь''' — [[млекопитающее]]. [[Изображение:Конь.png|thumb|Конь]] Ест траву.\n"
        "[[Категория:Лошади|Лошадь]]\n[[Шаблон:Навигация]]\n[[Википедия:Избранные статьи]]"
    )
    xml = _siteinfo(namespaces, "0.10", "ru") + _page("Лошадь", text, 1, 0, "0.10")
    path = tmp_path / "ruwiki.xml"
    path.write_text(xml + "</mediawiki>\n", encoding="utf-8")
    docs = list(open_corpus(path, progress=False))
    assert docs[0].sentences == [["ло\u0301шадь", "млекопитающее"], ["ест", "траву"]]


def test_declared_alias_and_default_aliases(tmp_path: Path) -> None:
    """A name declared twice for one key is an alias (Bild: for Datei:); a file link under an
    undeclared prefix is known by its file extension."""
    header = (
        '<mediawiki xml:lang="de"><siteinfo><namespaces>'
        '<namespace key="6">Datei</namespace><namespace key="6">Bild</namespace>'
        '<namespace key="14">Kategorie</namespace></namespaces></siteinfo>'
    )
    table = NamespaceTable.from_siteinfo(header)
    assert table is not None and table.declared
    assert table.key("bild") == table.key("DATEI") == table.key("File") == 6
    assert table.key(" Kategorie ") == 14 and table.key("Pferd") is None
    assert table.namespace_of_title("Kategorie:Pferd") == 14
    assert table.namespace_of_title("Star Wars: Episode IV") == 0
    text = "[[Bild:Plan]] Das Pferd. [[Abbildung:Pferd.JPG|mini|Ein Pferd]][[Kategorie:Pferd]]"
    assert clean_wikitext(text, namespaces=table) == "Das Pferd."
    # The default table: canonical names, and "Bild:" only as a file link by its extension.
    assert clean_wikitext("[[Bild:Plan]] x", namespaces=DEFAULT_NAMESPACES) == "Bild:Plan x"
    assert clean_wikitext("[[Bild:Plan.svg]] x") == "x"


def test_table_pickles_compactly() -> None:
    import pickle

    table = NamespaceTable({"Datei": 6})
    again = pickle.loads(pickle.dumps(table))
    assert again == table and again.key("datei") == 6 and len(pickle.dumps(table)) < 2000


def test_dump_without_namespaces_warns_once(tmp_path: Path, caplog) -> None:
    xml = (
        '<mediawiki xml:lang="de"><siteinfo><sitename>W</sitename></siteinfo>\n'
        + _page("Pferd", "Ein Pferd.[[Kategorie:Pferd]] [[Category:Horse]]", 1, 0, "0.10")
        + "</mediawiki>\n"
    )
    path = tmp_path / "no-namespaces.xml"
    path.write_text(xml, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="corpora.mediawiki_reader"):
        corpus = open_corpus(path, progress=False)
        docs = list(corpus)
        list(corpus)  # a second pass: no second warning
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "declares no namespaces" in warnings[0]
    assert "xml:lang='de'" in warnings[0]
    # The canonical English name is dropped; the undeclared German one stays (as warned).
    assert docs[0].sentences == [["ein", "pferd", "kategorie", "pferd"]]


def test_multistream_shards_all_read_the_siteinfo(tmp_path: Path) -> None:
    """Shards that start inside the file get the namespace table from the file's head."""
    pages = "".join(
        _page(
            f"Pferd {i}",
            f"Pferd {i} frisst.[[Datei:P{i}.jpg|mini|Bild]][[Kategorie:Pferd]]",
            i,
            0,
            "0.11",
        )
        for i in range(1, 7)
    )
    namespaces = [(0, ""), (6, "Datei"), (14, "Kategorie")]
    src = tmp_path / "src.xml"
    src.write_text(_siteinfo(namespaces, "0.11", "de") + pages + "</mediawiki>\n", "utf-8")
    out, _ = write_multistream(src, tmp_path / "de-multistream.xml.bz2", pages_per_stream=1)
    for processes in (1, 2):
        corpus = open_corpus(out, progress=False, shard_mb=1e-6, processes=processes)
        assert len(corpus.shards()) > 3
        docs = list(corpus)
        assert [d.sentences for d in docs] == [[["pferd", str(i), "frisst"]] for i in range(1, 7)]


def test_wikiextractor_titles_with_canonical_prefix(tmp_path: Path) -> None:
    path = tmp_path / "wiki_00"
    path.write_text(
        '<doc id="1" url="u" title="Horse">\nHorse\nA horse.\n</doc>\n'
        '<doc id="2" url="u" title="Category:Horses">\nCategory:Horses\nHorses.\n</doc>\n'
        '<doc id="3" url="u" title="Star Wars: A Horse">\nStar Wars: A Horse\nA film.\n</doc>\n',
        encoding="utf-8",
    )
    corpus = open_corpus(path, progress=False)
    assert [d.title for d in corpus] == ["Horse", "Star Wars: A Horse"]
    assert corpus.stats.skipped == 1
