"""``labelgraph corpus stats|text``: read Wikipedia dumps / WikiExtractor output / text."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from corpora import Corpus, Document, PhraseMatcher, open_corpus, write_sentences
from corpora.cli_common import add_common_flags
from corpora.corpus_stats import CorpusStats
from corpora.formats.class_descriptions import read_label_names
from corpora.reader_registry import list_readers
from corpora.tokenizer import NUMBER_MODES

__all__ = ["register"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    corpus = subparsers.add_parser(
        "corpus",
        help="read Wikipedia dumps, WikiExtractor output or text: statistics, sentences",
        description="Read Wikipedia XML dumps (.xml/.bz2/.gz, multistream with index), "
        "WikiExtractor folders or plain text as clean, tokenized sentences.",
    )
    sub = corpus.add_subparsers(dest="corpus_command", metavar="ACTION")
    sub.required = True

    stats = sub.add_parser(
        "stats",
        help="count pages, articles, sentences, tokens and label mentions",
        description="Read the sources once and print a summary (with --labels: per-label "
        "mention counts, the most mentioned and the never-seen labels).",
    )
    _add_source_flags(stats)
    out = stats.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    out.add_argument(
        "--top", type=int, default=20, help="labels listed as most mentioned (default: %(default)s)"
    )
    add_common_flags(stats)
    stats.set_defaults(func=_stats_main)

    text = sub.add_parser(
        "text",
        help="write one tokenized sentence per line (gensim corpus_file)",
        description="Write the sources as one sentence per line, tokens separated by spaces, "
        "label phrases joined with '_' when --labels is given. Finished shards are kept in "
        ".OUT.parts/ so that --resume continues an interrupted run.",
    )
    _add_source_flags(text)
    out = text.add_argument_group("output")
    out.add_argument("--out", required=True, metavar="FILE", help="output text file")
    out.add_argument(
        "--resume", action="store_true", help="keep the finished shards of an interrupted run"
    )
    add_common_flags(text)
    text.set_defaults(func=_text_main)


def _add_source_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="files, folders or glob patterns")
    inp = p.add_argument_group("input")
    inp.add_argument(
        "--format",
        choices=list_readers(),
        default=None,
        help="force the reader instead of detecting it from each file",
    )
    inp.add_argument("--index", default=None, help="multistream index of a single dump")
    inp.add_argument(
        "--shard-mb",
        type=float,
        default=1.0,
        help="compressed MB per multistream shard (default: %(default)s)",
    )
    inp.add_argument(
        "--namespaces",
        default="0",
        help="MediaWiki namespaces to keep, comma-separated, or 'all' (default: %(default)s)",
    )
    inp.add_argument("--skip-disambiguation", action="store_true", help="skip disambiguation pages")
    inp.add_argument(
        "--skip-bad-pages",
        action="store_true",
        help="count and skip broken pages/file tails instead of stopping with an error",
    )
    inp.add_argument(
        "--documents",
        choices=("auto", "line", "paragraph"),
        default="auto",
        help="plain text: one document per line or per blank-line separated block; auto: "
        "per block when the file has blank lines (default: %(default)s)",
    )
    tok = p.add_argument_group("tokens")
    tok.add_argument("--keep-case", action="store_true", help="do not lower-case tokens")
    tok.add_argument(
        "--numbers",
        choices=NUMBER_MODES,
        default="keep",
        help="tokens with digits: keep, normalize (digits to 0), drop (digit-only) "
        "(default: %(default)s)",
    )
    tok.add_argument(
        "--min-sentence-tokens",
        type=int,
        default=1,
        help="drop shorter sentences (default: %(default)s)",
    )
    lab = p.add_argument_group("labels")
    lab.add_argument(
        "--labels", default=None, metavar="CSV", help="class-descriptions.csv (code,name)"
    )
    lab.add_argument("--no-plurals", action="store_true", help="do not match plural forms")
    par = p.add_argument_group("parallelism")
    par.add_argument(
        "--processes", type=int, default=1, help="worker processes (default: %(default)s)"
    )
    par.add_argument(
        "--no-readahead",
        action="store_true",
        help="do not decompress bz2/gz in a background thread of the reading process (one "
        "core per process; same output)",
    )


def _open(args: argparse.Namespace) -> tuple[Corpus, list[str] | None]:
    codes = None
    matcher = None
    if args.labels:
        codes, names = read_label_names(args.labels)
        matcher = PhraseMatcher(names, plurals=not args.no_plurals)
    ns = None if str(args.namespaces).strip().lower() == "all" else _int_list(args.namespaces)
    corpus = open_corpus(
        args.sources,
        matcher=matcher,
        processes=args.processes,
        lowercase=not args.keep_case,
        numbers=args.numbers,
        namespaces=ns,
        skip_disambiguation=args.skip_disambiguation,
        skip_bad_pages=args.skip_bad_pages,
        progress=not args.quiet,
        format=args.format,
        index=args.index,
        shard_mb=args.shard_mb,
        documents=args.documents,
        min_sentence_tokens=args.min_sentence_tokens,
        readahead=not args.no_readahead,
    )
    return corpus, codes


def _int_list(text: str) -> list[int]:
    from corpora.errors import InputError

    try:
        return [int(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise InputError(
            f"--namespaces {text!r}: expected numbers like '0' or '0,14', or 'all'"
        ) from None


def _count_labels(key: str, docs: Iterator[Document]) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for doc in docs:
        for mentions in doc.mentions:
            for _, label in mentions:
                counts[label] += 1
    return dict(counts)


def _stats_main(args: argparse.Namespace) -> int:
    corpus, codes = _open(args)
    counts: Counter[int] = Counter()
    for _shard, result in corpus.map_shards(_count_labels):
        counts.update(result)
    total: CorpusStats = corpus.stats  # counters of this pass over all shards
    summary: dict = total.to_dict()
    summary["seconds"] = round(total.seconds, 3)
    summary["mb_per_second"] = round(total.uncompressed_bytes / max(total.seconds, 1e-9) / 1e6, 2)
    summary["shards"] = len(corpus.shards())
    if codes is not None:
        matcher = corpus.matcher
        assert matcher is not None
        never = [i for i in range(len(codes)) if counts.get(i, 0) == 0]
        summary["labels"] = len(codes)
        summary["labels_seen"] = len(codes) - len(never)
        summary["labels_never_seen"] = len(never)
        summary["top_labels"] = [
            {"code": codes[i], "name": matcher.names[i], "mentions": n}
            for i, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: args.top]
        ]
        summary["never_seen_examples"] = [
            {"code": codes[i], "name": matcher.names[i]} for i in never[: args.top]
        ]
    if args.json:
        print(json.dumps(summary))
        return 0
    _print_summary(summary)
    return 0


def _print_summary(s: dict) -> None:
    print(
        f"files {s['files']:,}  pages {s['pages']:,}  articles {s['articles']:,}  redirects "
        f"{s['redirects']:,}  skipped {s['skipped']:,}  bad pages {s['bad_pages']:,}"
    )
    print(
        f"sentences {s['sentences']:,}  tokens {s['tokens']:,}  label mentions "
        f"{s['label_mentions']:,}"
    )
    print(
        f"read {s['uncompressed_bytes'] / 1e6:,.1f} MB uncompressed ({s['compressed_bytes'] / 1e6:,.1f}"
        f" MB on disk, {s['shards']} shards) in {s['seconds']:.1f} s = {s['mb_per_second']:.1f} MB/s"
    )
    if "labels" in s:
        print(
            f"labels {s['labels']:,}: {s['labels_seen']:,} mentioned, "
            f"{s['labels_never_seen']:,} never seen"
        )
        if s["top_labels"]:
            print(
                "most mentioned: "
                + ", ".join(f"{t['name']} ({t['mentions']:,})" for t in s["top_labels"])
            )
        if s["never_seen_examples"]:
            print("never seen, e.g.: " + ", ".join(t["name"] for t in s["never_seen_examples"]))


def _text_main(args: argparse.Namespace) -> int:
    corpus, _codes = _open(args)
    stats = write_sentences(corpus, args.out, resume=args.resume)
    s = stats.to_dict()
    print(
        f"wrote {s['sentences']:,} sentences, {s['tokens']:,} tokens ({s['articles']:,} "
        f"documents, {s['label_mentions']:,} label mentions) to {Path(args.out)} in "
        f"{stats.seconds:.1f} s",
        file=sys.stdout,
    )
    return 0
