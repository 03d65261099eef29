"""A page as a reader yields it, before cleaning and tokenization."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["RawPage"]


class RawPage(NamedTuple):
    """One page/document: ``markup`` says whether ``text`` is wikitext to be cleaned."""

    title: str
    page_id: str
    ns: int
    redirect: bool
    text: str
    markup: bool
