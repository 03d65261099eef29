"""Label node features: the graph's embeddings, with learned vectors where they are missing."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LabelEmbedding"]


class LabelEmbedding(nn.Module):
    """Returns ``[L, D]`` node features.

    Rows with an embedding are the graph's vectors, centred (the mean over labels that have
    one is subtracted) and L2-normalised (fixed buffers). Rows marked
    missing are learned parameters initialised with unit-norm random vectors. When the graph has
    no embeddings at all (``D == 0``), every row is learned with width ``learned_dim``.

    Args:
        embeddings: ``[L, D]`` float.
        missing: ``[L]`` bool.
        learned_dim: width used when ``D == 0`` (default 64).
    """

    def __init__(
        self, embeddings: torch.Tensor, missing: torch.Tensor, learned_dim: int = 64
    ) -> None:
        super().__init__()
        emb = embeddings.float()
        miss = missing.bool().clone()
        if emb.shape[1] == 0:
            emb = torch.zeros(emb.shape[0], learned_dim)
            miss[:] = True
        present = ~miss
        if int(present.sum()) > 1:
            # word vectors share a large common direction; without removing it every label's
            # node input (and so every GCN classifier) starts out nearly the same
            emb = emb - emb[present].mean(0, keepdim=True)
        emb = F.normalize(emb, dim=1) * present.unsqueeze(1)
        self.dim = int(emb.shape[1])
        self.register_buffer("fixed", emb, persistent=False)
        self.register_buffer("missing_index", miss.nonzero().flatten(), persistent=False)
        learned = F.normalize(torch.randn(int(miss.sum()), self.dim), dim=1)
        self.learned = nn.Parameter(learned)

    def forward(self) -> torch.Tensor:
        """-> ``[L, D]``."""
        if self.learned.shape[0] == 0:
            return self.fixed
        return self.fixed.index_put((self.missing_index,), self.learned.to(self.fixed.dtype))
