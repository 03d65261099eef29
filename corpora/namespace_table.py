"""The namespace names of a wiki: which ``[[Prefix:...]]`` links and page titles are not articles.

Every MediaWiki XML dump (export schema 0.3 and later) declares its namespaces in
``<siteinfo><namespaces>``: ``<namespace key="6" case="first-letter">Datei</namespace>``.
:meth:`NamespaceTable.from_siteinfo` reads them (a name declared twice for one key is an
alias). MediaWiki also accepts its canonical English names on every wiki (``File:``,
``Image:``, ``Category:``, ``Template:``, ``Module:``, ...), so those are always part of a
table. :data:`DEFAULT_NAMESPACES` (the canonical names plus English Wikipedia's project names)
is used where a dump declares nothing, and for text whose wiki is unknown.

Names are matched as MediaWiki matches them: case-insensitively, with ``_`` and runs of
spaces equal to one space, and surrounding spaces ignored (``[[ category : x]]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["DEFAULT_NAMESPACES", "NamespaceTable", "normalize_namespace_name"]

# MediaWiki's canonical namespace names, valid on every wiki (core and the extensions that
# Wikimedia wikis run), and the core aliases Image / Image talk.
_CANONICAL = {
    "Media": -2,
    "Special": -1,
    "Talk": 1,
    "User": 2,
    "User talk": 3,
    "Project": 4,
    "Project talk": 5,
    "File": 6,
    "File talk": 7,
    "Image": 6,
    "Image talk": 7,
    "MediaWiki": 8,
    "MediaWiki talk": 9,
    "Template": 10,
    "Template talk": 11,
    "Help": 12,
    "Help talk": 13,
    "Category": 14,
    "Category talk": 15,
    "Portal": 100,
    "Portal talk": 101,
    "Book": 108,
    "Book talk": 109,
    "Draft": 118,
    "Draft talk": 119,
    "Education Program": 446,
    "Education Program talk": 447,
    "TimedText": 710,
    "TimedText talk": 711,
    "Module": 828,
    "Module talk": 829,
    "Gadget": 2300,
    "Gadget talk": 2301,
    "Gadget definition": 2302,
    "Gadget definition talk": 2303,
    "Topic": 2600,
    # The project namespace's short aliases of most Wikipedias.
    "WP": 4,
    "WT": 5,
}
# English Wikipedia's project namespace: assumed where a dump declares no namespaces.
_ENGLISH_WIKIPEDIA = {"Wikipedia": 4, "Wikipedia talk": 5}

_NAMESPACES_RE = re.compile(r"<namespaces\b[^>]*>(.*?)</namespaces>", re.S)
_NAMESPACE_RE = re.compile(
    r"<namespace\b([^>]*?)(?:/>|>([^<]*)</namespace\s*>)",
)
_KEY_RE = re.compile(r"""\bkey\s*=\s*["'](-?\d+)["']""")
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}
_ENTITY_RE = re.compile(r"&(?:lt|gt|quot|apos|amp);")


def normalize_namespace_name(name: str) -> str:
    """The form a name is looked up in: lower case, ``_`` as space, spaces collapsed."""
    return " ".join(name.replace("_", " ").split()).lower()


class NamespaceTable:
    """Namespace names (and aliases) of one wiki, mapped to their namespace numbers.

    Args:
        names: name -> namespace number (0 is the article namespace; its name is empty).
        declared: whether the names were declared by the dump (``False``: the defaults).
        source: where the names come from, for messages (a file name).

    The canonical names (``File``, ``Image``, ``Category``, ``Template``, ...) are always
    added: MediaWiki accepts them on every wiki. A declared name wins over a canonical one.
    """

    __slots__ = ("names", "declared", "source")

    def __init__(self, names: Mapping[str, int], declared: bool = True, source: str = "") -> None:
        table = {normalize_namespace_name(k): v for k, v in _CANONICAL.items()}
        for name, key in names.items():
            norm = normalize_namespace_name(name)
            if norm:
                table[norm] = int(key)
        self.names: dict[str, int] = table
        self.declared = declared
        self.source = source

    def __repr__(self) -> str:
        kind = "declared" if self.declared else "default"
        return f"NamespaceTable({len(self.names)} names, {kind})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamespaceTable) and self.names == other.names

    def __reduce__(self):  # compact pickles (page batches sent to worker processes)
        return (_rebuild, (self.names, self.declared, self.source))

    def key(self, prefix: str) -> int | None:
        """Namespace number of a link/title prefix (``"Datei"``, ``" category "``), or ``None``."""
        return self.names.get(normalize_namespace_name(prefix))

    def namespace_of_title(self, title: str) -> int:
        """Namespace number of a page title (``"Kategorie:Pferd"`` -> 14; 0 without a known
        prefix). Used for dumps without ``<ns>`` elements (export schema 0.5 and older)."""
        prefix, colon, _ = title.partition(":")
        if not colon:
            return 0
        key = self.key(prefix)
        return 0 if key is None else key

    @classmethod
    def from_siteinfo(cls, header: str, source: str = "") -> NamespaceTable | None:
        """The table a dump declares in the ``<siteinfo>`` of ``header`` (the text before the
        first ``<page>``), or ``None`` when it declares no ``<namespaces>`` block."""
        block = _NAMESPACES_RE.search(header)
        if block is None:
            return None
        names: dict[str, int] = {}
        for attrs, name in _NAMESPACE_RE.findall(block.group(1)):
            key = _KEY_RE.search(attrs)
            if key is None or not name or not name.strip():
                continue
            if "&" in name:
                name = _ENTITY_RE.sub(lambda m: _XML_ENTITIES[m.group()], name)
            names[name] = int(key.group(1))
        return cls(names, declared=True, source=source)


def _rebuild(names: dict[str, int], declared: bool, source: str) -> NamespaceTable:
    table = NamespaceTable.__new__(NamespaceTable)
    table.names = names
    table.declared = declared
    table.source = source
    return table


#: The table for text whose wiki declares no namespaces: MediaWiki's canonical names plus
#: English Wikipedia's project namespace (``Wikipedia:``).
DEFAULT_NAMESPACES = NamespaceTable(_ENGLISH_WIKIPEDIA, declared=False)
