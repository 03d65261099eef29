"""Registry of heads: ``create_head(name, num_features, num_labels, graph=None, **kw)``."""

from __future__ import annotations

from typing import Any

from vision.models._registry import Registry
from vision.models.gcn_head import GCNHead
from vision.models.graph_inputs import GraphInputs
from vision.models.head import Head
from vision.models.linear_head import LinearHead
from vision.models.rerank_head import RerankHead

__all__ = ["create_head", "list_heads", "register_head", "HEADS", "GRAPH_HEADS"]

HEADS: Registry[Head] = Registry("head")
register_head = HEADS.register

#: heads that use the label graph (the others ignore ``graph``)
GRAPH_HEADS = frozenset({"gcn", "rerank"})


def create_head(
    name: str,
    num_features: int,
    num_labels: int,
    graph: GraphInputs | None = None,
    **kw: Any,
) -> Head:
    """Build head ``name`` mapping ``[B, num_features]`` to ``[B, num_labels]``.

    Graph heads need ``graph`` (labels aligned to the model's); ``None`` is an error for them,
    use ``GraphInputs.identity(codes)`` for the self-loop ablation.
    """
    return HEADS.create(name, num_features=num_features, num_labels=num_labels, graph=graph, **kw)


def list_heads() -> list[str]:
    """Names accepted by :func:`create_head`."""
    return HEADS.names()


def _need_graph(name: str, graph: GraphInputs | None) -> GraphInputs:
    if graph is None:
        raise ValueError(f"head {name!r} needs a label graph (GraphInputs); got None")
    return graph


@register_head("linear")
def _linear(
    num_features: int, num_labels: int, graph: GraphInputs | None = None, **kw: Any
) -> Head:
    return LinearHead(num_features, num_labels, **kw)


@register_head("gcn")
def _gcn(num_features: int, num_labels: int, graph: GraphInputs | None = None, **kw: Any) -> Head:
    return GCNHead(num_features, num_labels, _need_graph("gcn", graph), **kw)


@register_head("rerank")
def _rerank(
    num_features: int, num_labels: int, graph: GraphInputs | None = None, **kw: Any
) -> Head:
    return RerankHead(num_features, num_labels, _need_graph("rerank", graph), **kw)
