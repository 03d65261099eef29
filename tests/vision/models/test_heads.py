"""Heads: shapes, gradients, the GCN head against a hand computation, rerank reductions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from corpora.errors import InputError
from vision.models import (
    GraphInputs,
    MultiLabelClassifier,
    create_backbone,
    create_head,
    list_heads,
)

CODES = ["/m/a", "/m/b", "/m/c"]


def three_label_graph(embeddings: bool = True) -> GraphInputs:
    # undirected edges a-b (weight 2) and b-c (weight 1)
    ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    ew = torch.tensor([2.0, 2.0, 1.0, 1.0])
    emb = torch.tensor([[1.0, 0.0], [0.0, 3.0], [0.0, 0.0]]) if embeddings else torch.zeros(3, 0)
    missing = torch.tensor([False, False, True]) if embeddings else torch.ones(3, dtype=torch.bool)
    return GraphInputs(ei, ew, emb, missing, digest="test")


def test_list_heads():
    assert {"linear", "gcn", "rerank"} <= set(list_heads())


def test_unknown_head():
    with pytest.raises(InputError, match="unknown head"):
        create_head("mlp", 4, 3)


def test_graph_head_without_graph_is_an_error():
    with pytest.raises(ValueError, match="needs a label graph"):
        create_head("gcn", 4, 3)


@pytest.mark.parametrize("name", ["linear", "gcn", "rerank"])
def test_head_shape_and_gradients(name):
    torch.manual_seed(0)
    head = create_head(name, 8, 3, graph=three_label_graph())
    f = torch.randn(5, 8, requires_grad=True)
    out = head(f)
    assert out.shape == (5, 3)
    (out * torch.randn(5, 3)).sum().backward()
    missing = [n for n, p in head.named_parameters() if p.grad is None or p.grad.abs().sum() == 0]
    assert not missing, f"{name}: no gradient for {missing}"
    assert f.grad is not None and f.grad.abs().sum() > 0


@pytest.mark.parametrize("name", ["linear", "gcn", "rerank"])
def test_full_model_every_parameter_gets_gradient(name):
    torch.manual_seed(0)
    bb = create_backbone("test_cnn")
    model = MultiLabelClassifier(
        bb, create_head(name, bb.num_features, 3, graph=three_label_graph())
    )
    model.eval()
    x = torch.randn(2, 3, 16, 16)
    torch.testing.assert_close(model(x), model.forward_head(model.forward_features(x)))
    model.train()
    out = model(x)
    assert out.shape == (2, 3)
    (out * torch.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def _propagation(n: int, edges: list[tuple[int, int, float]], p: float) -> np.ndarray:
    """(1 - p) I + p D^-1 A by hand; isolated nodes keep weight 1 on themselves."""
    a = np.zeros((n, n))
    for i, j, w in edges:
        a[i, j] = a[j, i] = w
    out = np.eye(n)
    for i in range(n):
        if a[i].sum() > 0:
            out[i] = (1 - p) * np.eye(n)[i] + p * a[i] / a[i].sum()
    return out


def test_gcn_head_matches_hand_computation():
    torch.manual_seed(0)
    head = create_head("gcn", 4, 3, graph=three_label_graph(), hidden=(5,), neighbor_weight=0.3)
    v = torch.randn(3, 4)
    with torch.no_grad():
        head.output.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
        head.output.residual.copy_(v)
    a_hat = _propagation(3, [(0, 1, 2.0), (1, 2, 1.0)], 0.3)
    # b (node 1) keeps 0.7 of itself and gets 0.3 * (2/3 from a, 1/3 from c)
    np.testing.assert_allclose(a_hat[1], [0.2, 0.7, 0.1])
    # embeddings a=[1, 0], b=[0, 3] are centred on their mean [0.5, 1.5], then L2-normalised
    r = 1 / np.sqrt(10)
    x = np.array([[r, -3 * r], [-r, 3 * r], head.embedding.learned.detach().numpy()[0]])
    w1 = head.convs[0].lin.weight.detach().numpy()
    b1 = head.convs[0].bias.detach().numpy()
    w2 = head.convs[1].lin.weight.detach().numpy()
    b2 = head.convs[1].bias.detach().numpy()
    h = a_hat @ x @ w1.T + b1
    h = np.where(h > 0, h, 0.2 * h)
    w = a_hat @ h @ w2.T + b2  # [L, F]
    feats = torch.randn(2, 4)
    expected = feats.numpy() @ (w + v.numpy()).T + np.array([0.1, -0.2, 0.3])
    np.testing.assert_allclose(head(feats).detach().numpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(head.graph_classifiers().detach().numpy(), w, rtol=1e-5, atol=1e-5)


def test_gcn_without_embeddings_learns_all_of_them():
    head = create_head("gcn", 4, 3, graph=GraphInputs.identity(CODES), learned_dim=7)
    assert head.embedding.learned.shape == (3, 7)


def test_rerank_identity_graph_with_zero_gate_equals_linear():
    torch.manual_seed(0)
    rerank = create_head("rerank", 6, 3, graph=GraphInputs.identity(CODES))
    linear = create_head("linear", 6, 3)
    linear.fc.load_state_dict(rerank.fc.state_dict())
    f = torch.randn(4, 6)
    assert not torch.allclose(rerank(f), linear(f))  # the correction is active by default
    with torch.no_grad():
        rerank.correction.gate.zero_()
    torch.testing.assert_close(rerank(f), linear(f))


def test_rerank_matches_per_image_dense_message_passing():
    torch.manual_seed(0)
    g = three_label_graph()
    head = create_head("rerank", 6, 3, graph=g, hidden=4, layers=2).eval()
    f = torch.randn(5, 6)
    a_hat = torch.tensor(_propagation(3, [(0, 1, 2.0), (1, 2, 1.0)], 0.5), dtype=torch.float32)
    s = head.fc(f)
    e = head.embed_proj(head.embedding())
    expected = []
    for b in range(5):
        h = torch.sigmoid(s[b]).unsqueeze(1) * head.score_in + e  # [L, H]
        for layer in head.layers:
            h = h + torch.relu(a_hat @ (h @ layer.weight.t()) + layer.bias)
        expected.append(s[b] + head.correction.gate * head.correction.out(h).squeeze(1))
    torch.testing.assert_close(head(f), torch.stack(expected), rtol=1e-5, atol=1e-5)


def test_rerank_context_flows_along_edges_only():
    """A neighbour's score moves a label's logit through an edge; with self-loops only it cannot."""
    torch.manual_seed(0)
    for graph, linked in ((three_label_graph(), True), (GraphInputs.identity(CODES), False)):
        head = create_head("rerank", 3, 3, graph=graph)
        with torch.no_grad():
            head.fc.weight.copy_(torch.eye(3))
            head.fc.bias.zero_()
        f = torch.zeros(1, 3, requires_grad=True)
        out = head(f)
        (grad,) = torch.autograd.grad(out[0, 1], f)  # d logit(b) / d score(a), score(c)
        assert (grad[0, 0].abs() > 0) == linked
        assert grad[0, 2].abs() > 0 if linked else grad[0, 2] == 0


@pytest.mark.parametrize("name", ["linear", "gcn", "rerank"])
def test_last_layer_and_reset_classifier(name):
    torch.manual_seed(0)
    head = create_head(name, 8, 3, graph=three_label_graph())
    last = head.last_layer()
    params = list(last.parameters())
    assert params and all(any(p is q for q in head.parameters()) for p in params)
    before = [p.detach().clone() for p in params]
    with torch.no_grad():
        for p in params:
            p.add_(1.0)
    head.reset_classifier()
    after = list(head.last_layer().parameters())
    assert any(not torch.equal(a, b + 1.0) for a, b in zip(after, before))


def test_linear_reset_to_new_label_count_and_graph_heads_refuse():
    head = create_head("linear", 8, 3)
    head.reset_classifier(5)
    assert head(torch.randn(2, 8)).shape == (2, 5)
    gcn = create_head("gcn", 8, 3, graph=three_label_graph())
    with pytest.raises(ValueError, match="tied to its graph"):
        gcn.reset_classifier(5)


def test_model_from_args_rebuilds_same_shapes():
    args = {
        "backbone": "test_cnn",
        "backbone_kwargs": {},
        "head": "gcn",
        "head_kwargs": {"hidden": [4]},
        "num_labels": 3,
    }
    m1 = MultiLabelClassifier.from_args(args, three_label_graph())
    m2 = MultiLabelClassifier.from_args(args, three_label_graph())
    m2.load_state_dict(m1.state_dict())
    x = torch.randn(2, 3, 16, 16)
    m1.eval(), m2.eval()
    torch.testing.assert_close(m1(x), m2(x))


@pytest.mark.parametrize("name", ["gcn", "rerank"])
def test_graph_heads_under_bfloat16_autocast(name):
    torch.manual_seed(0)
    head = create_head(name, 8, 3, graph=three_label_graph())
    f = torch.randn(4, 8)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = head(f)
    assert out.shape == (4, 3) and torch.isfinite(out.float()).all()
    out.float().sum().backward()
    assert all(p.grad is not None for p in head.parameters())


def test_static_spmm_custom_backward_matches_autograd():
    from vision.models._batched_spmm import normalized_adjacency, static_spmm, transpose_coo

    g = three_label_graph()
    idx, val = normalized_adjacency(g.edge_index, g.edge_weight, 3, 0.4)  # not symmetric
    t_idx, t_val = transpose_coo(idx, val, 3)
    x = torch.randn(3, 5, requires_grad=True)
    w = torch.randn(3, 5)
    (ga,) = torch.autograd.grad((static_spmm(idx, val, x) * w).sum(), x)
    (gb,) = torch.autograd.grad((static_spmm(idx, val, x, t_idx, t_val) * w).sum(), x)
    dense = torch.sparse_coo_tensor(idx, val, (3, 3)).to_dense()
    torch.testing.assert_close(ga, dense.t() @ w)
    torch.testing.assert_close(gb, ga)


def test_graph_heads_are_the_catalogue_entries_tagged_graph():
    from vision.models import HEADS, is_graph_head

    graph_heads = HEADS.names(tag="graph")  # (tests may register more)
    assert {"gcn", "rerank"} <= set(graph_heads) and "linear" not in graph_heads
    assert is_graph_head("gcn") and is_graph_head("rerank") and not is_graph_head("linear")
    with pytest.raises(InputError, match="unknown head 'mlp'"):
        is_graph_head("mlp")
    # a non-graph head ignores the graph; options are checked against the entry
    assert isinstance(create_head("linear", 4, 3, graph=three_label_graph()), torch.nn.Module)
    with pytest.raises(InputError, match="head 'linear' has no option 'hidden'"):
        create_head("linear", 4, 3, hidden=8)
