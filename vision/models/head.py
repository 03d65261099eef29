"""The head contract and catalogue: pooled image features ``[B, F]`` -> label logits ``[B, L]``.

Heads register themselves in :data:`HEADS` where they are defined (``linear_head.py``,
``gcn_head.py``, ``rerank_head.py``); the package's ``__init__`` imports them, so a new head is
one new file::

    @HEADS.register("mine", tags={"graph"})
    class MyHead(Head):
        def __init__(self, num_features, num_labels, graph, *, width: int = 8): ...

An entry's **inputs** are the positional parameters ``num_features, num_labels`` and, for
heads tagged ``"graph"`` (:func:`is_graph_head`), ``graph`` (:class:`GraphInputs`); its
**options** are the keyword parameters with a default (``width``), which ``vision train``
turns into flags (``--mine-width``) and accepts from a YAML config
(``head: {name: mine, options: {width: 16}}``). The entry attribute ``pinned`` (a tuple of
option names) lists options that every checkpoint's ``head_kwargs`` states even at their
default (see :meth:`vision.train.TrainConfig.model_args`).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from corpora.catalogue import Catalogue
from vision.models.graph_inputs import GraphInputs

__all__ = ["Head", "HEADS", "create_head", "list_heads", "is_graph_head"]


class Head(nn.Module):
    """Base class of every head.

    Attributes:
        num_features: F, the input width.
        num_labels: L, the number of outputs.
    """

    num_features: int
    num_labels: int

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, F]`` -> logits ``[B, L]``."""
        raise NotImplementedError

    def last_layer(self) -> nn.Module:
        """The module(s) that produce the final logits: what ``last-layer`` adaptation trains."""
        raise NotImplementedError

    def reset_classifier(self, num_classes: int | None = None) -> None:
        """Re-initialise :meth:`last_layer` (optionally for a new number of labels)."""
        raise NotImplementedError


#: every head, by name; tag ``"graph"`` marks the heads that take a label graph
HEADS: Catalogue[Head] = Catalogue("head")


def is_graph_head(name: str) -> bool:
    """Whether head ``name`` uses the label graph (its entry carries the tag ``"graph"``)."""
    return HEADS.has_tag(name, "graph")


def create_head(
    name: str,
    num_features: int,
    num_labels: int,
    graph: GraphInputs | None = None,
    **options: Any,
) -> Head:
    """Build head ``name`` mapping ``[B, num_features]`` to ``[B, num_labels]``.

    Graph heads (:func:`is_graph_head`) need ``graph`` (labels aligned to the model's);
    ``None`` is an error for them, use ``GraphInputs.identity(codes)`` for the self-loop
    ablation. Other heads ignore ``graph``. ``options`` are checked against the entry
    (``HEADS.options(name)``).
    """
    if not is_graph_head(name):
        return HEADS.create(name, num_features, num_labels, **options)
    if graph is None:
        raise ValueError(f"head {name!r} needs a label graph (GraphInputs); got None")
    return HEADS.create(name, num_features, num_labels, graph, **options)


def list_heads() -> list[str]:
    """Names accepted by :func:`create_head`."""
    return HEADS.names()
