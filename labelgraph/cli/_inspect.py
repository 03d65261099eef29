"""``labelgraph info | explain | export | draw | evaluate``: look at a built graph and measure it."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

import numpy as np

from corpora.atomic import atomic_write
from corpora.cli_common import add_common_flags
from corpora.errors import InputError

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _load(path: str):
    from labelgraph.label_graph import LabelGraph

    return LabelGraph.load(path)


# ---------------------------------------------------------------------------------- info
def _fmt_value(value: Any, limit: int = 8) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_fmt_value(v) for v in value[:limit])
        return (
            f"[{shown}{', ...' if len(value) > limit else ''}] ({len(value)} items)"
            if len(value) > limit
            else f"[{shown}]"
        )
    return str(value)


def _print_tree(data: Any, indent: int = 2, depth: int = 0, max_depth: int = 4) -> None:
    pad = " " * (indent * depth)
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and value and depth < max_depth:
                print(f"{pad}{key}:")
                _print_tree(value, indent, depth + 1, max_depth)
            elif (
                isinstance(value, list)
                and value
                and isinstance(value[0], dict)
                and depth < max_depth
            ):
                print(f"{pad}{key}: ({len(value)} items)")
                for item in value[:10]:
                    print(f"{pad}  -")
                    _print_tree(item, indent, depth + 2, max_depth)
                if len(value) > 10:
                    print(f"{pad}  ... {len(value) - 10} more")
            else:
                print(f"{pad}{key}: {_fmt_value(value)}")
    else:
        print(f"{pad}{_fmt_value(data)}")


def degree_summary(adj) -> dict[str, float]:
    """Degree statistics of a symmetric ``[L, L]`` adjacency (self-loops ignored)."""
    m = adj.tocsr().copy()
    m.setdiag(0)
    m.eliminate_zeros()
    deg = np.diff(m.indptr)
    if len(deg) == 0:
        return {"min": 0, "median": 0, "mean": 0.0, "p90": 0, "max": 0, "isolated": 0}
    return {
        "min": int(deg.min()),
        "median": float(np.median(deg)),
        "mean": float(deg.mean()),
        "p90": float(np.percentile(deg, 90)),
        "max": int(deg.max()),
        "isolated": int((deg == 0).sum()),
    }


def cmd_info(args: argparse.Namespace) -> int:
    """The summary (labels, embeddings, edges and degrees per source, frequencies, unseen
    labels, text-edge context, completion weights) first, then the manifest."""
    g = _load(args.graph)
    manifest = dict(g.manifest)
    manifest.pop("graph", None)
    print(f"graph: {args.graph}")
    print(f"labels: {len(g.labels):,}  sources: {', '.join(g.sources)}  digest: {g.digest()}")
    emb_dim = g.embeddings.shape[1]
    print(
        f"embeddings: dim {emb_dim}, {int((~g.missing).sum()):,} labels with a vector, "
        f"{int(g.missing.sum()):,} missing"
    )
    print(
        "\nper source: nodes with an edge, undirected edges (self-loops excluded), degree distribution:"
    )
    header = f"  {'source':<12}{'nodes':>8}{'edges':>10}{'min':>6}{'median':>8}{'mean':>8}{'p90':>8}{'max':>7}{'isolated':>10}"
    print(header)
    for source in g.sources:
        adj = g.adjacency(source)
        d = degree_summary(adj)
        diag = int(np.count_nonzero(adj.diagonal()))
        edges = (adj.nnz - diag) // 2
        print(
            f"  {source:<12}{len(g.labels) - d['isolated']:>8,}{edges:>10,}{d['min']:>6}{d['median']:>8.1f}{d['mean']:>8.2f}"
            f"{d['p90']:>8.1f}{d['max']:>7}{d['isolated']:>10,}"
        )
    print("\nlabel frequencies:")
    for kind in ("corpus", "annotation"):
        f = g.frequency(kind)
        seen = int((f > 0).sum())
        print(f"  {kind:<11} seen {seen:,} / {len(f):,} labels, total {f.sum():,.0f}")
    corpus = g.frequency("corpus")
    never = np.flatnonzero(corpus == 0)
    if corpus.sum() > 0:
        names = [g.name(int(i)) for i in never[: args.show]]
        more = f", ... {len(never) - len(names):,} more" if len(never) > len(names) else ""
        print(
            f"\nlabels never seen in the corpus: {len(never):,}"
            + (f" ({', '.join(names)}{more})" if names else "")
        )
    text_line = _text_edges_line(manifest)
    if text_line:
        print(f"\n{text_line}")
    print(("" if text_line else "\n") + _completion_line(g))
    print("\nmanifest (what was built, from what, with which parameters):")
    _print_tree(manifest, depth=1)
    return 0


def _text_edges_line(manifest: dict[str, Any]) -> str:
    """``text edges: ppmi in the sentence+1*visual context (visual: 1,015 captions, 1,353
    scene sentences)``: how a build's text edges were counted; '' for graphs without build
    parameters (``LabelGraph.from_edges``)."""
    from labelgraph.visual_context import text_edge_context

    params = manifest.get("parameters")
    if not isinstance(params, dict) or "text_edges" not in params:
        return ""
    line = f"text edges: {params['text_edges']} in the {text_edge_context(params)} context"
    counts = manifest.get("counts") or {}
    if "captions" in counts or "scene_sentences" in counts:
        line += (
            f" (visual: {counts.get('captions', 0):,} captions, "
            f"{counts.get('scene_sentences', 0):,} scene sentences)"
        )
    return line


def _completion_line(g: Any) -> str:
    """``completion: conditional, P(c|s) weights: text 0.1, prior 0.001, is-a parents 0.1
    (6,811 name-head is-a edges)``: what ``complete`` scores with (the graph's ``scoring``,
    which is what a graph saved before a weight existed loads with, not its build flags)."""
    sc = g.scoring
    if sc["completion"] != "conditional":
        return f"completion: {sc['completion']} (log prior + PMI sum)"
    u = float(sc["completion_hypernym_weight"])
    n = int(g.hypernyms().nnz)
    edges = f"{n:,} name-head is-a edge{'' if n == 1 else 's'}"
    return (
        f"completion: conditional, P(c|s) weights: text {float(sc['completion_text_weight']):g}, "
        f"prior {float(sc['completion_prior_weight']):g}, is-a parents {u:g} "
        + (f"({edges})" if u > 0 else f"(off; {edges})")
    )


# ---------------------------------------------------------------------------------- explain
def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        if np.isnan(x):
            return "nan"
        if np.isinf(x):
            return "-inf" if x < 0 else "inf"
        return f"{x:.4f}"
    return str(x)


#: how each text context is counted, for the header of ``explain``'s text table
_CONTEXT_UNITS = {
    "sentence": "sentence",
    "window": "token window",
    "document": "document",
    "visual": "image caption or scene sentence",
}


def format_evidence(ev: dict[str, Any]) -> str:
    """Human-readable text of :meth:`LabelGraph.evidence`."""
    a, b = ev["a"], ev["b"]
    lines = [f"{a['name']} ({a['code']})  +  {b['name']} ({b['code']})", ""]
    lines.append("edge weights and rank of B among A's neighbours:")
    for source, w in ev.get("weights", {}).items():
        rank = ev.get("rank", {}).get(source)
        lines.append(
            f"  {source:<12} weight {_fmt(w):>10}   rank {rank if rank is not None else 'not a neighbour'}"
        )
    lines.append(f"embedding cosine: {_fmt(ev.get('cosine'))}")
    freq = ev.get("frequency") or {}
    if freq:
        lines.append(
            "frequency: "
            + "; ".join(f"{k} A {v['a']:,.0f}, B {v['b']:,.0f}" for k, v in freq.items())
        )
    text_unit = "counted per " + ", ".join(
        _CONTEXT_UNITS.get(ctx, ctx) for ctx in (ev.get("text") or _CONTEXT_UNITS)
    )
    for part, unit in (("text", text_unit), ("annotation", "images")):
        stats = ev.get(part)
        lines.append("")
        if not stats:
            lines.append(f"{part} co-occurrence: not recorded in this graph")
            continue
        lines.append(f"{part} co-occurrence ({unit}):")
        lines.append(
            f"  {'context':<10}{'A':>10}{'B':>10}{'A+B':>8}{'total':>12}{'PMI':>9}{'PPMI':>9}{'NPMI':>9}{'P(B|A)':>9}"
        )
        for ctx, s in stats.items():
            lines.append(
                f"  {ctx:<10}{s.get('count_a', 0):>10,.0f}{s.get('count_b', 0):>10,.0f}"
                f"{s.get('count_ab', 0):>8,.0f}{s.get('total', 0):>12,.0f}{_fmt(s.get('pmi')):>9}"
                f"{_fmt(s.get('ppmi')):>9}{_fmt(s.get('npmi')):>9}{_fmt(s.get('p_b_given_a')):>9}"
            )
    examples = ev.get("examples") or []
    lines.append("")
    lines.append(
        f"example sentences with both ({len(examples)}):"
        if examples
        else "example sentences with both: none kept"
    )
    for ex in examples:
        if isinstance(ex, dict):
            where = ex.get("title") or ex.get("doc_id") or ""
            text = ex.get("text") or ex.get("sentence") or json.dumps(ex, ensure_ascii=False)
            lines.append(f"  - {text}" + (f"  [{where}]" if where else ""))
        else:
            lines.append(f"  - {ex}")
    return "\n".join(lines)


def cmd_explain(args: argparse.Namespace) -> int:
    g = _load(args.graph)
    ev = g.evidence(args.a, args.b, max_examples=args.examples)
    if args.json:
        print(json.dumps(ev, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_evidence(ev))
    return 0


# ---------------------------------------------------------------------------------- export/draw
def _view(g, args: argparse.Namespace, around: str | None, examples: int = 0):
    from labelgraph.export import export_graph
    from labelgraph.neighborhood import select_nodes

    if args.min_weight is not None and args.min_weight < 0:
        raise InputError(f"--min-weight must be >= 0, got {args.min_weight}")
    min_w = args.min_weight or 0.0
    nodes = select_nodes(
        g,
        around=around,
        hops=args.hops,
        max_nodes=args.max_nodes,
        min_weight=min_w,
        source=args.source,
    )
    check_size = _size_check(getattr(args, "format", None))
    if check_size is not None:
        check_size(len(nodes))  # refuse before building a view the format cannot show
    return export_graph(
        g,
        nodes,
        source=args.source,
        min_weight=min_w,
        center=around is not None,
        examples=examples,
    )


def _size_check(fmt: str | None) -> Any:
    """The export format's ``check_size(n_nodes)`` (formats that refuse large views), or None."""
    if fmt is None:
        return None
    from labelgraph.export import EXPORTERS

    return EXPORTERS.get(fmt).attrs.get("check_size")


