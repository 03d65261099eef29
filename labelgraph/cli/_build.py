"""``labelgraph build``: corpus + labels (+ annotations) -> a LabelGraph folder."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from corpora.cli_common import add_common_flags, save_resolved_config
from corpora.reader_registry import list_readers

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _weights(text: str) -> dict[str, float]:
    from corpora.errors import InputError

    out: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise InputError(
                f"--weights {text!r}: expected SOURCE=WEIGHT pairs such as "
                "'text=1,annotation=1,embedding=0.5'"
            )
    return out


def _run(args: argparse.Namespace) -> int:
    from labelgraph.build_config import BuildConfig
    from labelgraph.embeddings import Word2VecConfig
    from labelgraph.graph_builder import GraphBuilder

    config = BuildConfig(
        corpus=list(args.corpus),
        labels=args.labels,
        out=args.out,
        trainable=args.trainable,
        annotations=list(args.annotations or []),
        processes=args.processes,
        corpus_format=args.corpus_format,
        index=args.index,
        shard_mb=args.shard_mb,
        readahead=not args.no_readahead,
        context=args.context,
        window=args.window,
        document_max_labels=args.document_max_labels,
        visual_context_weight=args.visual_context_weight,
        text_edges=args.text_edges,
        annotation_edges=args.annotation_edges,
        pair_min_count=args.pair_min_count,
        annotation_min_count=args.annotation_min_count,
        alpha=args.alpha,
        shrinkage=args.shrinkage,
        confidence=args.confidence,
        tau=args.tau,
        p=args.p,
        embeddings=not args.no_embeddings,
        word2vec=Word2VecConfig(
            vector_size=args.vector_size,
            window=args.w2v_window,
            epochs=args.epochs,
            min_count=args.min_count,
            sg=1 if args.sg else 0,
            workers=args.workers or args.processes,
            seed=args.seed,
        ),
        knn=args.knn,
        top_k=args.top_k,
        weights=_weights(args.weights),
        prior_annotation_weight=args.prior_annotation_weight,
        association_weight=args.association_weight,
        negative_weight=args.negative_weight,
        completion=args.completion,
        completion_text_weight=args.completion_text_weight,
        completion_prior_weight=args.completion_prior_weight,
        completion_hypernym_weight=args.completion_hypernym_weight,
        prior_backoff=args.prior_backoff,
        examples_per_pair=args.examples_per_pair,
        example_neighbors=args.example_neighbors,
        plurals=not args.no_plurals,
        progress=not args.quiet,
    )
    builder = GraphBuilder(
        config, resume=args.resume, overwrite=args.overwrite, drop_work=args.drop_work
    )  # refuses a folder holding another build, and bad labels, before writing anything
    builder.prepare()
    save_resolved_config(args, Path(args.out) / "config.yaml")
    graph = builder.run()
    summary = graph.summary()
    print(f"wrote {args.out}: {summary['labels']} labels, edges {summary['edges']}")
    print((Path(args.out) / "report.txt").read_text(encoding="utf-8"))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    from labelgraph.edge_builders import list_edge_builders

    p = subparsers.add_parser(
        "build",
        help="build a label graph from a corpus, a label vocabulary and optional annotations",
        description="Count label co-occurrence in a corpus (one pass, parallel, resumable), train "
        "word2vec on the same pass's sentences, read image-level annotations, and write a "
        "LabelGraph folder (graph, embeddings, counts, manifest, report).",
    )
    g = p.add_argument_group("inputs")
    g.add_argument(
        "--corpus",
        nargs="+",
        required=True,
        metavar="SOURCE",
        help="Wikipedia dump(s), WikiExtractor folder(s) or text files",
    )
    g.add_argument(
        "--labels",
        required=True,
        metavar="CSV",
        help="class-descriptions.csv (label_code,description) or a plain list of names",
    )
    g.add_argument(
        "--trainable",
        default=None,
        metavar="CSV",
        help="keep only the codes in this classes-trainable.csv",
    )
    g.add_argument(
        "--annotations",
        nargs="*",
        default=[],
        metavar="CSV",
        help="image-level label files (human labels, tuning_labels, solution)",
    )
    g.add_argument("--no-plurals", action="store_true", help="do not match plural label forms")
    g.add_argument(
        "--format",
        dest="corpus_format",
        choices=list_readers(),
        default=None,
        help="force the corpus reader (default: detected from each file's content)",
    )
    g.add_argument(
        "--index",
        default=None,
        metavar="INDEX",
        help="multistream -index.txt.bz2 of a single dump: its streams become parallel, "
        "resumable shards",
    )
    g.add_argument(
        "--shard-mb",
        type=float,
        default=1.0,
        help="compressed MB per multistream shard with --index (default: %(default)s)",
    )
    g = p.add_argument_group("output")
    g.add_argument("--out", required=True, metavar="DIR", help="output folder")
    g.add_argument(
        "--resume",
        action="store_true",
        help="continue the build in --out: skip finished stages and shards built with the same "
        "parameters",
    )
    g.add_argument(
        "--overwrite",
        action="store_true",
        help="start again in an --out that holds an earlier build (its files are removed first)",
    )
    g.add_argument(
        "--drop-work",
        action="store_true",
        help="delete --out/work/ (per-shard counts and sentences, most of the folder) once the "
        "graph is saved; a later --resume then redoes the count and merge stages",
    )
    g = p.add_argument_group("co-occurrence")
    g.add_argument(
        "--processes", type=int, default=1, help="corpus worker processes (default: %(default)s)"
    )
    g.add_argument(
        "--no-readahead",
        action="store_true",
        help="do not decompress in a background thread of the reading process (one core per "
        "process; same output)",
    )
    g.add_argument(
        "--context",
        choices=("sentence", "window", "document"),
        default="sentence",
        help="context of the text edges (all three are counted; default: %(default)s)",
    )
    g.add_argument(
        "--window", type=int, default=10, help="window size W in tokens (default: %(default)s)"
    )
    g.add_argument(
        "--document-max-labels",
        type=int,
        default=50,
        help="a document context holds its N most mentioned labels (default: %(default)s; 0 = all)",
    )
    g.add_argument(
        "--visual-context-weight",
        type=float,
        default=0.0,
        metavar="W",
        help="also count a 'visual' context (image captions of XML dumps and scene sentences: "
        "wearing, holding, beside, ...) and add W times its counts to --context for the text "
        "edges (default: %(default)s = off, not counted)",
    )
    builders = ", ".join(list_edge_builders())
    g.add_argument(
        "--text-edges",
        default="ppmi",
        metavar="BUILDER",
        help=f"edge builder for text: {builders}, optionally NAME:KEY=VALUE,... for options not "
        "given below (default: %(default)s)",
    )
    g.add_argument(
        "--annotation-edges",
        default="ppmi",
        metavar="BUILDER",
        help=f"edge builder for annotations: {builders}, or NAME:KEY=VALUE,... (default: %(default)s)",
    )
    g.add_argument(
        "--pair-min-count",
        type=int,
        default=2,
        help="minimum count of a text pair (default: %(default)s)",
    )
    g.add_argument(
        "--annotation-min-count",
        type=int,
        default=1,
        help="minimum count of an annotation pair (default: %(default)s)",
    )
    g.add_argument(
        "--alpha",
        type=float,
        default=0.75,
        help="PPMI context-distribution smoothing (default: %(default)s)",
    )
    g.add_argument(
        "--shrinkage",
        type=float,
        default=1.0,
        help="PPMI shrinkage k in n/(n+k) (default: %(default)s; 0 = none)",
    )
    g.add_argument(
        "--confidence",
        type=float,
        default=0.0,
        help="PPMI uses the lower-bound pair count n - z*sqrt(n) with this z (default: %(default)s)",
    )
    g.add_argument(
        "--tau", type=float, default=0.4, help="ML-GCN threshold tau (default: %(default)s)"
    )
    g.add_argument(
        "--p", type=float, default=0.2, help="ML-GCN re-weighting p (default: %(default)s)"
    )
    g.add_argument(
        "--examples-per-pair",
        type=int,
        default=3,
        help="example sentences kept per pair while counting (default: %(default)s)",
    )
    g.add_argument(
        "--example-neighbors",
        type=int,
        default=10,
        help="save examples for each label's N strongest text and combined pairs (default: %(default)s)",
    )
    g = p.add_argument_group("embeddings (word2vec)")
    g.add_argument("--no-embeddings", action="store_true", help="skip word2vec")
    g.add_argument(
        "--vector-size", type=int, default=100, help="dimensions D (default: %(default)s)"
    )
    g.add_argument("--epochs", type=int, default=5, help="training epochs (default: %(default)s)")
    g.add_argument(
        "--min-count",
        type=int,
        default=5,
        help="ignore words rarer than this (default: %(default)s)",
    )
    g.add_argument(
        "--w2v-window", type=int, default=5, help="word2vec window (default: %(default)s)"
    )
    g.add_argument("--sg", action="store_true", help="skip-gram instead of CBOW")
    g.add_argument(
        "--workers", type=int, default=None, help="word2vec threads (default: --processes)"
    )
    g.add_argument("--seed", type=int, default=0, help="word2vec seed (default: %(default)s)")
    g.add_argument(
        "--knn", type=int, default=10, help="embedding neighbors per label (default: %(default)s)"
    )
    g = p.add_argument_group("graph and scoring")
    g.add_argument(
        "--top-k",
        type=int,
        default=50,
        help="edges kept per label and source (default: %(default)s; 0 = all)",
    )
    g.add_argument(
        "--weights",
        default="text=0.5,annotation=1,embedding=0.5",
        help="source weights of the combined edges (default: %(default)s)",
    )
    g.add_argument(
        "--prior-annotation-weight",
        type=float,
        default=0.8,
        help="share of annotation frequency in the label prior (default: %(default)s)",
    )
    g.add_argument(
        "--association-weight",
        type=float,
        default=1.0,
        help="weight of association against the log prior when scoring (default: %(default)s)",
    )
    g.add_argument(
        "--negative-weight",
        type=float,
        default=1.0,
        help="weight of the negative evidence of never co-annotated pairs in odd-one-out (default: %(default)s)",
    )
    g.add_argument(
        "--completion",
        choices=["conditional", "association"],
        default="conditional",
        help="`labelgraph complete` scoring: directional sum of P(c|s) mixtures, or the "
        "symmetric log prior + PMI sum (ablation) (default: %(default)s)",
    )
    g.add_argument(
        "--completion-text-weight",
        type=float,
        default=0.1,
        help="weight of the text conditional in P(c|s) (default: %(default)s)",
    )
    g.add_argument(
        "--completion-prior-weight",
        type=float,
        default=0.001,
        help="weight of the label frequency prior in P(c|s) (default: %(default)s)",
    )
    g.add_argument(
        "--completion-hypernym-weight",
        type=float,
        default=0.1,
        help="weight of the is-a parents read off the label names ('Sports car' -> 'Car') in "
        "P(c|s); 0 = off (default: %(default)s)",
    )
    g.add_argument(
        "--prior-backoff",
        type=float,
        default=10.0,
        help="pseudo-images of corpus frequency in the prior of P(c|s) (default: %(default)s)",
    )
    add_common_flags(p)
    p.set_defaults(func=_run)
