"""Sparse-times-batched-dense product for message passing with one static graph per batch."""

from __future__ import annotations

import torch

__all__ = ["normalized_adjacency", "batched_spmm"]


def normalized_adjacency(
    edge_index: torch.Tensor,
    edge_weight: torch.Tensor,
    num_nodes: int,
    neighbor_weight: float = 0.2,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The propagation matrix ``P = (1 - p) I + p D^-1 A`` (ML-GCN's re-weighting) as coalesced
    COO ``(indices [2, nnz], values [nnz])``, ``p = neighbor_weight``.

    Row = receiving node, column = sending node (``out[i] = sum_j P[i, j] x[j]``): each label
    keeps ``1 - p`` of its own features and receives ``p`` spread over its neighbours in
    proportion to the edge weights. Label graphs are dense (a label commonly has dozens of
    neighbours whose weights sum far above 1), so the plain ``D^-1/2 (A + I) D^-1/2`` of GCN
    drowns a label's own signal and makes all classifiers alike; this keeps it. A label
    without neighbours (and every label of the identity graph) gets ``P[i, i] = 1``.
    """
    if not 0.0 <= neighbor_weight <= 1.0:
        raise ValueError(f"neighbor_weight must be in [0, 1], got {neighbor_weight}")
    src, dst = edge_index[0].long(), edge_index[1].long()
    w = edge_weight.float()
    keep = (src != dst) & (w > 0)
    src, dst, w = src[keep], dst[keep], w[keep]
    row_sum = torch.zeros(num_nodes).index_add_(0, dst, w)
    has = row_sum > 0
    vals = neighbor_weight * w / row_sum[dst]
    self_w = torch.where(
        has, torch.full((num_nodes,), 1.0 - neighbor_weight), torch.ones(num_nodes)
    )
    nodes = torch.arange(num_nodes)
    adj = torch.sparse_coo_tensor(
        torch.stack([torch.cat([dst, nodes]), torch.cat([src, nodes])]),
        torch.cat([vals, self_w]),
        (num_nodes, num_nodes),
        check_invariants=True,
    ).coalesce()
    return adj.indices(), adj.values()


class _StaticSpmm(torch.autograd.Function):
    """``A @ x`` for a constant sparse ``A``; the backward uses a precomputed ``A^T`` instead of
    transposing (and re-sorting) ``A`` on every call, which halves the cost on CPU."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, a_t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        ctx.a_t = a_t
        return torch.sparse.mm(a, x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        return None, None, torch.sparse.mm(ctx.a_t, grad)


def transpose_coo(
    indices: torch.Tensor, values: torch.Tensor, num_nodes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Coalesced COO of ``A^T`` from that of ``A``."""
    t = torch.sparse_coo_tensor(
        indices.flip(0), values, (num_nodes, num_nodes), check_invariants=True
    ).coalesce()
    return t.indices(), t.values()


def static_spmm(
    indices: torch.Tensor,
    values: torch.Tensor,
    x: torch.Tensor,
    t_indices: torch.Tensor | None = None,
    t_values: torch.Tensor | None = None,
) -> torch.Tensor:
    """``A @ x`` for ``x [L, C]`` and sparse ``A [L, L]`` (coalesced COO ``indices``/``values``;
    ``t_indices``/``t_values``: the same for ``A^T``, used by the backward). Runs in float32
    even under autocast."""
    n = x.shape[0]
    with torch.autocast(device_type=x.device.type, enabled=False):
        adj = torch.sparse_coo_tensor(
            indices, values.float(), (n, n), is_coalesced=True, check_invariants=False
        )
        if t_indices is None or t_values is None:
            return torch.sparse.mm(adj, x.float())
        adj_t = torch.sparse_coo_tensor(
            t_indices, t_values.float(), (n, n), is_coalesced=True, check_invariants=False
        )
        return _StaticSpmm.apply(adj, adj_t, x.float())


def batched_spmm(
    indices: torch.Tensor,
    values: torch.Tensor,
    h: torch.Tensor,
    t_indices: torch.Tensor | None = None,
    t_values: torch.Tensor | None = None,
) -> torch.Tensor:
    """``A @ h`` for node-major features ``h [L, B, H]`` (see :func:`static_spmm`).

    Node-major layout makes this one 2-D sparse matmul ``[L, L] x [L, B*H]`` (cost ``E*B*H``)
    with no replication of the graph per image.
    """
    n, b, f = h.shape
    out = static_spmm(indices, values, h.reshape(n, b * f), t_indices, t_values)
    return out.reshape(n, b, f)
