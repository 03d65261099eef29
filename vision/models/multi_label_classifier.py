"""Backbone + head, with the arguments needed to rebuild it."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from vision.models.backbone import Backbone, create_backbone
from vision.models.graph_inputs import GraphInputs
from vision.models.head import Head, create_head

__all__ = ["MultiLabelClassifier"]


class MultiLabelClassifier(nn.Module):
    """``model(x [B, 3, H, W]) -> logits [B, L]`` = ``head(backbone.forward_features(x))``.

    Attributes:
        model_args: the dict :meth:`from_args` needs to rebuild it (set by :meth:`from_args`).
        graph_inputs: the head's graph arrays (``None`` for non-graph heads built directly).
    """

    def __init__(
        self,
        backbone: Backbone,
        head: Head,
        model_args: dict[str, Any] | None = None,
        graph_inputs: GraphInputs | None = None,
    ) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = head
        self.model_args = copy.deepcopy(model_args) if model_args is not None else None
        self.graph_inputs = graph_inputs

    @classmethod
    def from_args(
        cls, model_args: dict[str, Any], graph: GraphInputs | None = None
    ) -> MultiLabelClassifier:
        """Build from ``{"backbone": name, "backbone_kwargs": {...}, "head": name,
        "head_kwargs": {...}, "num_labels": L}``; graph heads need ``graph`` (other heads
        ignore it, see :func:`~vision.models.head.create_head`)."""
        backbone = create_backbone(model_args["backbone"], **model_args.get("backbone_kwargs", {}))
        head = create_head(
            model_args["head"],
            backbone.num_features,
            int(model_args["num_labels"]),
            graph,
            **model_args.get("head_kwargs", {}),
        )
        return cls(backbone, head, model_args=model_args, graph_inputs=graph)

    @property
    def num_features(self) -> int:
        return self.backbone.num_features

    @property
    def num_labels(self) -> int:
        return self.head.num_labels

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, 3, H, W]`` -> ``[B, F]``."""
        return self.backbone.forward_features(x)

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, F]`` -> ``[B, L]``."""
        return self.head(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def reset_classifier(self, num_classes: int | None = None) -> None:
        """Re-initialise the head's last layer (see ``Head.reset_classifier``)."""
        self.head.reset_classifier(num_classes)
        if num_classes is not None and self.model_args is not None:
            self.model_args["num_labels"] = int(num_classes)
