"""Edge categories by source and their colors, shared by the picture and the HTML page."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["edge_category", "CATEGORY_COLORS"]

CATEGORY_COLORS: dict[str, str] = {
    "text": "#1f77b4",
    "embedding": "#2ca02c",
    "annotation": "#ff7f0e",
    "several sources": "#9467bd",
    "combined only": "#7f7f7f",
}


def edge_category(sources: Sequence[str]) -> str:
    """``"text"``, ``"embedding"``, ``"annotation"`` (one source), ``"several sources"`` or
    ``"combined only"`` (no individual source has the edge, e.g. it was added by combination)."""
    sources = [s for s in sources if s != "combined"]
    if not sources:
        return "combined only"
    if len(sources) > 1:
        return "several sources"
    return sources[0] if sources[0] in CATEGORY_COLORS else "several sources"