def cmd_export(args: argparse.Namespace) -> int:
    from labelgraph.export import EXPORTERS, export_file

    if args.examples < 0:
        raise InputError(f"--examples must be >= 0, got {args.examples}")
    if _size_check(args.format) is not None and args.around is None and args.max_nodes is None:
        logger.info("no --around/--max-nodes: the %s view covers every linked label", args.format)
    # formats tagged "examples" show example sentences; options go to writers that take them
    examples = args.examples if EXPORTERS.has_tag(args.format, "examples") else 0
    options = (
        {"seed": args.seed} if "seed" in [o.name for o in EXPORTERS.options(args.format)] else {}
    )
    g = _load(args.graph)
    view = _view(g, args, args.around, examples=examples)
    view.graph["title"] = (
        f"{g.name(args.around)} neighbourhood ({args.source})"
        if args.around
        else f"label graph ({args.source})"
    )
    out = export_file(view, args.out, args.format, **options)
    print(
        f"wrote {out} ({args.format}: {view.number_of_nodes():,} nodes, {view.number_of_edges():,} edges)"
    )
    return 0


def cmd_draw(args: argparse.Namespace) -> int:
    from labelgraph.draw import draw_graph

    g = _load(args.graph)
    view = _view(g, args, args.label)
    out = draw_graph(view, args.out, title=args.title, seed=args.seed, dpi=args.dpi)
    print(f"wrote {out} ({view.number_of_nodes():,} nodes, {view.number_of_edges():,} edges)")
    return 0


