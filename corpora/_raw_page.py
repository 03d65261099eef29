"""A page as a reader yields it, before cleaning and tokenization."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["RawPage"]


class RawPage(NamedTuple):
    """One page/document: ``markup`` says whether ``text`` is wikitext to be cleaned;
    ``escaped`` that it still holds the XML entities of a dump (``&lt;ref&gt;``), which the
    pipeline resolves (in the worker processes, when there are some)."""

    title: str
    page_id: str
    ns: int
    redirect: bool
    text: str
    markup: bool
    escaped: bool = False
