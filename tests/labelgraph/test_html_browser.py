"""The HTML page in a real headless Chromium: the legend toggles edge sources, the slider hides
light edges, hovering an edge shows its per-source weights and example sentences.

Chromium is driven over the DevTools protocol on a pipe (``_headless_chromium``), with real
mouse events. Skipped, with the reason, where no Chromium is installed (Debian:
``apt-get install chromium``; ``.ci/run`` installs it when it can).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from labelgraph.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper modules beside this file
from _headless_chromium import HeadlessChromium, find_chromium  # noqa: E402
from _inspect_graphs import shop_graph  # noqa: E402

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed (apt-get install chromium, or set LABELGRAPH_CHROMIUM): "
    "the HTML page is not checked in a browser",
)

SENTENCE = "the shopkeeper greeted a person in the grocery store"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("htmlpage")
    graph = shop_graph().save(root / "graph")
    (graph / "counts").mkdir()
    (graph / "counts" / "examples.json").write_text(
        json.dumps({"pairs": {"/m/0|/m/1": [SENTENCE, "a person and a shopkeeper"]}}),
        encoding="utf-8",
    )
    out = root / "shop.html"
    argv = ["export", str(graph), "--format", "html", "--out", str(out)]
    assert main([*argv, "--around", "Shopkeeper", "--hops", "2", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def browser(page):
    with HeadlessChromium(CHROMIUM) as b:
        b.open(page)
        yield b


def _visible(b: HeadlessChromium) -> int:
    return int(b.js("document.body.dataset.visibleEdges"))


def _edge_weights(b: HeadlessChromium) -> list[float]:
    return b.js("DATA.edges.map(function (e) { return e.w; })")


def test_page_loads_with_every_edge_shown(browser):
    assert browser.js("DATA.toggles") == ["text", "embedding", "combined only"]
    assert _visible(browser) == 5
    assert browser.js("document.getElementById('msg').textContent") == (
        "5 labels, 5 of 5 edges shown"
    )


def test_legend_click_hides_and_shows_a_source(browser):
    text = '#legend button[data-source="text"]'
    browser.click_element(text)
    # text-only edges vanish (Person-Grocery store, Shopkeeper-Grocery store, Person-Horse);
    # Person-Shopkeeper (text and embedding) and Person-Cat (combined only) stay
    assert _visible(browser) == 2
    assert browser.js(f"document.querySelector('{text}').getAttribute('aria-pressed')") == "false"
    browser.click_element('#legend button[data-source="combined only"]')
    assert _visible(browser) == 1
    browser.click_element(text)
    browser.click_element('#legend button[data-source="combined only"]')
    assert _visible(browser) == 5


def test_slider_hides_edges_lighter_than_its_value(browser):
    weights = _edge_weights(browser)
    browser.click_element("#minw", fx=0.55)
    value = float(browser.js("document.getElementById('minw').value"))
    assert 0 < value < max(weights)
    want = sum(abs(w) >= value for w in weights)
    assert 0 < want < 5 and _visible(browser) == want
    assert browser.js("document.getElementById('minwv').textContent") == f"{value:.3f}"
    browser.click_element("#minw", fx=0.0)
    assert float(browser.js("document.getElementById('minw').value")) <= min(weights)
    assert _visible(browser) == 5


def test_edge_tooltip_shows_weights_per_source_and_examples(browser):
    k = browser.js(
        "DATA.edges.findIndex(function (e) { var a = DATA.nodes[e.s].label, "
        "b = DATA.nodes[e.t].label; return (a + '|' + b === 'Person|Shopkeeper') || "
        "(a + '|' + b === 'Shopkeeper|Person'); })"
    )
    assert k >= 0
    x, y = browser.js(f"window.labelgraphView.edgeMidpoint({k})")
    browser.mouse("moved", x, y)
    assert browser.js("getComputedStyle(document.getElementById('tip')).display") == "block"
    tip = browser.js("document.getElementById('tip').innerText")
    assert "Shopkeeper" in tip and "Person" in tip
    assert "combined (shown)\t2.3000" in tip
    assert "text\t2.0000" in tip and "embedding\t0.3000" in tip
    assert SENTENCE in tip
    # away from every edge and node: the tooltip goes
    browser.mouse("moved", 3, 200)
    assert browser.js("getComputedStyle(document.getElementById('tip')).display") == "none"
