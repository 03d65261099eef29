"""Plain text files: one document per line, or documents separated by blank lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from corpora._compressed import DECOMPRESSION_ERRORS, open_binary, open_text_lines
from corpora._raw_page import RawPage
from corpora.corpus_stats import CorpusStats
from corpora.errors import CorruptInputError
from corpora.reader_registry import register_reader
from corpora.shard import Shard, shard_key

__all__ = ["PlainTextReader"]


@register_reader("text", priority=90)
class PlainTextReader:
    """Reader for plain UTF-8 text (optionally bz2/gz compressed). Each file is one shard.

    Args:
        documents: ``"auto"`` (default: blank-line separated when the file has blank lines
            between text lines, else one document per line), ``"line"`` or ``"paragraph"``.
        readahead: decompress in a background thread while lines are parsed (default
            ``False``; the corpus turns it on in the reading process).

    Document ids are ``"<file name>:<first line number>"``; titles are empty; every document
    is in namespace 0 (an article), and the text is not wikitext (the pipeline only drops the
    tags and placeholders that extractors leave).
    """

    name = "text"

    def __init__(self, documents: str = "auto", readahead: bool = False, **_: object) -> None:
        self.documents = documents
        self.readahead = readahead

    @classmethod
    def sniff(cls, head: bytes, path: str) -> bool:
        if b"\x00" in head[:4096]:
            return False
        try:
            head[:4096].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head[:4096]) - 4:  # not just a character cut at the end
                return False
        return True

    def shards(self, path: str, file_index: int) -> list[Shard]:
        key = shard_key(file_index, Path(path).name)
        return [Shard(key=key, path=str(path), reader=self.name, nbytes=os.path.getsize(path))]

    def read(self, shard: Shard, stats: CorpusStats, skip_bad_pages: bool) -> Iterator[RawPage]:
        stats.files += 1
        counter = [0]
        name = Path(shard.path).name
        mode = self.documents
        try:
            with open_text_lines(
                shard.path,
                "utf-8-sig",
                counter,
                errors="replace" if skip_bad_pages else "strict",
                stats=stats,
                readahead=self.readahead,
            ) as lines:
                if mode == "auto":
                    with open_binary(shard.path) as probe:
                        head = probe.read(1 << 20).decode("utf-8", errors="replace")
                    mode = "paragraph" if "\n\n" in head.replace("\r", "").strip("\n") else "line"
                block: list[str] = []
                first = 0
                for lineno, line in enumerate(lines, 1):
                    line = line.rstrip("\r")
                    if mode == "line":
                        if line.strip():
                            stats.pages += 1
                            yield RawPage("", f"{name}:{lineno}", 0, False, line, False)
                        continue
                    if line.strip():
                        if not block:
                            first = lineno
                        block.append(line)
                    elif block:
                        stats.pages += 1
                        yield RawPage("", f"{name}:{first}", 0, False, " ".join(block), False)
                        block = []
                if block:
                    stats.pages += 1
                    yield RawPage("", f"{name}:{first}", 0, False, " ".join(block), False)
        except DECOMPRESSION_ERRORS as exc:
            msg = (
                f"{shard.path}: compressed data is truncated or corrupt ({exc}) after "
                f"{counter[0]:,} uncompressed bytes"
            )
            if not skip_bad_pages:
                raise CorruptInputError(
                    msg + "; pass --skip-bad-pages to keep what was read"
                ) from exc
            stats.bad_pages += 1
        except UnicodeDecodeError as exc:
            raise CorruptInputError(
                f"{shard.path}: not valid UTF-8 after {counter[0]:,} bytes; pass "
                "--skip-bad-pages to replace undecodable bytes"
            ) from exc
