"""The re-iterable :class:`Corpus` and the :func:`open_corpus` entry point."""

from __future__ import annotations

import glob
import logging
import multiprocessing
import os
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from corpora._compressed import cancel_prefetch, compression_of, prefetch_chunks, read_head
from corpora._pipeline import Pipeline
from corpora._raw_page import RawPage
from corpora.corpus_stats import CorpusStats
from corpora.document import Document
from corpora.errors import InputError
from corpora.phrase_matcher import PhraseMatcher
from corpora.reader_registry import READERS, create_reader, detect_reader
from corpora.shard import Shard
from corpora.tokenizer import Tokenizer

__all__ = ["Corpus", "open_corpus"]

logger = logging.getLogger(__name__)

R = TypeVar("R")

_GLOB_CHARS = set("*?[")
# Shards above this many (compressed) bytes are not returned whole from a worker; the main
# process reads them and feeds page batches to the workers instead.
_MAX_WHOLE_SHARD_BYTES = 16_000_000
# Text characters / pages per batch fed to a worker (on 2 cores, 2 MB batches made a
# single-stream pass 1.40x one core, 0.5 MB batches 1.52x: less waiting at the start and end).
_BATCH_CHARS = 500_000
_BATCH_PAGES = 500
# os.nice() increment of the workers that the main process feeds with pages (see _feed).
_FEED_WORKER_NICE = 10


def _is_index_file(path: Path) -> bool:
    return path.name.endswith(("-index.txt.bz2", "-index.txt"))


