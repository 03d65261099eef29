"""Every parameter of a ``labelgraph build`` (:class:`BuildConfig`), and how the edge builders
of a build get their options from them (:func:`edge_builder_spec`).

The parameters are saved in the graph's ``manifest.json`` (``parameters``), so
:func:`edge_builder_spec` rebuilds the same edge builders from a built graph (the evaluation's
un-sparsified text edges, per-fold annotation edges).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from labelgraph.edge_builders import EDGE_BUILDERS
from labelgraph.embeddings import Word2VecConfig

__all__ = ["BuildConfig", "edge_builder_spec", "EDGE_SOURCES"]

#: the edge sources built from co-occurrence counts, with their ``min_count`` field
EDGE_SOURCES: dict[str, str] = {"text": "pair_min_count", "annotation": "annotation_min_count"}

#: BuildConfig fields that are edge builder options of the same name
_EDGE_OPTION_FIELDS = ("alpha", "shrinkage", "confidence", "tau", "p")


@dataclass
class BuildConfig:
    """Every parameter of a build (saved in the manifest).

    Attributes:
        corpus: corpus paths (files, folders, globs) for :func:`corpora.open_corpus`.
        labels: ``class-descriptions.csv``; trainable: optional ``classes-trainable.csv``.
        annotations: image-level label files (human labels, tuning, solution).
        processes: corpus worker processes [1].
        context: context of the ``text`` edges: ``sentence`` | ``window`` | ``document``
            [sentence] (all three are counted).
        window: ``W`` tokens for window co-occurrence [10].
        document_max_labels: labels per document context (its most mentioned) [50; 0 = all].
        visual_context_weight: ``W``, weight of the ``visual`` context (image captions and
            scene sentences, :mod:`labelgraph.visual_context`) mixed into the text context
            of the text edges: counts ``n(context) + W n(visual)`` [0 = off: not counted,
            the graph is the same as without the option].
        text_edges / annotation_edges: edge builder of each source, a name or
            ``name:key=value,...`` (see :mod:`labelgraph.edge_builders`; options not given
            come from the fields below, see :func:`edge_builder_spec`) [ppmi / ppmi].
        pair_min_count: minimum co-occurrence count of a text or annotation pair [2 / 1].
        alpha: context-distribution smoothing of PPMI [0.75]; shrinkage: ``n / (n + k)`` [1.0];
            confidence: ``z`` of the lower-bound pair count ``n - z sqrt(n)`` [0].
        tau, p: ML-GCN threshold and re-weighting (``annotation_edges="mlgcn"``) [0.4, 0.2].
        embeddings: train word2vec [True]; word2vec: its options.
        knn: embedding neighbors per label [10]; top_k: edges kept per label per source [50].
        weights: source -> weight in the combined edges [text 0.5, annotation 1,
            embedding 0.5] (k-fold completion on the tuning labels: text weight 1 let rare
            text pairs crowd out image evidence).
        prior_annotation_weight: share of annotation frequency in the label prior [0.8].
        association_weight: association against log prior in scoring [1.0];
            negative_weight: never co-annotated pairs' penalty in odd-one-out [1.0].
        completion: ``complete`` scoring, ``conditional`` (directional ``sum_s P(c|s)``) or
            ``association`` (log prior + PMI sum) [conditional]; completion_text_weight,
            completion_prior_weight: weights of the text conditional and of the prior in
            ``P(c|s)`` [0.1, 0.001]; completion_hypernym_weight: weight ``u`` of the is-a
            parents read off the label names (:mod:`labelgraph.name_heads`) [0.1; 0 = off];
            prior_backoff: corpus pseudo-images in its prior [10]
            (:mod:`labelgraph.conditional_completion`).
        examples_per_pair: sentences kept per pair while counting [3]; example_neighbors:
            pairs with examples saved = each label's top-n text and combined neighbors [10].
        plurals: match plural label forms [True]; progress: tqdm bars [True].
        corpus_format: force the corpus reader (``mediawiki`` | ``wikiextractor`` | ``text``)
            [None: detected from each file]; index: multistream ``-index.txt.bz2`` of a single
            dump, which splits it into shards of about ``shard_mb`` compressed MB [None, 1.0];
            readahead: decompress in a thread of the reading process [True] (same output).
    """

    corpus: list[str]
    labels: str
    out: str
    trainable: str | None = None
    annotations: list[str] = field(default_factory=list)
    processes: int = 1
    context: str = "sentence"
    window: int = 10
    document_max_labels: int = 50
    visual_context_weight: float = 0.0
    text_edges: str = "ppmi"
    annotation_edges: str = "ppmi"
    pair_min_count: int = 2
    annotation_min_count: int = 1
    alpha: float = 0.75
    shrinkage: float = 1.0
    confidence: float = 0.0
    tau: float = 0.4
    p: float = 0.2
    embeddings: bool = True
    word2vec: Word2VecConfig = field(default_factory=Word2VecConfig)
    knn: int = 10
    top_k: int = 50
    weights: dict[str, float] = field(
        default_factory=lambda: {"text": 0.5, "annotation": 1.0, "embedding": 0.5}
    )
    prior_annotation_weight: float = 0.8
    association_weight: float = 1.0
    negative_weight: float = 1.0
    completion: str = "conditional"
    completion_text_weight: float = 0.1
    completion_prior_weight: float = 0.001
    completion_hypernym_weight: float = 0.1
    prior_backoff: float = 10.0
    examples_per_pair: int = 3
    example_neighbors: int = 10
    plurals: bool = True
    corpus_format: str | None = None
    index: str | None = None
    shard_mb: float = 1.0
    readahead: bool = True
    progress: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def edge_builder_spec(parameters: Mapping[str, Any], source: str) -> tuple[str, dict[str, Any]]:
    """``(builder name, options)`` of the ``"text"`` or ``"annotation"`` edges of a build.

    ``parameters`` is a :class:`BuildConfig` as a mapping (``config.to_dict()`` or a built
    graph's ``manifest["parameters"]``; missing keys take the :class:`BuildConfig` defaults).
    The builder is ``parameters["<source>_edges"]``, a name or ``name:key=value,...``. Each
    option the builder declares takes, unless given in that specification, the build field of
    the same name (``alpha``, ``shrinkage``, ``confidence``, ``tau``, ``p``; ``min_count`` is
    ``pair_min_count`` for text and ``annotation_min_count`` for annotations); other options
    keep the builder's defaults.

    Raises:
        InputError: unknown builder name or option.
    """
    if source not in EDGE_SOURCES:
        raise ValueError(f"source must be one of {list(EDGE_SOURCES)}, not {source!r}")
    defaults = _defaults()
    key = f"{source}_edges"
    name, options = EDGE_BUILDERS.parse(parameters.get(key) or defaults[key])
    fields = {"min_count": EDGE_SOURCES[source], **{f: f for f in _EDGE_OPTION_FIELDS}}
    derived: dict[str, Any] = {}
    for option in EDGE_BUILDERS.options(name):
        field_name = fields.get(option.name)
        if field_name is None or option.name in options:
            continue
        value = parameters.get(field_name, defaults[field_name])
        if value is not None:
            derived[option.name] = value
    return name, {**derived, **options}


def _defaults() -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(BuildConfig):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
    return out
