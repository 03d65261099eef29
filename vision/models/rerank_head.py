"""Re-ranking head: per-label scores refined by message passing over the label graph."""

from __future__ import annotations

import torch
from torch import nn

from vision.models._batched_spmm import (
    batched_spmm,
    normalized_adjacency,
    static_spmm,
    transpose_coo,
)
from vision.models.graph_inputs import GraphInputs
from vision.models.head import HEADS, Head
from vision.models.label_embedding import LabelEmbedding

__all__ = ["RerankHead"]


class _GatedCorrection(nn.Module):
    """``correction [L, B] = gate * (h [L, B, H] @ w + b)``."""

    def __init__(self, hidden: int, gate_init: float) -> None:
        super().__init__()
        self.out = nn.Linear(hidden, 1)
        self.gate = nn.Parameter(torch.tensor(float(gate_init)))
        self.gate_init = float(gate_init)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.gate * self.out(h).squeeze(-1)

    def reset_parameters(self) -> None:
        self.out.reset_parameters()
        with torch.no_grad():
            self.gate.fill_(self.gate_init)


@HEADS.register(
    "rerank",
    tags={"graph"},
    help="linear scores refined by message passing over the label graph",
    pinned=("hidden", "layers"),
)
class RerankHead(Head):
    """Linear scores plus a gated correction computed by a GNN over the label graph.

    1. ``s = features @ W^T + b``: ``[B, L]`` (the linear head).
    2. Node inputs for every image: ``h0[b, l] = sigmoid(s[b, l]) * u + P e_l`` (``[B, L, H]``),
       i.e. a linear map of ``[score, label embedding]``; the score enters as a probability so
       confident logits do not blow up the messages; ``P e`` is computed once per batch.
    3. ``layers`` residual GNN layers ``h <- h + relu(P (h W_k) + c_k)`` with the static
       propagation matrix ``P = (1 - p) I + p D^-1 A`` shared by the batch
       (:func:`normalized_adjacency`; one sparse matmul per layer, see :func:`batched_spmm`).
    4. ``logits = s + gate * (h w + b0)``; ``gate`` is a learned scalar (default 0.1).
       With ``gate = 0`` the head equals its linear part exactly.

    Node features are kept node-major (``[L, B, H]``) internally.

    Args:
        num_features: F.
        num_labels: L.
        graph: aligned graph arrays.
        hidden: node width H (default 16).
        layers: GNN layers (default 1; the first layer is factorised and costs sparse products
            of ``[L, B]`` only, each further layer one of ``[L, B*H]``: at 7,178 labels and
            batch 64 two layers cost ~4x the head time of one).
        gate_init: initial gate (default 0.1).
        learned_dim: embedding width when the graph has no embeddings (default 64).
        dropout: dropout on the features before the linear scores (default 0).
        neighbor_weight: ``p`` of the propagation matrix (default 0.5).
    """

    def __init__(
        self,
        num_features: int,
        num_labels: int,
        graph: GraphInputs,
        hidden: int = 16,
        layers: int = 1,
        gate_init: float = 0.1,
        learned_dim: int = 64,
        dropout: float = 0.0,
        neighbor_weight: float = 0.5,
    ) -> None:
        super().__init__()
        if graph.num_labels != num_labels:
            raise ValueError(f"graph has {graph.num_labels} labels, head has {num_labels}")
        self.num_features = int(num_features)
        self.num_labels = int(num_labels)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(self.num_features, self.num_labels)
        self.embedding = LabelEmbedding(graph.embeddings, graph.missing, learned_dim)
        idx, val = normalized_adjacency(
            graph.edge_index, graph.edge_weight, num_labels, neighbor_weight
        )
        self.register_buffer("adj_indices", idx, persistent=False)
        self.register_buffer("adj_values", val, persistent=False)
        t_idx, t_val = transpose_coo(idx, val, num_labels)
        self.register_buffer("adj_t_indices", t_idx, persistent=False)
        self.register_buffer("adj_t_values", t_val, persistent=False)
        self.embed_proj = nn.Linear(self.embedding.dim, hidden)
        self.score_in = nn.Parameter(torch.randn(hidden) / hidden**0.5)
        self.layers = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(layers))
        self.correction = _GatedCorrection(hidden, gate_init)

    def scores(self, features: torch.Tensor) -> torch.Tensor:
        """The linear part: ``[B, F]`` -> ``[B, L]``."""
        return self.fc(self.drop(features))

    def _propagate(self, x: torch.Tensor) -> torch.Tensor:
        """``P @ x`` for ``x [L, C]``."""
        return static_spmm(
            self.adj_indices, self.adj_values, x, self.adj_t_indices, self.adj_t_values
        ).to(x.dtype)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, F]`` -> ``[B, L]``."""
        s = self.scores(features)
        e = self.embed_proj(self.embedding())  # [L, H]
        st = torch.sigmoid(s).t()  # [L, B]
        h = st.unsqueeze(-1) * self.score_in + e.unsqueeze(1)  # h0: [L, B, H]
        if len(self.layers):
            # First layer, factorised: h0 = st (x) u + e is rank-structured, so
            # P (h0 W^T) = (P st) (x) (W u) + (P e) W^T needs sparse products of [L, B] and
            # [L, H] only, not of [L, B*H] (H times cheaper; identical result).
            first = self.layers[0]
            wu = first.weight @ self.score_in  # [H]
            pe = self._propagate(e) @ first.weight.t() + first.bias  # [L, H]
            pre = self._propagate(st).unsqueeze(-1) * wu + pe.unsqueeze(1)
            h = h + torch.relu(pre)
        for layer in self.layers[1:]:
            m = batched_spmm(
                self.adj_indices,
                self.adj_values,
                h @ layer.weight.t(),
                self.adj_t_indices,
                self.adj_t_values,
            )
            h = h + torch.relu(m.to(h.dtype) + layer.bias)
        return s + self.correction(h).t().to(s.dtype)

    def last_layer(self) -> nn.Module:
        """The linear scorer ``fc`` and the gated correction output."""
        return nn.ModuleList([self.fc, self.correction])

    def reset_classifier(self, num_classes: int | None = None) -> None:
        """Re-initialise ``fc`` and the correction output (labels are fixed by the graph)."""
        if num_classes is not None and num_classes != self.num_labels:
            raise ValueError(
                f"a rerank head is tied to its graph's {self.num_labels} labels; build a new "
                f"head with a graph for {num_classes} labels instead"
            )
        self.fc.reset_parameters()
        self.correction.reset_parameters()
