"""MediaWiki ``pages-articles`` XML dumps: plain, bz2 (single or multistream), gzip.

The reader scans the decompressed text for ``<page>...</page>`` blocks with ``str.find``
(the dump layout is regular, so this is several times faster than an XML parser) and pulls
title, namespace, page id, redirect flag and ``<text>`` out of each block. It never holds
more than one chunk plus one page in memory. Tags are matched without their XML namespace,
so export schema 0.10 and 0.11 (and later) read alike. UTF-8 and UTF-16 are detected from
the BOM / XML declaration.

Every export schema version reads alike (0.3 ... 0.11 and later): the namespace names come
from the ``<siteinfo><namespaces>`` block that every version since 0.3 writes
(:class:`~corpora.namespace_table.NamespaceTable`; every page carries its file's table, so the
cleaner drops ``[[Datei:...]]`` in a German dump as ``[[File:...]]`` in an English one), a
page's namespace from its ``<ns>`` (0.6 and later) or else from its title's prefix, a
redirect from ``<redirect>`` (0.4 and later) or else from its text (``#REDIRECT [[...]]``,
``#WEITERLEITUNG [[...]]``). A dump without a ``<namespaces>`` block (a hand-cut excerpt) is
read with MediaWiki's canonical English names, with a warning naming the file.

Multistream dumps (``*-multistream.xml.bz2``) come with an index
``*-multistream-index.txt.bz2`` of ``offset:page_id:title`` lines. When the index is found
(beside the dump, or given explicitly), the dump is split into shards of whole bz2 streams,
``shard_mb`` compressed megabytes each, that are read independently (and in parallel).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from corpora._compressed import (
    DECOMPRESSION_ERRORS,
    compression_of,
    detect_encoding,
    iter_text_chunks,
    open_binary,
    open_chunks,
    read_head,
)
from corpora._raw_page import RawPage
from corpora.corpus_stats import CorpusStats
from corpora.errors import CorruptInputError, InputError
from corpora.namespace_table import DEFAULT_NAMESPACES, NamespaceTable
from corpora.reader_registry import register_reader
from corpora.shard import Shard, shard_key

__all__ = ["MediaWikiReader", "find_multistream_index", "read_multistream_offsets"]

logger = logging.getLogger(__name__)

# The five XML entities and numeric character references, resolved in one pass (several
# str.replace passes cost twice as much on the non-ASCII text of most pages).
_XML_ENTITY_RE = re.compile(r"&(?:lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#[0-9]+);")
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}
# A redirect in the text, for dumps without <redirect> elements (schema 0.3): "#REDIRECT",
# or a localized keyword ("#WEITERLEITUNG", "#ПЕРЕНАПРАВЛЕНИЕ") followed by a link.
_REDIRECT_RE = re.compile(r"\s*#(?:redirect|[^\W\d_]+[ \t]*:?[ \t]*\[\[)", re.I)
_LANG_ATTR_RE = re.compile(r"<mediawiki\b[^>]*?\bxml:lang=[\"']([^\"']*)[\"']")
# Decompressed bytes read from the start of a file for its <siteinfo> (by shards that do
# not start there), and the most text buffered before the first <page> by the first shard.
_HEADER_BYTES = 1 << 20
_MAX_HEADER_CHARS = 8 << 20
# Namespace tables per file (path, size, mtime), read once per process.
_TABLES: dict[tuple[str, int, int], NamespaceTable] = {}
_WARNED: set[str] = set()


def _xml_entity(m: re.Match[str]) -> str:
    ent = m.group()
    char = _XML_ENTITIES.get(ent)
    if char is not None:
        return char
    try:
        return chr(int(ent[3:-1], 16) if ent[2] == "x" else int(ent[2:-1]))
    except (ValueError, OverflowError):
        return ent


def xml_unescape(s: str) -> str:
    """Resolve the XML entities of a dump (``&lt; &gt; &quot; &apos; &amp;`` and ``&#..;``).

    One left-to-right pass: ``&amp;lt;`` becomes ``&lt;`` (not ``<``), as in an XML parser.
    """
    if "&" not in s:
        return s
    return _XML_ENTITY_RE.sub(_xml_entity, s)


def find_multistream_index(path: str | os.PathLike[str]) -> Path | None:
    """The ``-index.txt(.bz2)`` file beside a multistream dump, or ``None``."""
    p = Path(path)
    name = p.name
    for suffix in (".xml.bz2", ".bz2", ".xml"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            for cand in (stem + "-index.txt.bz2", stem + "-index.txt"):
                if (p.parent / cand).is_file():
                    return p.parent / cand
            break
    return None


def read_multistream_offsets(index: str | os.PathLike[str]) -> list[int]:
    """Sorted distinct stream offsets from a multistream index (``offset:id:title`` lines)."""
    offsets: set[int] = set()
    try:
        with open_binary(index) as fh:
            for lineno, line in enumerate(fh, 1):
                head = line.split(b":", 1)[0]
                if not head.strip():
                    continue
                try:
                    offsets.add(int(head))
                except ValueError:
                    raise InputError(
                        f"{index}:{lineno}: not a multistream index line "
                        f"(expected offset:page_id:title): {line[:80]!r}"
                    ) from None
    except DECOMPRESSION_ERRORS as exc:
        raise CorruptInputError(f"{index}: the index file is truncated or corrupt ({exc})") from exc
    return sorted(offsets)


def _file_key(path: str) -> tuple[str, int, int]:
    st = os.stat(path)
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns)


def _table_from_header(path: str, header: str) -> NamespaceTable:
    """The namespace table declared in ``header`` (the text before the first ``<page>``),
    or the defaults with a warning (once per file and process) when it declares none."""
    table = NamespaceTable.from_siteinfo(header, source=path)
    if table is None:
        table = DEFAULT_NAMESPACES
        if path not in _WARNED:
            _WARNED.add(path)
            lang = _LANG_ATTR_RE.search(header)
            logger.warning(
                "%s: the dump declares no namespaces (no <siteinfo><namespaces> block%s): "
                "links are resolved with MediaWiki's canonical English namespace names "
                "(File:, Category:, Template:, ...), so links under localized names (such "
                "as [[Datei:...]] in a German dump) stay in the text; use the dump with its "
                "<siteinfo> header, as dumps.wikimedia.org writes it",
                path,
                f", xml:lang={lang.group(1)!r}" if lang else "",
            )
    try:
        _TABLES[_file_key(path)] = table
    except OSError:
        pass
    return table


def _file_table(path: str, encoding: str) -> NamespaceTable:
    """The namespace table of the dump at ``path``, read from the start of the file."""
    try:
        key = _file_key(path)
    except OSError:
        key = None
    if key is not None and key in _TABLES:
        return _TABLES[key]
    head = read_head(path, _HEADER_BYTES).decode(encoding, errors="ignore")
    end = head.find("<page>")
    return _table_from_header(path, head if end < 0 else head[:end])


@register_reader("mediawiki", priority=10)
class MediaWikiReader:
    """Reader for MediaWiki XML export dumps.

    Args:
        shard_mb: compressed megabytes per shard of a multistream dump (default 1.0).
        index: explicit multistream index for every dump (default: look beside each dump).
        readahead: decompress bz2/gz in a background thread while pages are parsed
            (default ``False``).
    """

    name = "mediawiki"

    def __init__(
        self,
        shard_mb: float = 1.0,
        index: str | os.PathLike[str] | None = None,
        readahead: bool = False,
    ):
        self.shard_bytes = max(1, int(shard_mb * 1e6))
        self.index = index
        # Decompress in a background thread (see ReadAhead). Off by default: a serial pass
        # stays on one core; the corpus turns it on where this process only reads and feeds
        # page batches to worker processes.
        self.readahead = readahead

    @classmethod
    def sniff(cls, head: bytes, path: str) -> bool:
        enc = detect_encoding(head)
        try:
            text = head.decode(enc, errors="ignore")
        except LookupError:
            return False
        text = text.lstrip("\ufeff \t\r\n")
        return text.startswith("<mediawiki") or (
            text.startswith("<?xml") and "<mediawiki" in text[:2000]
        )

    def shards(self, path: str, file_index: int) -> list[Shard]:
        size = os.path.getsize(path)
        base = shard_key(file_index, Path(path).name)
        index = Path(self.index) if self.index else find_multistream_index(path)
        if index is None or compression_of(path) != "bz2":
            return [Shard(key=base, path=str(path), reader=self.name, nbytes=size)]
        offsets = [o for o in read_multistream_offsets(index) if 0 < o < size]
        if not offsets:
            raise InputError(f"{index}: holds no stream offsets inside {path} ({size} bytes)")
        encoding = detect_encoding(read_head(path))
        bounds = [0]
        for off in offsets:
            if off - bounds[-1] >= self.shard_bytes:
                bounds.append(off)
        if size - bounds[-1] < self.shard_bytes // 4 and len(bounds) > 1:
            bounds.pop()  # fold a tiny tail into the previous shard
        bounds.append(size)
        logger.debug(
            "%s: %d streams in %d shards (index %s)", path, len(offsets), len(bounds) - 1, index
        )
        return [
            Shard(
                key=f"{base}-{start:013d}",
                path=str(path),
                reader=self.name,
                nbytes=end - start,
                start=start,
                end=end,
                encoding=encoding,
                is_last=end == size,
            )
            for start, end in zip(bounds[:-1], bounds[1:])
        ]

    def read(self, shard: Shard, stats: CorpusStats, skip_bad_pages: bool) -> Iterator[RawPage]:
        if shard.start in (None, 0):
            stats.files += 1
        ctx = _ScanContext(shard, stats, skip_bad_pages)
        with open_chunks(shard.path, shard.start, shard.end, self.readahead) as chunks:
            try:
                first = next(chunks, b"")
            except DECOMPRESSION_ERRORS as exc:
                ctx.bad(f"compressed data is truncated or corrupt ({exc})", exc)
                return
            encoding = shard.encoding or detect_encoding(first)
            # The first shard reads the <siteinfo> on its way; the others from the file head.
            table = None if shard.start in (None, 0) else _file_table(shard.path, encoding)
            text_chunks = iter_text_chunks(
                itertools.chain((first,), chunks),
                encoding,
                ctx.counter,
                errors=ctx.decode_errors,
                stats=stats,
            )
            yield from self._scan(text_chunks, ctx, table)

    def _scan(
        self, chunks: Iterator[str], ctx: _ScanContext, table: NamespaceTable | None = None
    ) -> Iterator[RawPage]:
        """Cut ``<page>...</page>`` blocks out of the decoded text and parse them.

        ``table``: the file's namespace table; ``None``: read it from the text before the
        first ``<page>`` (the shard starts at the beginning of the file).
        """
        stats = ctx.stats
        buf = ""
        pos = 0
        saw_end = False
        try:
            for chunk in chunks:
                buf = buf[pos:] + chunk if pos < len(buf) else chunk
                pos = 0
                if table is None:
                    s = buf.find("<page>")
                    if s < 0 and len(buf) < _MAX_HEADER_CHARS:
                        continue  # the header goes on in the next chunk
                    table = _table_from_header(ctx.shard.path, buf if s < 0 else buf[:s])
                while True:
                    s = buf.find("<page>", pos)
                    if s < 0:
                        if not saw_end and "</mediawiki>" in buf[pos:]:
                            saw_end = True
                        pos = max(pos, len(buf) - 12)  # keep a tag cut by the chunk end
                        break
                    e = buf.find("</page>", s)
                    if e < 0:
                        pos = s
                        break
                    block = buf[s + 6 : e]
                    pos = e + 7
                    inner = block.rfind("<page>")
                    if inner >= 0:  # a page without </page>: broken, the next one is fine
                        stats.pages += 1
                        ctx.bad(f"malformed XML: <page> without </page> ({block[:60]!r}...)")
                        block = block[inner + 6 :]
                    page = self._parse_page(block, table)
                    stats.pages += 1
                    if page is None:
                        ctx.bad(f"malformed XML page ({block[:80]!r}...)")
                        continue
                    ctx.last = f"{page.title!r} (id {page.page_id})"
                    yield page
        except DECOMPRESSION_ERRORS as exc:
            ctx.bad(f"compressed data is truncated or corrupt ({exc})", exc)
            return
        except UnicodeDecodeError as exc:
            raise ctx.corrupt(f"text is not valid {exc.encoding} ({exc.reason})") from exc
        if table is None:  # no <page> at all
            _table_from_header(ctx.shard.path, buf)
        rest = buf[pos:]
        if "</mediawiki>" in rest:
            saw_end = True
        if "<page>" in rest:
            ctx.bad("the XML ends early (an unfinished <page>; truncated file?)")
        elif ctx.shard.is_last and not saw_end:
            ctx.bad("the XML ends early (no closing </mediawiki>; truncated file?)")

    @staticmethod
    def _parse_page(block: str, table: NamespaceTable = DEFAULT_NAMESPACES) -> RawPage | None:
        t0 = block.find("<title>")
        t1 = block.find("</title>", t0)
        if t0 < 0 or t1 < 0:
            return None
        title = xml_unescape(block[t0 + 7 : t1])
        n0 = block.find("<ns>")
        if n0 >= 0:
            try:
                ns = int(block[n0 + 4 : block.find("</ns>", n0)])
            except ValueError:
                return None
        else:  # export schema 0.5 and older: the namespace is the title's prefix
            ns = table.namespace_of_title(title)
        i0 = block.find("<id>")
        page_id = block[i0 + 4 : block.find("</id>", i0)].strip() if i0 >= 0 else ""
        rev = block.find("<revision")
        r = block.find("<redirect")
        redirect = r >= 0 and (rev < 0 or r < rev)
        x0 = block.find("<text", rev if rev >= 0 else 0)
        if x0 < 0:
            return None
        gt = block.find(">", x0)
        if gt < 0:
            return None
        if block[gt - 1] == "/":
            text = ""
        else:
            x1 = block.find("</text>", gt)
            if x1 < 0:
                return None
            text = block[gt + 1 : x1]  # entities are resolved by the pipeline
        if not redirect and _REDIRECT_RE.match(text):
            redirect = True
        return RawPage(title, page_id, ns, redirect, text, True, "&" in text, table)


class _ScanContext:
    """Where a scan is (for error messages) and what to do with broken input."""

    def __init__(self, shard: Shard, stats: CorpusStats, skip_bad_pages: bool) -> None:
        self.shard = shard
        self.stats = stats
        self.skip = skip_bad_pages
        self.decode_errors = "replace" if skip_bad_pages else "strict"
        self.where = "" if shard.start is None else f" (streams at bytes {shard.start}-{shard.end})"
        self.counter = [0]  # uncompressed bytes of this shard read so far
        first = shard.start in (None, 0)
        self.last = "(none: first page of the file)" if first else "(none: first of this shard)"

    def corrupt(self, what: str) -> CorruptInputError:
        return CorruptInputError(
            f"{self.shard.path}{self.where}: {what} after {self.counter[0]:,} uncompressed bytes, "
            f"last good page {self.last}; re-download or repair the file, or pass "
            "--skip-bad-pages to count and skip broken pages"
        )

    def bad(self, what: str, exc: BaseException | None = None) -> None:
        """Raise :class:`CorruptInputError`, or with ``skip_bad_pages`` warn and count it."""
        if not self.skip:
            raise self.corrupt(what) from exc
        logger.warning(
            "%s%s: %s after page %s; skipped", self.shard.path, self.where, what, self.last
        )
        self.stats.bad_pages += 1
