"""``build_graph_inputs``: the label graph of a training configuration, aligned to its labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vision.models.graph_inputs import GraphInputs

__all__ = ["build_graph_inputs"]


def build_graph_inputs(cfg: Any, codes: Sequence[str], graph: Any = None) -> GraphInputs:
    """The :class:`GraphInputs` a run trains with, in the order of the model's labels ``codes``.

    ``cfg`` is a :class:`~vision.train.TrainConfig` (or the ``vision train`` argument namespace):
    ``cfg.graph`` is a LabelGraph folder or ``"identity"`` (self-loops only, no embeddings:
    :meth:`GraphInputs.identity`); ``cfg.graph_source`` the adjacency source,
    ``cfg.graph_edges`` ``"graph"`` or ``"identity"`` (keep the embeddings, drop the edges) and
    ``cfg.labels_not_in_graph`` ``"isolate"`` or ``"error"``
    (see :meth:`GraphInputs.from_label_graph`). ``graph``: the LabelGraph of ``cfg.graph``
    when the caller has loaded it already (None: loaded here).
    """
    if cfg.graph == "identity":
        return GraphInputs.identity(list(codes))
    if graph is None:
        from labelgraph import LabelGraph

        graph = LabelGraph.load(cfg.graph)
    return GraphInputs.from_label_graph(
        graph,
        list(codes),
        source=cfg.graph_source,
        edges=cfg.graph_edges,
        on_missing=cfg.labels_not_in_graph,
    )
