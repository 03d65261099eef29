"""A :class:`~labelgraph.label_graph.LabelGraph` as a networkx graph or a PyG ``Data``.

Both are also reachable as methods (``g.to_networkx()``, ``g.to_pyg()``). networkx and
torch / torch_geometric are imported on first use only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["to_networkx", "to_pyg"]


def to_networkx(graph: Any, source: str = "combined") -> Any:
    """An undirected ``networkx.Graph`` of ``graph``'s ``source`` edges.

    Nodes are label codes with ``name``, ``corpus_frequency``, ``annotation_frequency`` and
    ``has_embedding``; edges carry ``weight`` (self-loops are left out).
    """
    import networkx as nx

    g = nx.Graph()
    codes, names = graph.vocab.codes, graph.vocab.names
    fc, fa = graph.frequency("corpus"), graph.frequency("annotation")
    missing = graph.missing
    for i, code in enumerate(codes):
        g.add_node(
            code,
            name=names[i],
            corpus_frequency=float(fc[i]),
            annotation_frequency=float(fa[i]),
            has_embedding=bool(not missing[i]),
        )
    coo = sp.triu(graph.adjacency(source), k=1).tocoo()
    g.add_weighted_edges_from(
        (codes[r], codes[c], float(w)) for r, c, w in zip(coo.row, coo.col, coo.data)
    )
    return g


def to_pyg(graph: Any, source: str = "combined", self_loops: bool = False) -> Any:
    """A ``torch_geometric.data.Data`` of ``graph``'s ``source`` edges.

    Fields: ``x [L, D]`` float32 (the label embeddings), ``edge_index [2, E]`` long,
    ``edge_weight [E]`` float32, ``missing [L]`` bool, ``num_nodes`` and ``codes`` (list).
    ``self_loops=True`` sets every diagonal weight to 1.
    """
    import torch
    from torch_geometric.data import Data

    coo = graph.adjacency(source, self_loops=self_loops).tocoo()
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    return Data(
        x=torch.from_numpy(np.array(graph.embeddings, dtype=np.float32, copy=True)),
        edge_index=edge_index,
        edge_weight=torch.from_numpy(coo.data.astype(np.float32)),
        missing=torch.from_numpy(np.array(graph.missing, dtype=bool, copy=True)),
        num_nodes=len(graph),
        codes=graph.vocab.codes,
    )
