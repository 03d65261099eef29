"""What a graph head needs from a :class:`labelgraph.LabelGraph`, aligned to the model's labels.

The model's vocabulary (the data's trainable labels, in order) decides the node order. Graph
nodes are matched **by code**:

* a model label that the graph does not contain becomes an isolated node (self-loop only) marked
  *missing*, so it gets a learned embedding; with ``on_missing="error"`` this is an error instead;
* graph labels that the model does not know are dropped together with their edges.

The arrays are small (``E`` edges, ``L x D`` embeddings) and are stored in every checkpoint, so a
run can be rebuilt without the graph folder; ``digest`` identifies the graph file it came from.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from corpora.errors import InputError
from vision.label_graph_matrices import graph_to_model_index

__all__ = ["GraphInputs"]

logger = logging.getLogger(__name__)


def _identity_digest(codes: Sequence[str]) -> str:
    h = hashlib.sha256(b"identity-graph\n")
    for c in codes:
        h.update(c.encode("utf-8") + b"\n")
    return "identity:" + h.hexdigest()[:16]


@dataclass
class GraphInputs:
    """Graph arrays in model label order.

    Attributes:
        edge_index: ``[2, E]`` long, directed pairs (both directions of an undirected edge),
            no self-loops (heads add their own).
        edge_weight: ``[E]`` float32, positive association weights.
        embeddings: ``[L, D]`` float32 label embeddings (zero rows where ``missing``); ``D`` may
            be 0 when there are none (every label then gets a learned embedding).
        missing: ``[L]`` bool, labels without an embedding.
        digest: the graph's digest (``LabelGraph.digest()``) or ``identity:<hash of codes>``.
        edges: ``"graph"`` (the graph's edges) or ``"identity"`` (self-loops only, the ablation).
        source: the adjacency source used (``"combined"`` by default).
    """

    edge_index: torch.Tensor
    edge_weight: torch.Tensor
    embeddings: torch.Tensor
    missing: torch.Tensor
    digest: str
    edges: str = "graph"
    source: str = "combined"

    @property
    def num_labels(self) -> int:
        return int(self.missing.shape[0])

    @property
    def num_edges(self) -> int:
        return int(self.edge_index.shape[1])

    @classmethod
    def identity(
        cls,
        codes: Sequence[str],
        embeddings: np.ndarray | torch.Tensor | None = None,
        missing: np.ndarray | torch.Tensor | None = None,
        digest: str | None = None,
    ) -> GraphInputs:
        """Self-loops only (no edges). Without ``embeddings`` every label is *missing*."""
        n = len(codes)
        if embeddings is None:
            emb = torch.zeros(n, 0)
            miss = torch.ones(n, dtype=torch.bool)
        else:
            emb = torch.as_tensor(np.asarray(embeddings), dtype=torch.float32)
            miss = (
                torch.as_tensor(np.asarray(missing), dtype=torch.bool)
                if missing is not None
                else emb.abs().sum(1) == 0
            )
        return cls(
            edge_index=torch.zeros(2, 0, dtype=torch.long),
            edge_weight=torch.zeros(0),
            embeddings=emb,
            missing=miss,
            digest=digest or _identity_digest(codes),
            edges="identity",
        )

    @classmethod
    def from_label_graph(
        cls,
        graph: Any,
        codes: Sequence[str],
        source: str = "combined",
        edges: str = "graph",
        on_missing: str = "isolate",
    ) -> GraphInputs:
        """Align ``graph`` (a ``LabelGraph``) to the model labels ``codes`` (see module doc).

        Reads the artifact directly: ``graph.labels`` (codes in node order),
        ``graph.adjacency(source)`` (scipy CSR ``[L_g, L_g]``; its non-zero off-diagonal entries
        become ``edge_index``/``edge_weight`` in CSR order), ``graph.embeddings`` ``[L_g, D]``,
        ``graph.missing`` ``[L_g]`` and ``graph.digest()``.

        Args:
            edges: ``"graph"`` or ``"identity"`` (keep the embeddings, drop every edge).
            on_missing: ``"isolate"`` or ``"error"`` for model labels absent from the graph.
        """
        if edges not in ("graph", "identity"):
            raise InputError(f"graph edges must be 'graph' or 'identity', got {edges!r}")
        if on_missing not in ("isolate", "error"):
            raise InputError(f"on_missing must be 'isolate' or 'error', got {on_missing!r}")
        adjacency = graph.adjacency(source)  # checks the source even for edges="identity"
        model_of_graph = graph_to_model_index(graph, codes)
        in_graph = set(graph.labels)
        absent = [c for c in codes if c not in in_graph]
        if absent:
            if on_missing == "error":
                raise InputError(
                    f"{len(absent)} of {len(codes)} training labels are not in the label graph "
                    f"(e.g. {', '.join(absent[:5])}); rebuild the graph with these labels or use "
                    "--labels-not-in-graph isolate"
                )
            logger.warning(
                "%d of %d training labels are not in the label graph (e.g. %s): they become "
                "isolated nodes with learned embeddings",
                len(absent),
                len(codes),
                ", ".join(absent[:5]),
            )
        n = len(codes)
        x = torch.as_tensor(np.asarray(graph.embeddings, dtype=np.float32))
        gmiss = torch.as_tensor(np.asarray(graph.missing, dtype=bool))
        emb = torch.zeros(n, x.shape[1])
        miss = torch.ones(n, dtype=torch.bool)
        m = torch.from_numpy(model_of_graph)
        keep = m >= 0
        emb[m[keep]] = x[keep]
        miss[m[keep]] = gmiss[keep]
        if edges == "identity":
            ei = torch.zeros(2, 0, dtype=torch.long)
            ew = torch.zeros(0)
        else:
            coo = adjacency.tocoo()  # CSR order: by row, then column
            src = m[torch.from_numpy(coo.row.astype(np.int64))]
            dst = m[torch.from_numpy(coo.col.astype(np.int64))]
            gew = torch.from_numpy(coo.data.astype(np.float32))
            ok = (src >= 0) & (dst >= 0) & (src != dst) & (gew > 0)
            ei = torch.stack([src[ok], dst[ok]])
            ew = gew[ok]
        return cls(ei, ew, emb, miss, str(graph.digest()), edges=edges, source=source)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of tensors and strings (for checkpoints)."""
        return {
            "edge_index": self.edge_index.cpu(),
            "edge_weight": self.edge_weight.cpu(),
            "embeddings": self.embeddings.cpu(),
            "missing": self.missing.cpu(),
            "digest": self.digest,
            "edges": self.edges,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GraphInputs:
        return cls(
            edge_index=d["edge_index"].long(),
            edge_weight=d["edge_weight"].float(),
            embeddings=d["embeddings"].float(),
            missing=d["missing"].bool(),
            digest=str(d["digest"]),
            edges=str(d.get("edges", "graph")),
            source=str(d.get("source", "combined")),
        )
