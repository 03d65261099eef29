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


def to_pyg(
    graph: Any, source: str = "combined", self_loops: bool = False, edge_attr: bool = False
) -> Any:
    """A ``torch_geometric.data.Data`` of ``graph``'s ``source`` edges.

    Fields: ``x [L, D]`` float32 (the label embeddings), ``edge_index [2, E]`` long,
    ``edge_weight [E]`` float32, ``missing [L]`` bool, ``num_nodes`` and ``codes`` (list).
    ``self_loops=True`` sets every diagonal weight to 1. Edges are in row-major order.

    With ``edge_attr=True`` the edges are the union of every source's edges, and two fields
    are added: ``edge_attr [E, S]`` float32, column ``s`` the weight of ``graph.sources[s]``
    (0 where that source has no edge; with ``self_loops`` every source's diagonal is 1), and
    ``edge_attr_names`` (``graph.sources``, S names); ``edge_weight`` is then the ``source``
    column (0 on the edges of other sources only). Without it (the default) the output is the
    ``source`` edges alone, as above.
    """
    import torch
    from torch_geometric.data import Data

    fields: dict[str, Any] = {}
    if edge_attr:
        graph.adjacency(source)  # an unknown source is an InputError, as without edge_attr
        rows, cols, attr = _union_edges(graph, self_loops)
        weight = attr[:, list(graph.sources).index(source)]
        fields["edge_attr"] = torch.from_numpy(attr)
        fields["edge_attr_names"] = list(graph.sources)
    else:
        coo = graph.adjacency(source, self_loops=self_loops).tocoo()
        rows, cols, weight = coo.row, coo.col, coo.data.astype(np.float32)
    edge_index = torch.from_numpy(np.vstack([rows, cols]).astype(np.int64))
    return Data(
        x=torch.from_numpy(np.array(graph.embeddings, dtype=np.float32, copy=True)),
        edge_index=edge_index,
        edge_weight=torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float32)),
        missing=torch.from_numpy(np.array(graph.missing, dtype=bool, copy=True)),
        num_nodes=len(graph),
        codes=graph.vocab.codes,
        **fields,
    )


def _union_edges(graph: Any, self_loops: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows [E], cols [E], weights [E, S])`` of the union of the sources' edges, row-major;
    memory ``O(E S)``, never ``[L, L]``."""
    n = len(graph)
    sources = list(graph.sources)
    per_source = []
    for s in sources:
        coo = graph.adjacency(s, self_loops=self_loops).tocoo()
        keys = coo.row.astype(np.int64) * n + coo.col.astype(np.int64)
        per_source.append((keys, coo.data.astype(np.float32)))
    union = (
        np.unique(np.concatenate([k for k, _ in per_source]))
        if per_source
        else np.zeros(0, dtype=np.int64)
    )
    attr = np.zeros((len(union), len(sources)), dtype=np.float32)
    for j, (keys, data) in enumerate(per_source):
        attr[np.searchsorted(union, keys), j] = data
    return union // n, union % n, attr
