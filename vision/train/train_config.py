"""All settings of one training run (what ``vision train`` flags resolve to)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TrainConfig"]


@dataclass
class TrainConfig:
    """Settings of ``vision train``; defaults are the CLI defaults.

    Data: ``data`` (Open Images layout folder), ``images_dir`` (default ``data/train``),
    ``label_policy`` (``vision.data`` policy), ``skip_bad_rows`` (count and skip malformed
    label rows), ``val_fraction`` (held-out share, by seed),
    ``max_images`` (use only this many training images, for quick runs; None = all),
    ``cache_dir`` (preprocessed image cache; None decodes every time), ``workers``.
    Graph: ``graph`` (a LabelGraph folder or ``"identity"``), ``graph_source``,
    ``graph_edges`` (``graph`` or ``identity``: keep embeddings, drop edges),
    ``labels_not_in_graph`` (``isolate`` or ``error``), ``graph_neighbor_weight`` (``p`` of the
    graph heads' propagation ``(1 - p) I + p D^-1 A``; None = the head's default),
    ``graph_lr_scale`` (learning-rate multiplier of a head's ``graph_parameters()``, the shared
    GCN weights; default 0.1).
    Model: ``backbone``, ``stem_stride``, ``head``, ``gcn_hidden``, ``rerank_hidden``,
    ``rerank_layers``, ``dropout``, ``image_size`` (pixels).
    Loss: ``loss``, ``pos_weight`` (bce: None, a float, or ``"auto"`` = per label
    ``clip(sqrt(negatives / positives), 1, 30)`` on the training split).
    Optimisation: ``optimizer`` (adamw|sgd), ``lr``, ``weight_decay`` (not applied to biases and
    norm weights), ``momentum`` (sgd), ``epochs``, ``batch_size`` (per process),
    ``warmup_epochs`` (linear warmup, then cosine to ``lr * min_lr_ratio``), ``clip_grad``
    (max global grad norm; None = off), ``ema`` / ``ema_decay``, ``amp``.
    Run: ``out``, ``seed``, ``device`` (cpu|cuda|auto), ``resume``,
    ``checkpoint_every_steps`` (0 = only per epoch), ``tensorboard``, ``quiet``,
    ``stop_after_steps`` (stop abruptly after this many optimizer steps without saving, as a
    kill would; for testing resume).
    """

    data: str
    out: str
    graph: str = "identity"
    images_dir: str | None = None
    label_policy: str = "seed"
    skip_bad_rows: bool = False
    val_fraction: float = 0.1
    max_images: int | None = None
    cache_dir: str | None = None
    workers: int = 0
    graph_source: str = "combined"
    graph_edges: str = "graph"
    labels_not_in_graph: str = "isolate"
    graph_neighbor_weight: float | None = None
    graph_lr_scale: float = 0.1
    backbone: str = "resnet18"
    stem_stride: int = 2
    head: str = "linear"
    gcn_hidden: list[int] = field(default_factory=lambda: [256])
    rerank_hidden: int = 16
    rerank_layers: int = 1
    dropout: float = 0.0
    image_size: int = 64
    loss: str = "bce"
    pos_weight: float | str | None = None
    optimizer: str = "adamw"
    lr: float = 1e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    epochs: int = 10
    batch_size: int = 64
    warmup_epochs: float = 1.0
    min_lr_ratio: float = 0.01
    clip_grad: float | None = 5.0
    ema: bool = False
    ema_decay: float = 0.999
    amp: bool = False
    seed: int = 0
    device: str = "cpu"
    resume: bool = False
    checkpoint_every_steps: int = 0
    tensorboard: bool = False
    quiet: bool = False
    stop_after_steps: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def model_args(self, num_labels: int) -> dict[str, Any]:
        """The model part, as ``MultiLabelClassifier.from_args`` takes it."""
        head_kwargs: dict[str, Any] = {}
        if self.head == "gcn":
            head_kwargs = {"hidden": [int(h) for h in self.gcn_hidden]}
        elif self.head == "rerank":
            head_kwargs = {
                "hidden": int(self.rerank_hidden),
                "layers": int(self.rerank_layers),
                "dropout": float(self.dropout),
            }
        elif self.head == "linear":
            head_kwargs = {"dropout": float(self.dropout)}
        if self.graph_neighbor_weight is not None and self.head in ("gcn", "rerank"):
            head_kwargs["neighbor_weight"] = float(self.graph_neighbor_weight)
        return {
            "backbone": self.backbone,
            "backbone_kwargs": {"stem_stride": int(self.stem_stride)},
            "head": self.head,
            "head_kwargs": head_kwargs,
            "num_labels": int(num_labels),
        }
