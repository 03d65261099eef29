"""Aligning a label graph to the model's labels by code."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from corpora.errors import InputError
from vision.models import GraphInputs


class FakeGraph:
    """Stand-in with the LabelGraph methods GraphInputs uses."""

    labels = ["/m/x", "/m/a", "/m/b"]

    def to_pyg(self, source="combined", self_loops=False):
        return SimpleNamespace(
            x=torch.tensor([[1.0, 1.0], [2.0, 0.0], [0.0, 0.0]]),
            edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]),
            edge_weight=torch.tensor([0.5, 0.5, 2.0, 2.0]),
            missing=torch.tensor([False, False, True]),
        )

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