def _expand(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], dict[str, Path]]:
    """Input files in a stable order, and explicit multistream indexes keyed by dump stem."""
    files: list[Path] = []
    indexes: dict[str, Path] = {}
    for raw in paths:
        p = Path(raw)
        text = os.fspath(raw)
        if not p.exists() and _GLOB_CHARS & set(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                raise InputError(f"{text}: the pattern matches no files; check the path")
            found = matches
        elif p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                raise InputError(f"{p}: the folder holds no files")
        elif p.is_file():
            found = [p]
        else:
            raise InputError(f"{p}: no such file or folder; check the path")
        for f in found:
            if _is_index_file(f):
                stem = f.name.rsplit("-index.txt", 1)[0]
                indexes[str(f.parent / stem)] = f
            else:
                files.append(f)
    if not files:
        raise InputError(f"no corpus files among {', '.join(map(str, paths))} (only indexes)")
    return files, indexes


def _reader_from_name(f: Path) -> str | None:
    name = f.name.lower()
    if ".xml" in name:
        return "mediawiki"
    if name.startswith("wiki_"):
        return "wikiextractor"
    if ".txt" in name:
        return "text"
    return None


def _index_for(f: Path, indexes: dict[str, Path]) -> Path | None:
    name = f.name
    for suffix in (".xml.bz2", ".bz2"):
        if name.endswith(suffix):
            return indexes.get(str(f.parent / name[: -len(suffix)]))
    return None


class Corpus:
    """A re-iterable corpus of :class:`~corpora.Document` (see :func:`open_corpus`).

    Every ``for doc in corpus`` re-opens the files; documents come in the same order for any
    number of processes. After a pass, :attr:`stats` holds its counters.
    """

    def __init__(
        self,
        files: list[tuple[str, str, dict[str, Any]]],
        pipeline: Pipeline,
        processes: int = 1,
        skip_bad_pages: bool = False,
        progress: bool = True,
        readahead: bool = True,
    ) -> None:
        self.files = files  # (path, reader name, reader options)
        self.pipeline = pipeline
        self.processes = max(1, int(processes))
        self.skip_bad_pages = skip_bad_pages
        self.progress = progress
        # Decompress in a thread in the reading process (see ReadAhead); in the workers only
        # when there are two cores per worker, so that N workers keep to N cores otherwise.
        self.readahead = readahead
        self.stats = CorpusStats()
        self._shards: list[Shard] | None = None

    def __repr__(self) -> str:
        return f"Corpus({len(self.files)} files, processes={self.processes})"

    @property
    def matcher(self) -> PhraseMatcher | None:
        return self.pipeline.matcher

    def shards(self) -> list[Shard]:
        """The independently readable pieces of this corpus, in reading order."""
        if self._shards is None:
            shards: list[Shard] = []
            for i, (path, reader, options) in enumerate(self.files):
                shards.extend(create_reader(reader, **options).shards(path, i))
            self._shards = shards
        return list(self._shards)

    def _reader_for(self, shard: Shard) -> Any:
        for path, reader, options in self.files:
            if path == shard.path:
                return create_reader(reader, **options)
        raise KeyError(shard.path)

    # ------------------------------------------------------------------ serial building blocks
    def _raw_pages(
        self, shard: Shard, stats: CorpusStats, readahead: bool = False
    ) -> Iterator[RawPage]:
        reader = self._reader_for(shard)
        reader.readahead = readahead  # decompression in a thread, beside the page parsing
        yield from reader.read(shard, stats, self.skip_bad_pages)
        stats.compressed_bytes += shard.nbytes

    def _prefetching(self, shards: Sequence[Shard]) -> Iterator[Shard]:
        """Yield ``shards``; with read-ahead on, the next shard's decompression starts when
        one is handed out (so the decompressing thread never waits at a shard boundary)."""
        if not self.readahead:
            yield from shards
            return
        started: list[Shard] = []
        try:
            for i, shard in enumerate(shards):
                if i + 1 < len(shards):
                    nxt = shards[i + 1]
                    prefetch_chunks(nxt.path, nxt.start, nxt.end)
                    started.append(nxt)
                yield shard
        finally:
            for shard in started:  # no-ops for the prefetches the readers took
                cancel_prefetch(shard.path, shard.start, shard.end)

    def _shard_docs_serial(self, shard: Shard, stats: CorpusStats) -> Iterator[Document]:
        return self.pipeline.run(self._raw_pages(shard, stats, self.readahead), stats)

    # ------------------------------------------------------------------ iteration
    def __iter__(self) -> Iterator[Document]:
        stats = CorpusStats()
        self.stats = stats
        t0 = time.perf_counter()
        bar = _Progress(self.progress, stats, t0)
        shards = self.shards()
        try:
            if self.processes <= 1:
                for shard in self._prefetching(shards):
                    for n, doc in enumerate(self._shard_docs_serial(shard, stats)):
                        if n % 64 == 0:
                            bar.refresh()
                        yield doc
            elif len(shards) > 1 and max(s.nbytes for s in shards) <= _MAX_WHOLE_SHARD_BYTES:
                with self._pool() as pool:
                    for packed, st in _ordered_map(
                        pool, _worker_shard_docs, shards, self.processes
                    ):
                        stats.merge(st)
                        bar.refresh()
                        yield from _unpack(packed)
            else:
                yield from self._feed(shards, stats, bar, self.processes)
        finally:
            stats.seconds = time.perf_counter() - t0
            bar.close()

    def _feed(
        self, shards: list[Shard], stats: CorpusStats, bar: _Progress, processes: int
    ) -> Iterator[Document]:
        """Read pages here and let ``processes`` workers clean/tokenize/match batches."""

        def batches() -> Iterator[list[RawPage]]:
            for shard in self._prefetching(shards):
                batch: list[RawPage] = []
                size = 0
                # This process only reads: decompression in a thread keeps it ahead of the
                # workers (bz2 releases the GIL).
                for page in self._raw_pages(shard, stats, self.readahead):
                    batch.append(page)
                    size += len(page.text)
                    if size >= _BATCH_CHARS or len(batch) >= _BATCH_PAGES:
                        yield batch
                        batch, size = [], 0
                if batch:
                    yield batch

        # The workers run at a lower priority: when they outnumber the free cores, the one
        # reading (and decompressing) process would otherwise get only its share of a core
        # and hold them all back (2 workers on 2 cores: 1.45x -> 1.6x one core; nice 5 gave 1.53x).
        with self._pool(processes, nice=_FEED_WORKER_NICE) as pool:
            for packed, st in _ordered_map(pool, _worker_process_batch, batches(), processes):
                stats.merge(st)
                bar.refresh()
                yield from _unpack(packed)

    def _pool(self, processes: int | None = None, nice: int = 0) -> Any:
        procs = processes or self.processes
        # Workers that read whole shards decompress in a thread too when every worker can
        # have a second core (on 2 cores, 2 workers already use both).
        readahead = self.readahead and usable_cpus() >= 2 * procs
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        return ctx.Pool(
            procs,
            initializer=_worker_init,
            initargs=(self.files, self.pipeline, self.skip_bad_pages, nice, readahead),
        )

    # ------------------------------------------------------------------ per-shard work
    def map_shards(
        self,
        fn: Callable[[str, Iterator[Document]], R],
        shards: Sequence[Shard] | None = None,
        processes: int | None = None,
    ) -> Iterator[tuple[Shard, R]]:
        """Run ``fn(shard.key, documents)`` on every shard; yield ``(shard, result)`` in order.

        ``fn`` must be a top-level (picklable) function. With several processes and several
        shards, whole shards run in the workers; otherwise ``fn`` runs here over the shard's
        documents (processed by the workers when ``processes > 1``). :attr:`stats` holds the
        counters of the shards processed by this call.
        """
        shards = list(self.shards() if shards is None else shards)
        procs = max(1, int(processes or self.processes))
        stats = CorpusStats()
        self.stats = stats
        t0 = time.perf_counter()
        bar = _Progress(self.progress, stats, t0, total_shards=len(shards))
        try:
            if procs > 1 and len(shards) > 1:
                with self._pool(procs) as pool:
                    tasks = [(fn, s) for s in shards]
                    for shard, (result, st) in zip(
                        shards, _ordered_map(pool, _worker_map_shard, tasks, procs)
                    ):
                        stats.merge(st)
                        bar.refresh(shard_done=True)
                        yield shard, result
            else:
                for shard in self._prefetching(shards):
                    if procs > 1:
                        docs = self._feed([shard], stats, bar, procs)
                    else:
                        docs = _refreshing(self._shard_docs_serial(shard, stats), bar)
                    result = fn(shard.key, docs)
                    bar.refresh(shard_done=True)
                    yield shard, result
        finally:
            stats.seconds = time.perf_counter() - t0
            bar.close()


def _refreshing(docs: Iterator[Document], bar: _Progress) -> Iterator[Document]:
    for n, doc in enumerate(docs):
        if n % 64 == 0:
            bar.refresh()
        yield doc


def _ordered_map(
    pool: Any, fn: Callable[[Any], R], items: Iterable[Any], processes: int
) -> Iterator[R]:
    """``pool.imap`` with at most ``2 * processes`` tasks in flight (bounded memory)."""
    window = 2 * processes
    pending: deque[Any] = deque()
    for item in items:
        pending.append(pool.apply_async(fn, (item,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


# ---------------------------------------------------------------------- worker side
_WORKER: Corpus | None = None


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _worker_init(
    files: list[tuple[str, str, dict[str, Any]]],
    pipeline: Pipeline,
    skip: bool,
    nice: int = 0,
    readahead: bool = False,
) -> None:
    global _WORKER
    if nice > 0:
        os.nice(nice)
    _WORKER = Corpus(
        files, pipeline, processes=1, skip_bad_pages=skip, progress=False, readahead=readahead
    )


_Packed = tuple[str, str, str, "array | None", "array | None", "tuple | None"]


def _pack_text(
    sentences: list[list[str]], mentions: list[list[tuple[int, int]]]
) -> tuple[str, array | None, array | None]:
    text = "\n".join([" ".join(s) for s in sentences])
    counts = array("l", map(len, mentions))
    if any(counts):
        return text, counts, array("l", chain.from_iterable(chain.from_iterable(mentions)))
    return text, None, None


def _unpack_text(
    text: str, counts: array | None, flat: array | None
) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
    sentences = [s.split(" ") for s in text.split("\n")] if text else []
    if counts is None:
        mentions: list[list[tuple[int, int]]] = [[] for _ in sentences]
    else:
        pairs = zip(flat[0::2], flat[1::2])
        mentions = [list(islice(pairs, n)) for n in counts]
    return sentences, mentions


def _pack(docs: Iterable[Document]) -> list[_Packed]:
    """Documents in a form that pickles fast: one string of sentences, flat int mentions.

    Tokens never hold spaces or newlines, so ``"\n".join(" ".join(s))`` is lossless;
    mentions become per-sentence counts and ``[position, label, ...]`` int arrays (``None``
    for a document without mentions); captions (when there are some) the same way.
    """
    out: list[_Packed] = []
    for d in docs:
        text, counts, flat = _pack_text(d.sentences, d.mentions)
        captions = _pack_text(d.captions, d.caption_mentions) if d.captions else None
        out.append((d.doc_id, d.title, text, counts, flat, captions))
    return out


def _unpack(packed: list[_Packed]) -> Iterator[Document]:
    for doc_id, title, text, counts, flat, captions in packed:
        sentences, mentions = _unpack_text(text, counts, flat)
        if captions is None:
            yield Document(doc_id, title, sentences, mentions)
        else:
            yield Document(doc_id, title, sentences, mentions, *_unpack_text(*captions))


def _worker_shard_docs(shard: Shard) -> tuple[list[_Packed], CorpusStats]:
    assert _WORKER is not None
    stats = CorpusStats()
    return _pack(_WORKER._shard_docs_serial(shard, stats)), stats


def _worker_process_batch(
    batch: list[RawPage],
) -> tuple[list[_Packed], CorpusStats]:
    assert _WORKER is not None
    stats = CorpusStats()
    return _pack(_WORKER.pipeline.run(batch, stats)), stats


def _worker_map_shard(
    task: tuple[Callable[[str, Iterator[Document]], R], Shard],
) -> tuple[R, CorpusStats]:
    assert _WORKER is not None
    fn, shard = task
    stats = CorpusStats()
    result = fn(shard.key, _WORKER._shard_docs_serial(shard, stats))
    return result, stats


class _Progress:
    """tqdm bar over uncompressed bytes with pages/s in the postfix (stderr; off = no-op)."""

    def __init__(self, enabled: bool, stats: CorpusStats, t0: float, total_shards: int = 0) -> None:
        self.stats = stats
        self.t0 = t0
        self.shown = 0
        self.shards_done = 0
        self.total_shards = total_shards
        self.last = 0.0
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                desc="reading",
                unit="B",
                unit_scale=True,
                unit_divisor=1000,
                file=sys.stderr,
                dynamic_ncols=True,
                mininterval=0.5,
            )

    def refresh(self, shard_done: bool = False) -> None:
        if shard_done:
            self.shards_done += 1
        if self.bar is None:
            return
        now = time.perf_counter()
        delta = self.stats.uncompressed_bytes - self.shown
        if delta > 0:
            self.bar.update(delta)
            self.shown += delta
        if now - self.last >= 0.5 or shard_done:
            self.last = now
            el = max(now - self.t0, 1e-9)
            shards = f", shard {self.shards_done}/{self.total_shards}" if self.total_shards else ""
            self.bar.set_postfix_str(
                f"{self.stats.uncompressed_bytes / el / 1e6:.1f} MB/s, "
                f"{self.stats.pages / el:.0f} pages/s{shards}",
                refresh=False,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.refresh()
            self.bar.close()


# ---------------------------------------------------------------------- factory
def open_corpus(
    path_or_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    matcher: PhraseMatcher | Sequence[str] | None = None,
    processes: int = 1,
    lowercase: bool = True,
    numbers: str = "keep",
    namespaces: Sequence[int] | None = (0,),
    skip_disambiguation: bool = False,
    skip_bad_pages: bool = False,
    progress: bool = True,
    format: str | None = None,
    index: str | os.PathLike[str] | None = None,
    shard_mb: float = 1.0,
    documents: str = "auto",
    min_sentence_tokens: int = 1,
    readahead: bool = True,
    captions: bool = False,
) -> Corpus:
    """Open Wikipedia XML dumps, WikiExtractor output or plain text as one :class:`Corpus`.

    Args:
        path_or_paths: a file, a folder (all files below it, sorted, hidden ones skipped), a
            glob pattern, or a list of those. ``*-index.txt(.bz2)`` files are used as the
            multistream index of the dump beside them.
        matcher: a :class:`PhraseMatcher` or a list of label names to build one from.
        processes: worker processes (default 1); the output is identical for any value.
        lowercase: lower-case tokens (default ``True``).
        numbers: ``"keep"``, ``"normalize"`` (digits -> 0) or ``"drop"`` digit-only tokens.
        namespaces: MediaWiki namespaces to keep (default ``(0,)``: articles; ``None``: all).
        skip_disambiguation: skip disambiguation pages (default ``False``).
        skip_bad_pages: count and skip broken pages / file tails instead of raising
            :class:`~corpora.CorruptInputError` (default ``False``).
        progress: tqdm bar on stderr (default ``True``).
        format: force a reader (``"mediawiki"``, ``"wikiextractor"``, ``"text"``) instead of
            sniffing each file.
        index: multistream index for a single dump (default: found beside the dump).
        shard_mb: compressed MB per shard of a multistream dump (default 1.0).
        documents: plain text only: ``"auto"``, ``"line"`` or ``"paragraph"``.
        min_sentence_tokens: drop sentences with fewer tokens (default 1).
        readahead: decompress bz2/gzip dumps in a background thread of the reading process
            while it parses and tokenizes (default ``True``). bz2 and zlib release the GIL,
            so a serial pass then uses a second core when one is free: wall time drops
            towards the larger of decompression and processing, CPU time does not change,
            nor does the output. Worker processes that read whole shards start one only
            when the machine has two usable CPUs per worker.
        captions: also keep the image captions of wikitext pages (framed file links and
            gallery lines, which the cleaner drops from the running text) as
            :attr:`Document.captions <corpora.Document.captions>` token lists, with their
            label mentions (default ``False``). The sentences are the same either way;
            WikiExtractor output and plain text have no captions.

    Raises:
        InputError: missing path, empty folder, unrecognised format.
    """
    if isinstance(path_or_paths, (str, os.PathLike)):
        path_or_paths = [path_or_paths]
    files, indexes = _expand(list(path_or_paths))
    if format is not None:
        format = READERS.canonical(format)  # the catalogue's "unknown corpus format" error
    resolved: list[tuple[str, str, dict[str, Any]]] = []
    detected: dict[tuple[str, str], str] = {}
    for f in files:
        reader = format
        if reader is None:
            # Files of one folder with the same suffix share a format: sniff the first only.
            group = (str(f.parent), "".join(f.suffixes))
            reader = detected.get(group)
            if reader is None:
                head = read_head(f)
                if not head and compression_of(f):
                    # Nothing decompressible at the start (a truncated first block): go by the
                    # name, the read will report the damage with its context.
                    reader = _reader_from_name(f)
                else:
                    reader = detect_reader(f, head)
                if reader is None:
                    raise InputError(
                        f"{f}: unrecognised format (not MediaWiki XML, WikiExtractor output or "
                        "UTF-8 text); pass a dump (.xml/.xml.bz2/.xml.gz), a WikiExtractor "
                        "folder or text files"
                    )
                detected[group] = reader
        idx = _index_for(f, indexes) or (index if len(files) == 1 else None)
        offered = {
            "shard_mb": shard_mb,
            "index": os.fspath(idx) if idx else None,
            "documents": documents,
        }
        # each reader gets the options its catalogue entry declares
        accepted = {o.name for o in READERS.options(reader)}
        options = {k: v for k, v in offered.items() if k in accepted}
        resolved.append((str(f), reader, options))
    if matcher is not None and not isinstance(matcher, PhraseMatcher):
        matcher = PhraseMatcher(list(matcher))
    pipeline = Pipeline(
        tokenizer=Tokenizer(lowercase=lowercase, numbers=numbers, min_tokens=min_sentence_tokens),
        matcher=matcher,
        namespaces=None if namespaces is None else tuple(int(n) for n in namespaces),
        skip_disambiguation=skip_disambiguation,
        captions=captions,
    )
    return Corpus(
        resolved,
        pipeline,
        processes=processes,
        skip_bad_pages=skip_bad_pages,
        progress=progress,
        readahead=readahead,
    )
