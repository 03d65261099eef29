"""Sparse-times-batched-dense product for message passing with one static graph per batch."""

from __future__ import annotations

import torch

__all__ = ["normalized_adjacency", "batched_spmm"]


def normalized_adjacency(
    edge_index: torch.Tensor, edge_weight: torch.Tensor, num_nodes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``D^-1/2 (A + I) D^-1/2`` as coalesced COO ``(indices [2, E + L], values [E + L])``.

    Row = receiving node, column = sending node (``out[i] = sum_j A[i, j] x[j]``).
    """
    from torch_geometric.nn.conv.gcn_conv import gcn_norm

    ei, w = gcn_norm(edge_index, edge_weight.float(), num_nodes, add_self_loops=True)
    adj = torch.sparse_coo_tensor(
        torch.stack([ei[1], ei[0]]), w, (num_nodes, num_nodes), check_invariants=True
    ).coalesce()
    return adj.indices(), adj.values()


def batched_spmm(indices: torch.Tensor, values: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """``A @ h`` for node-major features ``h [L, B, H]`` and sparse ``A [L, L]``.

    Node-major layout makes this one 2-D sparse matmul ``[L, L] x [L, B*H]`` (cost ``E*B*H``)
    with no replication of the graph per image. Runs in float32 even under autocast.
    """
    n, b, f = h.shape
    with torch.autocast(device_type=h.device.type, enabled=False):
        adj = torch.sparse_coo_tensor(
            indices, values.float(), (n, n), is_coalesced=True, check_invariants=False
        )
        out = torch.sparse.mm(adj, h.float().reshape(n, b * f))
    return out.reshape(n, b, f)
