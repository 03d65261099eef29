"""Re-compress a MediaWiki dump as a multistream bz2 with its ``-index.txt.bz2``.

A multistream dump can be read in parallel and resumed shard by shard (see
:class:`~corpora.mediawiki_reader.MediaWikiReader`). Wikimedia publishes them
(``*-pages-articles-multistream.xml.bz2``); this writer makes one from any dump (also used
by the tests and ``bench/corpus.py``).
"""

from __future__ import annotations

import bz2
import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

from corpora._compressed import detect_encoding, iter_text_chunks, open_chunks
from corpora.atomic import atomic_path
from corpora.errors import CorruptInputError

__all__ = ["write_multistream", "iter_page_blocks"]

_TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)
_ID_RE = re.compile(r"<id>\s*(\d+)\s*</id>")


def iter_page_blocks(path: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """Yield ``("header", text)``, then ``("page", "<page>...</page>")`` blocks, then
    ``("footer", text)`` of a dump, as text (any compression/encoding)."""
    with open_chunks(path) as chunks:
        first = next(chunks, b"")
        encoding = detect_encoding(first)
        buf = ""
        header_done = False
        for chunk in iter_text_chunks(itertools.chain((first,), chunks), encoding, [0]):
            buf += chunk
            pos = 0
            while True:
                s = buf.find("<page>", pos)
                if s < 0:
                    break
                if not header_done:
                    yield "header", buf[:s].lstrip("\ufeff")
                    header_done = True
                elif buf[pos:s].strip():
                    pass  # whitespace between pages
                e = buf.find("</page>", s)
                if e < 0:
                    pos = s
                    break
                yield "page", buf[s : e + 7]
                pos = e + 7
            buf = buf[pos:]
        if not header_done:
            raise CorruptInputError(f"{path}: no <page> found; not a MediaWiki dump")
        yield "footer", buf


def write_multistream(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    pages_per_stream: int = 100,
    repeat: int = 1,
    compresslevel: int = 9,
) -> tuple[Path, Path]:
    """Write ``out`` (a multistream ``.xml.bz2``, UTF-8) and ``out``'s index beside it.

    Args:
        source: any MediaWiki dump (plain/bz2/gz, UTF-8/UTF-16).
        out: output path, should end with ``.xml.bz2``; the index is written as
            ``<out without .xml.bz2>-index.txt.bz2``.
        pages_per_stream: pages per bz2 stream (Wikimedia uses 100).
        repeat: write the pages this many times (page ids offset per copy), to make big
            benchmark inputs from a small sample.

    Returns:
        ``(dump path, index path)``; both written atomically.
    """
    out = Path(out)
    stem = out.name[: -len(".xml.bz2")] if out.name.endswith(".xml.bz2") else out.stem
    index_path = out.parent / f"{stem}-index.txt.bz2"
    lines: list[str] = []
    with atomic_path(out) as tmp, open(tmp, "wb") as fh:
        footer = ""
        batch: list[str] = []
        for copy in range(repeat):
            for kind, text in iter_page_blocks(source):
                if kind == "header":
                    if copy == 0:
                        header = re.sub(
                            r"<\?xml[^>]*\?>",
                            '<?xml version="1.0" encoding="UTF-8"?>',
                            text,
                            count=1,
                        )
                        fh.write(bz2.compress(header.encode("utf-8"), compresslevel))
                elif kind == "footer":
                    footer = text
                else:
                    if copy:
                        text = _ID_RE.sub(
                            lambda m, c=copy: f"<id>{int(m.group(1)) + c * 100_000_000}</id>",
                            text,
                            count=1,
                        )
                    batch.append(text)
                    if len(batch) == pages_per_stream:
                        _write_stream(fh, batch, lines, compresslevel)
                        batch = []
        if batch:
            _write_stream(fh, batch, lines, compresslevel)
        if "</mediawiki>" not in footer:
            footer += "</mediawiki>"
        fh.write(bz2.compress(("\n" + footer.strip() + "\n").encode("utf-8"), compresslevel))
    with atomic_path(index_path) as tmp:
        with bz2.open(tmp, "wt", encoding="utf-8") as ih:
            ih.write("".join(lines))
    return out, index_path


def _write_stream(fh, blocks: list[str], lines: list[str], level: int) -> None:
    offset = fh.tell()
    for block in blocks:
        m_id = _ID_RE.search(block)
        m_t = _TITLE_RE.search(block)
        lines.append(f"{offset}:{m_id.group(1) if m_id else 0}:{m_t.group(1) if m_t else ''}\n")
    fh.write(bz2.compress(("\n" + "\n".join(blocks)).encode("utf-8"), level))
