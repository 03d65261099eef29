"""WikiExtractor output: ``wiki_NN`` files (plain or bz2) of ``<doc>`` blocks or JSON lines."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from corpora._compressed import DECOMPRESSION_ERRORS, open_text_lines
from corpora._raw_page import RawPage
from corpora.corpus_stats import CorpusStats
from corpora.errors import CorruptInputError
from corpora.namespace_table import DEFAULT_NAMESPACES
from corpora.reader_registry import register_reader
from corpora.shard import Shard, shard_key

__all__ = ["WikiExtractorReader"]

logger = logging.getLogger(__name__)

_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')


@register_reader("wikiextractor", priority=20)
class WikiExtractorReader:
    """Reader for WikiExtractor files: ``<doc id=".." url=".." title="..">`` blocks (the first
    text line repeats the title and is dropped) or ``--json`` lines
    (``{"id", "url", "title", "text"}``). Each file is one shard; the text is already clean
    (the pipeline drops the tags and placeholders WikiExtractor leaves). WikiExtractor writes
    articles only, unless told otherwise: a document is in namespace 0 unless its title starts
    with one of MediaWiki's canonical namespace names (``Category:``, ``Template:``, ...).

    Args:
        readahead: decompress ``.bz2`` files in a background thread while documents are
            parsed (default ``False``; the corpus turns it on in the reading process).
    """

    name = "wikiextractor"

    def __init__(self, readahead: bool = False, **_: object) -> None:
        self.readahead = readahead

    @classmethod
    def sniff(cls, head: bytes, path: str) -> bool:
        text = head.lstrip()
        if text.startswith(b"<doc ") or text.startswith(b"<doc>"):
            return True
        if text.startswith(b"{"):
            line = text.split(b"\n", 1)[0]
            try:
                obj = json.loads(line)
            except ValueError:
                return b'"text"' in line and b'"title"' in line
            return isinstance(obj, dict) and "text" in obj
        return False

    def shards(self, path: str, file_index: int) -> list[Shard]:
        key = shard_key(file_index, Path(path).parent.name + "_" + Path(path).name)
        return [Shard(key=key, path=str(path), reader=self.name, nbytes=os.path.getsize(path))]

    def read(self, shard: Shard, stats: CorpusStats, skip_bad_pages: bool) -> Iterator[RawPage]:
        stats.files += 1
        counter = [0]
        last = ["(none: first document of the file)"]
        try:
            with open_text_lines(
                shard.path,
                "utf-8",
                counter,
                errors="replace" if skip_bad_pages else "strict",
                stats=stats,
                readahead=self.readahead,
            ) as lines:
                yield from self._docs(lines, shard, stats, skip_bad_pages, last)
        except DECOMPRESSION_ERRORS as exc:
            msg = (
                f"{shard.path}: compressed data is truncated or corrupt ({exc}) after "
                f"{counter[0]:,} uncompressed bytes, last good document {last[0]}; re-extract the "
                "file, or pass --skip-bad-pages to count and skip broken documents"
            )
            if not skip_bad_pages:
                raise CorruptInputError(msg) from exc
            logger.warning("%s", msg)
            stats.bad_pages += 1
        except UnicodeDecodeError as exc:
            raise CorruptInputError(
                f"{shard.path}: not valid UTF-8 after {counter[0]:,} bytes, last good document "
                f"{last[0]}; pass --skip-bad-pages to replace undecodable bytes"
            ) from exc

    def _docs(self, lines, shard, stats, skip_bad_pages, last) -> Iterator[RawPage]:
        doc: dict[str, str] | None = None
        body: list[str] = []
        for lineno, line in enumerate(lines, 1):
            if doc is None:
                if line.startswith("{"):
                    stats.pages += 1
                    try:
                        obj = json.loads(line)
                        title = str(obj.get("title", ""))
                        page = RawPage(
                            title,
                            str(obj["id"]),
                            DEFAULT_NAMESPACES.namespace_of_title(title),
                            False,
                            str(obj["text"]),
                            False,
                        )
                    except (ValueError, KeyError, TypeError) as exc:
                        if not skip_bad_pages:
                            raise CorruptInputError(
                                f"{shard.path}:{lineno}: bad JSON document ({exc}) after "
                                f"{last[0]}; pass --skip-bad-pages to skip it"
                            ) from exc
                        stats.bad_pages += 1
                        continue
                    last[0] = f"{page.title!r} (id {page.page_id})"
                    yield page
                elif line.startswith("<doc"):
                    doc = dict(_ATTR_RE.findall(line))
                    body = []
                elif line.strip():
                    stats.pages += 1
                    if not skip_bad_pages:
                        raise CorruptInputError(
                            f"{shard.path}:{lineno}: text outside a <doc> block after {last[0]}; "
                            "pass --skip-bad-pages to skip it"
                        )
                    stats.bad_pages += 1
                continue
            if line.startswith("</doc>"):
                stats.pages += 1
                title = doc.get("title", "")
                if body and body[0].strip() == title.strip():
                    body = body[1:]
                ns = DEFAULT_NAMESPACES.namespace_of_title(title)
                page = RawPage(title, doc.get("id", ""), ns, False, "\n".join(body), False)
                last[0] = f"{title!r} (id {page.page_id})"
                doc = None
                yield page
            elif line.startswith("<doc ") and not skip_bad_pages:
                raise CorruptInputError(
                    f"{shard.path}:{lineno}: <doc> without </doc> (document {doc.get('title')!r}); "
                    "pass --skip-bad-pages to skip it"
                )
            elif line.startswith("<doc "):
                stats.pages += 1
                stats.bad_pages += 1
                doc = dict(_ATTR_RE.findall(line))
                body = []
            else:
                body.append(line)
        if doc is not None:
            stats.pages += 1
            msg = f"{shard.path}: file ends inside document {doc.get('title')!r} (truncated?)"
            if not skip_bad_pages:
                raise CorruptInputError(msg + "; pass --skip-bad-pages to skip it")
            logger.warning("%s", msg)
            stats.bad_pages += 1
