"""Aligning a label graph to the model's labels by code."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from corpora.errors import InputError
from vision.models import GraphInputs


class FakeGraph:
    """Stand-in with the LabelGraph methods GraphInputs uses."""

    labels = ["/m/x", "/m/a", "/m/b"]
    embeddings = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 0.0]], dtype=np.float32)
    missing = np.array([False, False, True])

    def adjacency(self, source="combined"):
        rows, cols = [0, 1, 1, 2], [1, 0, 2, 1]
        return sp.csr_matrix((np.array([0.5, 0.5, 2.0, 2.0], np.float32), (rows, cols)), (3, 3))

    def digest(self):
        return "abc123"


def test_alignment_by_code_isolates_unknown_and_drops_extra():
    gi = GraphInputs.from_label_graph(FakeGraph(), ["/m/b", "/m/new", "/m/a"])
    assert gi.digest == "abc123" and gi.edges == "graph"
    np.testing.assert_array_equal(gi.missing.numpy(), [True, True, False])
    np.testing.assert_array_equal(gi.embeddings.numpy(), [[0, 0], [0, 0], [2, 0]])
    # only the a-b edge survives, re-indexed to model positions (b=0, a=2)
    pairs = sorted(
        zip(gi.edge_index[0].tolist(), gi.edge_index[1].tolist(), gi.edge_weight.tolist())
    )
    assert pairs == [(0, 2, 2.0), (2, 0, 2.0)]


def test_alignment_error_mode():
    with pytest.raises(
        InputError, match="1 of 2 training labels are not in the label graph.*/m/new"
    ):
        GraphInputs.from_label_graph(FakeGraph(), ["/m/a", "/m/new"], on_missing="error")


def test_identity_edges_keep_embeddings():
    gi = GraphInputs.from_label_graph(FakeGraph(), ["/m/a", "/m/b"], edges="identity")
    assert gi.num_edges == 0 and gi.embeddings.shape == (2, 2) and gi.edges == "identity"


def test_round_trip_dict():
    gi = GraphInputs.from_label_graph(FakeGraph(), ["/m/a", "/m/b"])
    back = GraphInputs.from_dict(gi.to_dict())
    assert back.digest == gi.digest and torch.equal(back.edge_index, gi.edge_index)


def test_identity_digest_depends_on_codes():
    assert GraphInputs.identity(["a"]).digest != GraphInputs.identity(["b"]).digest


def _small_label_graph():
    from labelgraph import LabelGraph

    return LabelGraph.from_edges(
        ["/m/a", "/m/b", "/m/c", "/m/x"],
        ["A", "B", "C", "X"],
        edges={
            # a-b, b-c, a-x and a self-loop on c (dropped: heads add their own)
            "combined": ([0, 1, 0, 2], [1, 2, 3, 2], [0.5, 2.0, 1.0, 4.0]),
            "text": ([0, 3, 1], [3, 1, 2], [0.25, 0.75, 1.5]),
        },
        embeddings=np.array([[1, 0, 2], [0, 1, 0], [0, 0, 0], [3, 3, 1]], dtype=np.float32),
        missing=np.array([False, False, True, False]),
    )


#: GraphInputs of _small_label_graph() aligned to MODEL_CODES, as the former route through
#: LabelGraph.to_pyg() (a torch_geometric Data) gave them: (edge_index, edge_weight) per call
MODEL_CODES = ["/m/c", "/m/a", "/m/new", "/m/b"]
EXPECTED_EMBEDDINGS = [[0.0, 0.0, 0.0], [1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
EXPECTED_MISSING = [True, False, True, False]
EXPECTED_EDGES = {
    (("source", "combined"), ("edges", "graph")): ([[1, 3, 3, 0], [3, 1, 0, 3]], [0.5, 0.5, 2, 2]),
    (("source", "text"), ("edges", "graph")): ([[3, 0], [0, 3]], [1.5, 1.5]),
    (("source", "combined"), ("edges", "identity")): ([[], []], []),
}


@pytest.mark.parametrize("call", sorted(EXPECTED_EDGES))
def test_graph_inputs_read_the_artifact_as_the_former_pyg_route_did(call):
    g = _small_label_graph()
    gi = GraphInputs.from_label_graph(g, MODEL_CODES, **dict(call))
    edge_index, edge_weight = EXPECTED_EDGES[call]
    assert gi.edge_index.dtype == torch.long and gi.edge_index.tolist() == edge_index
    assert gi.edge_weight.dtype == torch.float32 and gi.edge_weight.tolist() == edge_weight
    assert gi.embeddings.dtype == torch.float32 and gi.embeddings.tolist() == EXPECTED_EMBEDDINGS
    assert gi.missing.dtype == torch.bool and gi.missing.tolist() == EXPECTED_MISSING
    assert gi.digest == g.digest()
    assert (gi.source, gi.edges) == (dict(call)["source"], dict(call)["edges"])


def test_graph_without_embeddings_and_unknown_source():
    from labelgraph import LabelGraph

    g = LabelGraph.identity(["/m/a", "/m/b"])
    gi = GraphInputs.from_label_graph(g, ["/m/b", "/m/a"])
    assert gi.num_edges == 0 and gi.embeddings.shape == (2, 0) and gi.missing.all()
    with pytest.raises(InputError, match="no edge source 'text'"):
        GraphInputs.from_label_graph(g, ["/m/a"], source="text", edges="identity")