def _add_view_flags(p: argparse.ArgumentParser, around: bool, max_nodes: int | None = None) -> None:
    group = p.add_argument_group("view (which part of the graph)")
    if around:
        group.add_argument(
            "--around",
            default=None,
            metavar="LABEL",
            help="centre label (code or name); default: whole graph",
        )
    group.add_argument(
        "--hops",
        type=int,
        default=1,
        choices=(0, 1, 2),
        help="neighborhood radius in edges (default: %(default)s)",
    )
    group.add_argument(
        "--max-nodes",
        type=int,
        default=max_nodes,
        metavar="N",
        help="keep at most N nodes, strongest first "
        + ("(default: %(default)s)" if max_nodes is not None else "(default: all)"),
    )
    group.add_argument(
        "--min-weight", type=float, default=None, metavar="W", help="drop edges lighter than W"
    )
    group.add_argument(
        "--source",
        default="combined",
        help="edge source: text, embedding, annotation or combined (default: %(default)s)",
    )


# ---------------------------------------------------------------------------------- evaluate
def cmd_evaluate(args: argparse.Namespace) -> int:
    from labelgraph.evaluation import evaluate_graph, format_table

    if not (args.similarity or args.cooccurrence or args.label_sets):
        raise InputError(
            "nothing to evaluate: give --similarity, --cooccurrence and/or --label-sets files"
        )
    g = _load(args.graph)
    rows = evaluate_graph(
        g,
        similarity=args.similarity or [],
        cooccurrence=args.cooccurrence or [],
        label_sets=args.label_sets or [],
        folds=args.folds,
        seed=args.seed,
        k=args.k,
        intruder_pool=args.intruder_pool,
        max_images=args.max_images,
        progress=not args.quiet,
        pair_scorers=args.pair_scorers,
        inner_folds=args.inner_folds,
    )
    print(format_table(rows))
    if args.json:
        with atomic_write(args.json) as fh:
            json.dump({"graph": str(args.graph), "rows": [r.to_dict() for r in rows]}, fh, indent=2)
        print(f"\nwrote {args.json}")
    return 0


