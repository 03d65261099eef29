"""labelgraph.draw: non-empty PNG/SVG, deterministic layout, clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from corpora.errors import InputError
from labelgraph.draw import draw_graph
from labelgraph.export import export_graph
from labelgraph.neighborhood import select_nodes

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from _inspect_graphs import shop_graph  # noqa: E402


def test_draw_png_and_svg(tmp_path):
    g = shop_graph()
    view = export_graph(g, select_nodes(g, around="Shopkeeper", hops=2))
    png = draw_graph(view, tmp_path / "a.png", size_inches=(4, 3), dpi=50)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    again = draw_graph(view, tmp_path / "b.png", size_inches=(4, 3), dpi=50)
    assert again.read_bytes() == data  # fixed layout seed
    svg = draw_graph(view, tmp_path / "a.svg", size_inches=(4, 3)).read_text(encoding="utf-8")
    assert "<svg" in svg and "Shopkeeper" in svg


def test_draw_errors(tmp_path):
    g = shop_graph()
    view = export_graph(g, [1])
    with pytest.raises(InputError, match=r"must end in \.png or \.svg"):
        draw_graph(view, tmp_path / "a.jpg")
    with pytest.raises(InputError, match="no nodes"):
        draw_graph(export_graph(g, []), tmp_path / "a.png")
