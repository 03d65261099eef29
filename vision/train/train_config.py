"""All settings of one training run (what ``vision train`` flags resolve to)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from corpora.catalogue import MISSING, Catalogue
from corpora.errors import InputError
from vision.data import (
    CHECK_IMAGES,
    DEFAULT_LABEL_POLICY,
    DEFAULT_MAX_IMAGE_PIXELS,
    DEFAULT_SHARD_SIZE,
    LABEL_POLICIES,
    TRANSFORMS,
)
from vision.losses import LOSSES
from vision.models import BACKBONES, HEADS
from vision.train.implied_targets import ImpliedTargets
from vision.train.mixed_precision import parse_amp
from vision.train.optimizer import OPTIMIZERS

__all__ = ["TrainConfig", "SHARED_OPTIONS"]

#: component kind -> catalogue, for the components whose options TrainConfig carries
_COMPONENTS: dict[str, Catalogue[Any]] = {"backbone": BACKBONES, "head": HEADS, "loss": LOSSES}

#: settings shared by several components: kind -> option name -> the TrainConfig field that
#: sets it for whichever chosen component has an option of that name (None = not set)
SHARED_OPTIONS: dict[str, dict[str, str]] = {
    "backbone": {"stem_stride": "stem_stride"},
    "head": {"dropout": "dropout", "neighbor_weight": "graph_neighbor_weight"},
    "loss": {"pos_weight": "pos_weight"},
}


@dataclass
class TrainConfig:
    """Settings of ``vision train``; defaults are the CLI defaults.

    Data: ``data`` (Open Images layout folder), ``images_dir`` (default ``data/train``),
    ``label_policy`` (a ``vision.data`` policy, optionally with options: ``"seed:num_std=2"``
    or ``{name: seed, options: {...}}``), ``skip_bad_rows`` (count and skip malformed label
    rows), ``val_fraction`` (held-out share, by seed), ``max_images`` (use only this many
    training images, for quick runs; None = all), ``cache_dir`` (preprocessed image cache;
    None decodes every time), ``workers`` (data loader processes; they also build the cache
    and run the decode check, at least 1), ``augment`` (the training transform preset of
    ``vision.data.build_transform``: ``train`` (default) or ``style``; options allowed as for
    ``label_policy``).
    Images: ``check_images`` (``decode`` (default): every image decoded once before training
    so that bad files are skipped up front; ``header``; ``none``; with ``cache_dir`` the cache
    build does it), ``max_bad_fraction`` (more missing or undecodable images than this share
    stops the run; default 0.05), ``max_image_pixels`` (larger images are refused as
    undecodable; default Pillow's 89,478,485; 0 = no limit), ``cache_shard_size`` (images
    per cache shard file, default 4096).
    Graph: ``graph`` (a LabelGraph folder or ``"identity"``), ``graph_source``,
    ``graph_edges`` (``graph`` or ``identity``: keep embeddings, drop edges),
    ``labels_not_in_graph`` (``isolate`` or ``error``), ``graph_neighbor_weight`` (``p`` of the
    graph heads' propagation ``(1 - p) I + p D^-1 A``; None = the head's default),
    ``graph_lr_scale`` (learning-rate multiplier of a head's ``graph_parameters()``, the shared
    GCN weights; default 0.1).
    Graph-aware targets (:mod:`vision.train.implied_targets`): ``implied_targets`` (``none``,
    the default: the targets as read; ``graph``: each training image also gets the soft target
    ``min(1, implied_weight * max_{s in S} P(c | s))`` for the labels ``c`` its positives ``S``
    imply with ``P(c | s) >= implied_min_prob``, verified negatives excepted; needs a
    ``graph`` folder), ``implied_weight`` (beta, default 0.5), ``implied_min_prob`` (default
    0.5), ``implied_max_per_label`` (implied labels kept per source label, default 10; 0 = all),
    ``implied_source`` (``completion`` or an edge source of the graph, default ``annotation``).
    Validation targets are never changed.
    Model: ``backbone`` + ``backbone_options``, ``stem_stride``, ``head`` + ``head_options``,
    ``dropout``, ``image_size`` (pixels).
    Loss: ``loss`` + ``loss_options``, ``pos_weight`` (losses with that option, i.e. bce:
    None, a float, or ``"auto"`` = per label ``clip(sqrt(negatives / positives), 1, 30)`` on
    the training split).
    Optimisation: ``optimizer`` (adamw|sgd), ``lr``, ``weight_decay`` (not applied to biases and
    norm weights), ``momentum`` (sgd), ``epochs``, ``batch_size`` (per process),
    ``warmup_epochs`` (linear warmup, then cosine to ``lr * min_lr_ratio``), ``clip_grad``
    (max global grad norm; None = off), ``ema`` / ``ema_decay``, ``amp`` (mixed precision:
    ``off`` (default, also False), ``auto`` (also True: bf16 where the device has it, else
    fp16), ``bf16``, ``fp16`` (with gradient scaling); see ``vision.train.mixed_precision``),
    ``channels_last`` (weights and batches in NHWC memory order: faster convolutions on
    GPUs with tensor cores and on recent CPUs; the same numbers).
    Run: ``out``, ``seed``, ``device`` (cpu|cuda|cuda:N|mps|auto), ``resume``,
    ``extend_schedule`` (with ``resume`` and more ``epochs`` than the run had: restart the
    cosine from the peak lr over the added epochs instead of recomputing it over all epochs),
    ``checkpoint_every_steps`` (0 = only per epoch), ``tensorboard``, ``quiet``,
    ``stop_after_steps`` (stop abruptly after this many optimizer steps without saving, as a
    kill would; for testing resume).

    Components and their options: ``backbone``, ``head`` and ``loss`` name an entry of their
    catalogue (``BACKBONES``, ``HEADS``, ``LOSSES``); a specification with options
    (``"rerank:hidden=32"`` or ``{name: rerank, options: {hidden: 32}}``) is split on
    construction into the name and ``*_options``, and options given in ``*_options`` win over
    those of the specification. Options are checked against the entry's. The shared settings
    of :data:`SHARED_OPTIONS` (``stem_stride``, ``dropout``, ``graph_neighbor_weight``,
    ``pos_weight``) reach whichever chosen component has an option of that name, unless the
    component's own options set it.
    """

    data: str
    out: str
    graph: str = "identity"
    images_dir: str | None = None
    label_policy: str | dict[str, Any] = DEFAULT_LABEL_POLICY
    skip_bad_rows: bool = False
    val_fraction: float = 0.1
    max_images: int | None = None
    cache_dir: str | None = None
    workers: int = 0
    check_images: str = "decode"
    max_bad_fraction: float = 0.05
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    cache_shard_size: int = DEFAULT_SHARD_SIZE
    augment: str | dict[str, Any] = "style-stroke"
    graph_source: str = "combined"
    graph_edges: str = "graph"
    labels_not_in_graph: str = "isolate"
    graph_neighbor_weight: float | None = None
    graph_lr_scale: float = 0.1
    implied_targets: str = "none"
    implied_weight: float = 0.5
    implied_min_prob: float = 0.5
    implied_max_per_label: int = 10
    implied_source: str = "annotation"
    backbone: str = "compact_cnn"
    backbone_options: dict[str, Any] = field(default_factory=dict)
    stem_stride: int = 2
    head: str = "linear"
    head_options: dict[str, Any] = field(default_factory=dict)
    dropout: float = 0.0
    image_size: int = 32
    loss: str = "bce"
    loss_options: dict[str, Any] = field(default_factory=dict)
    pos_weight: float | str | None = None
    optimizer: str = "adamw"
    lr: float = 2e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    epochs: int = 40
    batch_size: int = 64
    warmup_epochs: float = 1.0
    min_lr_ratio: float = 0.01
    clip_grad: float | None = 5.0
    ema: bool = False
    ema_decay: float = 0.999
    amp: bool | str = False
    channels_last: bool = False
    seed: int = 0
    device: str = "cpu"
    resume: bool = False
    extend_schedule: bool = False
    checkpoint_every_steps: int = 0
    tensorboard: bool = False
    quiet: bool = False
    stop_after_steps: int | None = None

    def __post_init__(self) -> None:
        for kind, catalogue in _COMPONENTS.items():
            name, spec_options = catalogue.parse(getattr(self, kind))
            own = catalogue.get(name).check_options(dict(getattr(self, f"{kind}_options") or {}))
            setattr(self, kind, name)
            setattr(self, f"{kind}_options", {**spec_options, **own})
        LABEL_POLICIES.parse(self.label_policy)  # unknown names and options fail here
        TRANSFORMS.parse(self.augment)
        if self.check_images not in CHECK_IMAGES:
            raise InputError(
                f"check_images must be one of {', '.join(CHECK_IMAGES)}, not {self.check_images!r}"
            )
        OPTIMIZERS.get(self.optimizer)
        parse_amp(self.amp)  # an unknown --amp fails here
        self.implied().check_graph(self.graph)

    def implied(self) -> ImpliedTargets:
        """The ``implied_*`` settings (:class:`~vision.train.implied_targets.ImpliedTargets`)."""
        return ImpliedTargets(
            self.implied_targets,
            self.implied_weight,
            self.implied_min_prob,
            self.implied_max_per_label,
            self.implied_source,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def component_kwargs(self, kind: str) -> dict[str, Any]:
        """The keyword arguments of the chosen ``kind`` (``backbone``, ``head``, ``loss``):

        1. the entry's ``pinned`` options at their defaults (options every checkpoint states);
        2. the shared settings of :data:`SHARED_OPTIONS` that are not None, for the options
           the entry has;
        3. ``{kind}_options``, which win.

        ``pos_weight="auto"`` passes through as is (the trainer resolves it).

        Raises:
            InputError: a required option of the entry is not given.
        """
        catalogue = _COMPONENTS[kind]
        entry = catalogue.get(getattr(self, kind))
        known = {o.name for o in entry.options}
        out: dict[str, Any] = {k: entry.option(k).default for k in entry.attrs.get("pinned", ())}
        for option, setting in SHARED_OPTIONS[kind].items():
            value = getattr(self, setting)
            if value is not None and option in known:
                out[option] = value
        out.update(getattr(self, f"{kind}_options"))
        missing = [o.name for o in entry.options if o.default is MISSING and o.name not in out]
        if missing:
            raise InputError(
                f"{entry.kind} {entry.name!r} needs option(s) {', '.join(missing)}: give them "
                f"as `{kind}: {{name: {entry.name}, options: {{...}}}}` in the config or as "
                f"`--{kind} {entry.name}:{missing[0]}=...`"
            )
        return entry.check_options(out)

    def model_args(self, num_labels: int) -> dict[str, Any]:
        """The model part, as ``MultiLabelClassifier.from_args`` takes it (and checkpoints
        store it): ``{"backbone", "backbone_kwargs", "head", "head_kwargs", "num_labels"}``."""
        return {
            "backbone": self.backbone,
            "backbone_kwargs": self.component_kwargs("backbone"),
            "head": self.head,
            "head_kwargs": self.component_kwargs("head"),
            "num_labels": int(num_labels),
        }
