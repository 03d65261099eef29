"""Benchmark: wikitext cleaning and tokenizing time per MB as adversarial pages grow.

    .venv/bin/python bench/cleaner_scaling.py                 # about 1 minute on an idle core
    .venv/bin/python bench/cleaner_scaling.py --base-kb 64 --runs 1   # quick look

Each page kind repeats a unit of badly formed markup (unclosed or deeply nested templates,
links, file links, ``<ref>`` tags, tables, parameters, headings and external links, all of
them mixed) to 1x, 2x, 4x and 8x the base size, and times ``clean_wikitext`` followed by
``Tokenizer.sentences`` (CPU seconds of this process, best of ``--runs``). A well-formed page
(the gensim sample dump's articles concatenated) is the control. The ratio column divides
the time per MB at 8x by the time per MB at 1x, both measured in this run: about 1.0 when the
time is linear in the page size, 8.0 when it is quadratic.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpora import Tokenizer, clean_wikitext  # noqa: E402


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: unit * max(1, size // len(unit))


def _nested(open_: str, middle: str, close: str) -> Callable[[int], str]:
    def make(size: int) -> str:
        n = max(1, size // (len(open_) + len(close)))
        return open_ * n + middle + close * n

    return make


def _one_line(prefix: str, fill: str) -> Callable[[int], str]:
    return lambda size: prefix + fill * max(1, (size - len(prefix)) // len(fill))


def _mixed(size: int) -> str:
    rng = random.Random(0)
    pieces = [
        "{{",
        "}}",
        "[[",
        "]]",
        "[[File:a.jpg|",
        "<ref>",
        "</ref>",
        "<ref name=x ",
        "\n{|",
        "\n|}",
        "{{{",
        "}}}",
        "<br>",
        "<div>",
        "''",
        "\n== ",
        " ==",
        "[//",
        "]",
        "<!--",
        "-->",
        "__X__",
        "&amp;",
        "word ",
        "Word. ",
    ]
    out: list[str] = []
    n = 0
    while n < size:
        p = rng.choice(pieces)
        out.append(p)
        n += len(p)
    return "".join(out)


def _wellformed(size: int) -> str:
    from gensim.test.utils import datapath

    from corpora import open_corpus  # noqa: F401  (the reader resolves the entities)
    from corpora._compressed import open_binary
    from corpora.mediawiki_reader import xml_unescape

    path = datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    with open_binary(path) as fh:
        xml = fh.read().decode("utf-8")
    texts = []
    pos = 0
    while True:
        s = xml.find("<text", pos)
        if s < 0:
            break
        s = xml.find(">", s) + 1
        e = xml.find("</text>", s)
        texts.append(xml_unescape(xml[s:e]))
        pos = e
    text = "\n".join(t for t in texts if not t.startswith("#REDIRECT"))
    while len(text) < size:
        text += "\n" + text
    return text[:size]


KINDS: dict[str, Callable[[int], str]] = {
    "well-formed articles (control)": _wellformed,
    "unclosed {{": _repeat("{{a "),
    "nested {{ ... }}": _nested("{{", "x", "}}"),
    "unclosed [[": _repeat("[[a "),
    "unclosed [[File:x.jpg|": _repeat("[[File:x.jpg|thumb|a "),
    "nested [[File: ... ]]": _nested("[[File:a.jpg|", "x", "]]"),
    "unclosed <ref>": _repeat("<ref>a "),
    "<ref without >": _repeat("<ref name=x "),
    "unclosed tables": _repeat("\n{|\n| a"),
    "nested {{{params}}}": _nested("{{{", "1", "}}}"),
    "heading line of spaces": _one_line("\n==", " "),
    "line of = signs": _one_line("\n", "="),
    "external link without ]": _one_line("[//", "a"),
    "labelled ext link without ]": _one_line("[http://x ", "b "),
    "mixed broken markup": _mixed,
}


def cpu_seconds(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-kb", type=int, default=128, help="page size at 1x (KB; 128)")
    ap.add_argument("--runs", type=int, default=3, help="best of this many runs (3)")
    args = ap.parse_args(argv)
    tok = Tokenizer()
    factors = (1, 2, 4, 8)
    print(
        f"clean_wikitext + Tokenizer.sentences, CPU ms per MB of page (best of {args.runs}), "
        f"pages of {args.base_kb} KB x {'/'.join(map(str, factors))}"
    )
    header = f"{'page kind':32s}" + "".join(f"{f'{f}x':>9s}" for f in factors) + "  8x/1x"
    print(header)
    worst = 0.0
    for name, make in KINDS.items():
        per_mb = []
        for f in factors:
            text = make(args.base_kb * 1000 * f)
            sec = cpu_seconds(
                lambda t=text: tok.sentences(clean_wikitext(t, tidy=False)), args.runs
            )
            per_mb.append(sec * 1000 / (len(text) / 1e6))
        ratio = per_mb[-1] / per_mb[0] if per_mb[0] > 0 else float("nan")
        worst = max(worst, ratio)
        print(f"{name:32s}" + "".join(f"{v:9.1f}" for v in per_mb) + f"  {ratio:5.2f}x")
    print(f"worst 8x/1x ratio: {worst:.2f}x (1.0 = linear, 8.0 = quadratic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
