"""LabelGraph.to_pyg(edge_attr=True): every source's weights as edge_attr [E, S] on the union of
the edges, checked against a hand-made graph; the default output is unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from corpora.errors import InputError
from labelgraph import LabelGraph

CODES = ["/m/a", "/m/b", "/m/c", "/m/d"]


def _hand_graph() -> LabelGraph:
    # text: a-b 2, b-c 1; annotation: a-b 3, c-d 4; combined: a-b 5, b-c 0.5
    return LabelGraph.from_edges(
        CODES,
        ["A", "B", "C", "D"],
        {
            "text": ([0, 1], [1, 2], [2.0, 1.0]),
            "annotation": ([0, 2], [1, 3], [3.0, 4.0]),
            "combined": ([0, 1], [1, 2], [5.0, 0.5]),
        },
        embeddings=np.eye(4, 2, dtype=np.float32),
    )


def test_edge_attr_holds_every_source_on_the_union_of_edges():
    g = _hand_graph()
    assert g.sources == ["text", "annotation", "combined"]
    d = g.to_pyg(edge_attr=True)
    pairs = [tuple(p) for p in d.edge_index.t().tolist()]
    # union, row-major: a-b, b-a, b-c, c-b, c-d, d-c
    assert pairs == [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)]
    assert d.edge_attr.shape == (6, 3) and d.edge_attr.dtype.is_floating_point
    assert d.edge_attr_names == ["text", "annotation", "combined"]
    want = {
        (0, 1): [2.0, 3.0, 5.0],
        (1, 2): [1.0, 0.0, 0.5],
        (2, 3): [0.0, 4.0, 0.0],
    }
    for e, (i, j) in enumerate(pairs):
        assert d.edge_attr[e].tolist() == want[(min(i, j), max(i, j))]
    # edge_weight is the chosen source's column
    assert d.edge_weight.tolist() == d.edge_attr[:, 2].tolist()
    t = g.to_pyg(source="annotation", edge_attr=True)
    assert t.edge_weight.tolist() == t.edge_attr[:, 1].tolist()
    assert t.edge_index.tolist() == d.edge_index.tolist()


def test_edge_attr_with_self_loops_and_unknown_source():
    g = _hand_graph()
    d = g.to_pyg(edge_attr=True, self_loops=True)
    loops = (d.edge_index[0] == d.edge_index[1]).nonzero().flatten()
    assert len(loops) == 4
    assert d.edge_attr[loops].tolist() == [[1.0, 1.0, 1.0]] * 4
    with pytest.raises(InputError, match="no edge source 'nope'"):
        g.to_pyg(source="nope", edge_attr=True)


def test_default_output_is_unchanged():
    g = _hand_graph()
    d = g.to_pyg()
    assert "edge_attr" not in d.keys()
    assert d.edge_index.tolist() == [[0, 1, 1, 2], [1, 0, 2, 1]]
    assert d.edge_weight.tolist() == [5.0, 5.0, 0.5, 0.5]
    assert d.x.shape == (4, 2) and d.num_nodes == 4
