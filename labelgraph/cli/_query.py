"""``labelgraph neighbors | score | odd-one-out | complete``: query a built graph."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from corpora.catalogue import Catalogue
from corpora.cli_common import add_common_flags
from corpora.errors import InputError

__all__ = ["register"]


def _load(path: str):
    from labelgraph.label_graph import LabelGraph

    return LabelGraph.load(path)


def _split_set(text: str) -> list[str]:
    labels = [t.strip() for t in text.split(",") if t.strip()]
    if not labels:
        raise InputError(
            f"empty label set {text!r}; give comma-separated labels like 'Person,Shopkeeper'"
        )
    return labels


#: how the query commands print their rows: ``fn(rows, columns)``
ROW_FORMATS: Catalogue[None] = Catalogue("output format", order="registration")


@ROW_FORMATS.register("table")
def _print_table(rows: list[dict], columns: list[str]) -> None:
    """Aligned columns (floats with 4 decimals)."""
    widths = {
        c: max(len(c), *(len(_cell(r[c])) for r in rows)) if rows else len(c) for c in columns
    }
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for r in rows:
        print("  ".join(_cell(r[c]).ljust(widths[c]) for c in columns).rstrip())


@ROW_FORMATS.register("json")
def _print_json(rows: list[dict], columns: list[str]) -> None:
    """A JSON list of objects."""
    json.dump(rows, sys.stdout, indent=2)
    sys.stdout.write("\n")


@ROW_FORMATS.register("csv")
def _print_csv(rows: list[dict], columns: list[str]) -> None:
    """CSV with a header row."""
    w = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)


def _print_rows(rows: list[dict], fmt: str, columns: list[str]) -> None:
    ROW_FORMATS.create(fmt, rows, columns)


def _cell(v) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _neighbors(args: argparse.Namespace) -> int:
    g = _load(args.graph)
    rows = [
        {"rank": r, "code": code, "name": g.name(code), "weight": w}
        for r, (code, w) in enumerate(g.neighbors(args.label, k=args.k, source=args.source), 1)
    ]
    if args.format == "table":
        print(f"# neighbours of {g.name(args.label)} ({g.code(args.label)}), source {args.source}")
    _print_rows(rows, args.format, ["rank", "code", "name", "weight"])
    return 0


def _score(args: argparse.Namespace) -> int:
    g = _load(args.graph)
    scored = []
    for text in args.sets:
        labels = _split_set(text)
        scored.append((g.plausibility(labels), [g.name(x) for x in labels]))
    scored.sort(key=lambda t: -t[0])
    rows = [{"plausibility": s, "set": ",".join(names)} for s, names in scored]
    _print_rows(rows, args.format, ["plausibility", "set"])
    return 0


def _odd(args: argparse.Namespace) -> int:
    g = _load(args.graph)
    labels = _split_set(args.set)
    odd = g.odd_one_out(labels)
    coherence = g.coherence(labels)
    if args.format == "table":
        print(f"{g.name(odd)} ({odd})")
        for code, c in sorted(coherence.items(), key=lambda kv: kv[1]):
            print(f"  mean association {c:.4f}  {g.name(code)}")
    else:
        rows = [
            {"code": c, "name": g.name(c), "mean_association": v, "odd": c == odd}
            for c, v in coherence.items()
        ]
        _print_rows(rows, args.format, ["code", "name", "mean_association", "odd"])
    return 0


def _complete(args: argparse.Namespace) -> int:
    g = _load(args.graph)
    if args.completion:
        g.scoring["completion"] = args.completion
    rows = [
        {"rank": r, "code": code, "name": g.name(code), "score": s}
        for r, (code, s) in enumerate(g.complete(_split_set(args.set), k=args.k), 1)
    ]
    _print_rows(rows, args.format, ["rank", "code", "name", "score"])
    return 0


def _common(p: argparse.ArgumentParser, with_k: bool = False) -> None:
    g = p.add_argument_group("output")
    if with_k:
        g.add_argument("-k", type=int, default=10, help="how many labels (default: %(default)s)")
    g.add_argument(
        "--format",
        choices=ROW_FORMATS.names(),
        default="table",
        help="output format (default: %(default)s)",
    )
    add_common_flags(p)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("neighbors", help="a label's strongest neighbors")
    p.add_argument("graph", metavar="DIR", help="graph folder written by `labelgraph build`")
    p.add_argument("label", metavar="LABEL", help="label code or name")
    p.add_argument(
        "--source",
        default="combined",
        help="edge source: text, embedding, annotation, combined (default: %(default)s)",
    )
    _common(p, with_k=True)
    p.set_defaults(func=_neighbors)

    p = subparsers.add_parser("score", help="plausibility of label sets, most plausible first")
    p.add_argument("graph", metavar="DIR", help="graph folder")
    p.add_argument(
        "sets", nargs="+", metavar="SET", help="comma-separated labels, e.g. Person,Shopkeeper"
    )
    _common(p)
    p.set_defaults(func=_score)

    p = subparsers.add_parser("odd-one-out", help="the label least associated with the others")
    p.add_argument("graph", metavar="DIR", help="graph folder")
    p.add_argument("set", metavar="SET", help="comma-separated labels (at least 3)")
    _common(p)
    p.set_defaults(func=_odd)

    p = subparsers.add_parser("complete", help="labels most likely to accompany a set")
    p.add_argument("graph", metavar="DIR", help="graph folder")
    p.add_argument("set", metavar="SET", help="comma-separated labels")
    p.add_argument(
        "--completion",
        choices=["conditional", "association"],
        default=None,
        help="scoring: directional sum of P(c|s) mixtures, or log prior + PMI sum (ablation) "
        "(default: the graph's, conditional unless built otherwise)",
    )
    _common(p, with_k=True)
    p.set_defaults(func=_complete)