# ---------------------------------------------------------------------------------- register
def register(subparsers: argparse._SubParsersAction) -> None:
    from labelgraph.evaluation import COOCCURRENCE_METHODS, list_pair_scorers
    from labelgraph.export import list_export_formats

    p = subparsers.add_parser(
        "info", help="what a graph was built from, edge counts, degrees, unseen labels"
    )
    p.add_argument("graph", metavar="DIR", help="graph folder written by `labelgraph build`")
    p.add_argument(
        "--show",
        type=int,
        default=20,
        metavar="N",
        help="list up to N never-seen labels (default: %(default)s)",
    )
    add_common_flags(p)
    p.set_defaults(func=cmd_info)

    p = subparsers.add_parser("explain", help="the evidence behind the edge between two labels")
    p.add_argument("graph", metavar="DIR", help="graph folder")
    p.add_argument("a", metavar="A", help="label code or name")
    p.add_argument("b", metavar="B", help="label code or name")
    group = p.add_argument_group("output")
    group.add_argument(
        "-n",
        "--examples",
        type=int,
        default=5,
        metavar="N",
        help="example sentences to show (default: %(default)s)",
    )
    group.add_argument("--json", action="store_true", help="print the evidence as JSON")
    add_common_flags(p)
    p.set_defaults(func=cmd_explain)

    p = subparsers.add_parser(
        "export", help="write the graph (or a neighborhood) as gexf/graphml/json/csv/html"
    )
    p.add_argument("graph", metavar="DIR", help="graph folder")
    group = p.add_argument_group("output")
    group.add_argument("--format", required=True, choices=list_export_formats(), help="file format")
    group.add_argument("--out", required=True, metavar="FILE", help="output file")
    group.add_argument(
        "--seed",
        type=int,
        default=0,
        help="layout seed of the formats that carry positions (gexf, html) (default: %(default)s)",
    )
    group.add_argument(
        "--examples",
        type=int,
        default=3,
        metavar="N",
        help="example sentences per edge in the html page's tooltips (default: %(default)s)",
    )
    _add_view_flags(p, around=True)
    add_common_flags(p)
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("draw", help="a PNG/SVG picture of a label's neighborhood")
    p.add_argument("graph", metavar="DIR", help="graph folder")
    p.add_argument("label", metavar="LABEL", help="centre label (code or name)")
    group = p.add_argument_group("output")
    group.add_argument("--out", required=True, metavar="FILE", help="picture file (.png or .svg)")
    group.add_argument("--title", default=None, help="figure title (default: the label's name)")
    group.add_argument("--seed", type=int, default=0, help="layout seed (default: %(default)s)")
    group.add_argument("--dpi", type=int, default=100, help="PNG resolution (default: %(default)s)")
    _add_view_flags(p, around=False, max_nodes=40)
    add_common_flags(p)
    p.set_defaults(func=cmd_draw)

    p = subparsers.add_parser(
        "evaluate",
        help="measure a graph against word-similarity, image co-occurrence and label-set data",
    )
    p.add_argument("graph", metavar="DIR", help="graph folder")
    group = p.add_argument_group("data")
    group.add_argument(
        "--similarity", nargs="+", metavar="FILE", help="WordSim-353 / SimLex-999 style files"
    )
    group.add_argument(
        "--cooccurrence", nargs="+", metavar="PAIRS_CSV", help="label_a,label_b,images pair counts"
    )
    group.add_argument(
        "--label-sets", nargs="+", metavar="FILE", help="image label sets (tuning_labels.csv style)"
    )
    group = p.add_argument_group("protocol")
    group.add_argument(
        "--pair-scorers",
        nargs="+",
        default=list(COOCCURRENCE_METHODS),
        metavar="NAME",
        help="methods of the co-occurrence rows, from: "
        + ", ".join(list_pair_scorers())
        + " (default: %(default)s)",
    )
    group.add_argument(
        "--folds",
        type=int,
        default=5,
        help="image folds for label-set tasks (default: %(default)s)",
    )
    group.add_argument(
        "--inner-folds",
        type=int,
        default=4,
        metavar="N",
        help="inner folds choosing the directional completion weights on each fold's training "
        "images; 0 keeps the graph's weights (default: %(default)s)",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="fold split and intruder choice (default: %(default)s)"
    )
    group.add_argument(
        "-k", "--k", type=int, default=10, help="cut-off of recall@k (default: %(default)s)"
    )
    group.add_argument(
        "--intruder-pool",
        type=int,
        default=20,
        metavar="N",
        help="intruders come from the N most frequent labels (default: %(default)s)",
    )
    group.add_argument(
        "--max-images",
        type=int,
        default=None,
        metavar="N",
        help="evaluate at most N images per label-set file",
    )
    group = p.add_argument_group("output")
    group.add_argument("--json", default=None, metavar="OUT", help="also write the rows as JSON")
    add_common_flags(p)
    p.set_defaults(func=cmd_evaluate)
