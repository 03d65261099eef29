"""labelgraph.exporters.html_page: self-contained page, search data, refusal above the node limit."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from corpora.errors import InputError
from labelgraph.export import export_file, export_graph
from labelgraph.exporters.html_page import MAX_HTML_NODES, render_html_page
from labelgraph.neighborhood import select_nodes

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helper module beside this file
from _inspect_graphs import shop_graph  # noqa: E402


def test_refuses_above_node_limit_with_narrowing_advice():
    big = nx.Graph()
    big.add_nodes_from((f"/m/{i}", {"label": f"L{i}"}) for i in range(MAX_HTML_NODES + 1))
    with pytest.raises(
        InputError, match=r"1,001 nodes.*--around LABEL.*--hops.*--max-nodes N.*--min-weight"
    ):
        render_html_page(big)
    small = nx.Graph()
    small.add_nodes_from((f"/m/{i}", {"label": f"L{i}"}) for i in range(5))
    with pytest.raises(InputError, match="at most 4"):
        render_html_page(small, max_nodes=4)


def test_page_is_offline_and_searchable(tmp_path):
    g = shop_graph()
    view = export_graph(g, select_nodes(g, around="Person", hops=2))
    view.add_node("/m/6", label="Unicorn </script><b>", frequency=0.0)  # hostile name
    out = export_file(view, tmp_path / "p.html", "html")
    page = out.read_text(encoding="utf-8")
    assert "<script src" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert page.count("</script>") == 1  # the hostile name cannot close the script element
    assert 'id="q"' in page and "datalist" in page  # search by label name
    data = json.loads(re.search(r"var DATA = (.*);\n", page).group(1).replace("<\\/", "</"))
    labels = {n["label"] for n in data["nodes"]}
    assert {"Person", "Shopkeeper", "Grocery store", "Unicorn </script><b>"} <= labels
    assert len(data["edges"]) == view.number_of_edges()
    # same graph and seed -> same page
    assert render_html_page(view) == render_html_page(view)


@pytest.mark.skipif(
    shutil.which("node") is None, reason="node.js not installed: JavaScript syntax not checked"
)
def test_inline_javascript_parses(tmp_path):
    g = shop_graph()
    page = render_html_page(export_graph(g, select_nodes(g)))
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    js = tmp_path / "page.js"
    js.write_text(script, encoding="utf-8")
    proc = subprocess.run(["node", "--check", str(js)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
