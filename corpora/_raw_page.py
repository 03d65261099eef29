"""A page as a reader yields it, before cleaning and tokenization."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from corpora.namespace_table import NamespaceTable

__all__ = ["RawPage"]


class RawPage(NamedTuple):
    """One page/document: ``markup`` says whether ``text`` is wikitext to be cleaned;
    ``escaped`` that it still holds the XML entities of a dump (``&lt;ref&gt;``), which the
    pipeline resolves (in the worker processes, when there are some); ``namespaces`` the
    namespace names of the page's wiki, for the links of its wikitext (``None``: MediaWiki's
    canonical names, :data:`~corpora.namespace_table.DEFAULT_NAMESPACES`)."""

    title: str
    page_id: str
    ns: int
    redirect: bool
    text: str
    markup: bool
    escaped: bool = False
    namespaces: NamespaceTable | None = None
