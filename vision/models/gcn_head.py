"""ML-GCN style head: a GCN over the label graph turns label embeddings into classifiers."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import torch
from torch import nn
from torch_geometric.nn import GCNConv

from vision.models._batched_spmm import normalized_adjacency
from vision.models.graph_inputs import GraphInputs
from vision.models.head import HEADS, Head
from vision.models.label_embedding import LabelEmbedding

__all__ = ["GCNHead"]


class _LabelOutput(nn.Module):
    """Per-label bias ``b [L]`` and (optional) free classifier residual ``V [L, F]`` (zero init)."""

    def __init__(self, num_labels: int, num_features: int, residual: bool) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(num_labels))
        self.residual = nn.Parameter(torch.zeros(num_labels, num_features)) if residual else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.zeros_(self.bias)
        if self.residual is not None:
            # as nn.Linear initialises its weight: independent random classifiers give the
            # backbone rich gradients from the first step (the GCN's are strongly correlated)
            nn.init.kaiming_uniform_(self.residual, a=math.sqrt(5))


@HEADS.register(
    "gcn",
    tags={"graph"},
    help="ML-GCN: a GCN over the label graph emits the per-label classifiers",
    pinned=("hidden",),
)
class GCNHead(Head):
    """ML-GCN (Chen et al. 2019) with weighted edges.

    Node features ``X [L, D]`` (:class:`LabelEmbedding`) pass through ``len(hidden) + 1``
    ``GCNConv`` layers with LeakyReLU(0.2) between them. The layers propagate with ML-GCN's
    re-weighted matrix ``P = (1 - p) I + p D^-1 A`` built from the weighted edges
    (:func:`normalized_adjacency`, computed once and passed to ``GCNConv`` as a sparse
    adjacency, so each layer is one sparse matmul); the last layer outputs ``W [L, F]``, one classifier vector
    per label. ``logits = features @ (W + V)^T + b`` with a learned per-label bias ``b [L]`` and,
    with ``residual=True`` (default), a free per-label residual ``V [L, F]`` initialised at zero:
    the GCN shares strength across related labels while ``V`` lets a label depart from what its
    embedding and neighbours predict (plain ML-GCN, whose classifiers are confined to a smooth
    function of noisy embeddings, trained markedly worse from scratch). ``residual=False`` is
    plain ML-GCN.
    The GCN runs once per forward pass, independent of the batch size.

    Args:
        num_features: F.
        num_labels: L (must equal ``graph.num_labels``).
        graph: the aligned graph arrays.
        hidden: widths of the hidden GCN layers (default ``(256,)``).
        learned_dim: embedding width when the graph has none (default 64).
        neighbor_weight: ``p``, the share of a label's update that comes from its neighbours
            (default 0.2, as in ML-GCN).
        residual: learn the free residual ``V`` (default True).
        last_init_scale: the last GCN layer's initial weights are scaled by this (default 0.1),
            so training starts close to the linear head and the graph term grows as it helps.
    """

    def __init__(
        self,
        num_features: int,
        num_labels: int,
        graph: GraphInputs,
        hidden: Sequence[int] = (256,),
        learned_dim: int = 64,
        neighbor_weight: float = 0.2,
        residual: bool = True,
        last_init_scale: float = 0.1,
    ) -> None:
        super().__init__()
        if graph.num_labels != num_labels:
            raise ValueError(f"graph has {graph.num_labels} labels, head has {num_labels}")
        self.num_features = int(num_features)
        self.num_labels = int(num_labels)
        self.embedding = LabelEmbedding(graph.embeddings, graph.missing, learned_dim)
        idx, val = normalized_adjacency(
            graph.edge_index, graph.edge_weight, num_labels, neighbor_weight
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
            csr = torch.sparse_coo_tensor(idx, val, (num_labels, num_labels)).to_sparse_csr()
        self.register_buffer("adj_crow", csr.crow_indices(), persistent=False)
        self.register_buffer("adj_col", csr.col_indices(), persistent=False)
        self.register_buffer("adj_values", csr.values(), persistent=False)
        widths = [self.embedding.dim, *[int(h) for h in hidden], self.num_features]
        self.convs = nn.ModuleList(
            GCNConv(a, b, normalize=False, add_self_loops=False, bias=True)
            for a, b in zip(widths[:-1], widths[1:])
        )
        self.act = nn.LeakyReLU(0.2)
        self.last_init_scale = float(last_init_scale)
        self._shrink_last()
        self.output = _LabelOutput(num_labels, self.num_features, residual)

    def _adjacency(self) -> torch.Tensor:
        """Normalised ``A_hat`` as a sparse ``[L, L]`` (row = receiver): GCNConv then runs one
        sparse matmul per layer, about 10x faster on CPU than scattering over ``edge_index``."""
        n = self.num_labels
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(
                self.adj_crow, self.adj_col, self.adj_values, (n, n), check_invariants=False
            )

    def graph_classifiers(self) -> torch.Tensor:
        """The GCN's per-label classifier vectors ``W [L, F]`` (without the residual)."""
        h = self.embedding()
        adj = self._adjacency()
        for i, conv in enumerate(self.convs):
            with torch.autocast(device_type=h.device.type, enabled=False):
                h = conv(h.float(), adj)
            if i < len(self.convs) - 1:
                h = self.act(h)
        return h

    def classifiers(self) -> torch.Tensor:
        """The effective per-label classifier vectors ``W + V``: ``[L, F]``."""
        w = self.graph_classifiers()
        if self.output.residual is not None:
            w = w + self.output.residual
        return w

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, F]`` -> ``[B, L]``."""
        w = self.classifiers()
        return features @ w.to(features.dtype).t() + self.output.bias.to(features.dtype)

    def _shrink_last(self) -> None:
        with torch.no_grad():
            self.convs[-1].lin.weight.mul_(self.last_init_scale)

    def graph_parameters(self) -> list[nn.Parameter]:
        """The shared GCN weights and learned embeddings. One step on a shared weight moves every
        label's classifier at once (about ``hidden`` times more than a step on a per-label
        weight), so the trainer gives them a smaller learning rate (``--graph-lr-scale``)."""
        return [*self.embedding.parameters(), *self.convs.parameters()]

    def last_layer(self) -> nn.Module:
        """The last ``GCNConv`` (it emits the classifier vectors), the residual and the bias."""
        return nn.ModuleList([self.convs[-1], self.output])

    def reset_classifier(self, num_classes: int | None = None) -> None:
        """Re-initialise the last GCN layer, residual and bias (the labels are fixed by the graph)."""
        if num_classes is not None and num_classes != self.num_labels:
            raise ValueError(
                f"a gcn head is tied to its graph's {self.num_labels} labels; build a new head "
                f"with a graph for {num_classes} labels instead"
            )
        self.convs[-1].reset_parameters()
        self._shrink_last()
        self.output.reset_parameters()
