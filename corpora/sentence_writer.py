"""Write a corpus as one sentence per line, resumably, shard by shard.

Each finished shard is written to ``.<out>.parts/<shard key>.txt`` plus a ``.json`` with its
counters (both atomically), so a run killed at 90 % redoes only the unfinished shards when
started again with ``resume=True``. When every shard is done the parts are concatenated, in
shard order, into ``out`` (atomically) and the parts folder is removed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from corpora.atomic import atomic_write
from corpora.corpus import Corpus
from corpora.corpus_stats import CorpusStats
from corpora.document import Document
from corpora.errors import InputError
from corpora.shard import Shard

__all__ = ["write_sentences", "parts_dir_for"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def parts_dir_for(out: str | os.PathLike[str]) -> Path:
    """The folder holding the per-shard progress of :func:`write_sentences` for ``out``."""
    out = Path(out)
    return out.parent / f".{out.name}.parts"


def _params(corpus: Corpus) -> dict[str, Any]:
    p = corpus.pipeline
    names = p.matcher.names if p.matcher is not None else []
    return {
        "format_version": FORMAT_VERSION,
        "files": [
            {"path": os.path.abspath(path), "bytes": os.path.getsize(path), "reader": reader}
            for path, reader, _ in corpus.files
        ],
        "reader_options": [opts for _, _, opts in corpus.files],
        "tokenizer": repr(p.tokenizer),
        "namespaces": list(p.namespaces) if p.namespaces is not None else None,
        "skip_disambiguation": p.skip_disambiguation,
        "skip_bad_pages": corpus.skip_bad_pages,
        "labels_sha1": hashlib.sha1("\n".join(names).encode("utf-8")).hexdigest(),
        "plurals": getattr(p.matcher, "plurals", None),
    }


def _write_part(parts: str, key: str, docs: Iterator[Document]) -> dict[str, int]:
    """Write one shard's sentences to ``parts/key.txt`` (atomically); return line count."""
    lines = 0
    with atomic_write(Path(parts) / f"{key}.txt") as fh:
        for doc in docs:
            for sent in doc.sentences:
                fh.write(" ".join(sent))
                fh.write("\n")
                lines += 1
    return {"lines": lines}


def write_sentences(
    corpus: Corpus,
    out: str | os.PathLike[str],
    resume: bool = False,
    on_shard_done: Callable[[Shard, CorpusStats], None] | None = None,
) -> CorpusStats:
    """Write ``corpus`` to ``out``: one sentence per line, tokens separated by spaces.

    The file is usable as gensim's ``corpus_file`` (label phrases are single tokens when the
    corpus has a matcher).

    Args:
        corpus: the corpus (its ``processes`` are used for the shards).
        out: output text file (UTF-8), written atomically at the end.
        resume: keep the finished shards of an earlier, interrupted run with the same inputs
            and options (default ``False``: start over).
        on_shard_done: called with ``(shard, shard_stats)`` after each shard is saved.

    Returns:
        Counters over all shards (including the ones kept from an earlier run);
        ``seconds`` is the time of this run.

    Raises:
        InputError: ``resume`` with parts made from other inputs or options.
    """
    t0 = time.perf_counter()
    out = Path(out)
    parts = parts_dir_for(out)
    params = _params(corpus)
    shards = corpus.shards()
    manifest_path = parts / "manifest.json"
    if parts.exists() and resume:
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if old is not None and old.get("params") != params:
            raise InputError(
                f"{parts}: the interrupted run used other inputs or options; run again "
                "without --resume to start over (or delete that folder)"
            )
    elif parts.exists():
        logger.info("starting over: removing the unfinished parts in %s", parts)
        shutil.rmtree(parts)
    parts.mkdir(parents=True, exist_ok=True)
    with atomic_write(manifest_path) as fh:
        json.dump({"params": params, "shards": [s.key for s in shards]}, fh, indent=1)

    total = CorpusStats()
    todo: list[Shard] = []
    for shard in shards:
        meta = parts / f"{shard.key}.json"
        if meta.is_file() and (parts / f"{shard.key}.txt").is_file():
            total.merge(
                CorpusStats.from_dict(json.loads(meta.read_text(encoding="utf-8"))["stats"])
            )
        else:
            todo.append(shard)
    if len(todo) < len(shards):
        logger.info("resuming: %d of %d shards already done", len(shards) - len(todo), len(shards))
    fn = functools.partial(_write_part, str(parts))
    run_stats = CorpusStats()
    for shard, _result in corpus.map_shards(fn, todo):
        # map_shards resets corpus.stats per call; take this shard's share of it.
        shard_stats = _delta(corpus.stats, run_stats)
        run_stats.merge(shard_stats)
        with atomic_write(parts / f"{shard.key}.json") as fh:
            json.dump({"stats": shard_stats.to_dict()}, fh)
        total.merge(shard_stats)
        if on_shard_done is not None:
            on_shard_done(shard, shard_stats)
    with atomic_write(out, "wb") as dst:
        for shard in shards:
            with open(parts / f"{shard.key}.txt", "rb") as src:
                shutil.copyfileobj(src, dst, 1 << 20)
    shutil.rmtree(parts)
    total.seconds = time.perf_counter() - t0
    return total


def _delta(now: CorpusStats, before: CorpusStats) -> CorpusStats:
    d = CorpusStats()
    for k, v in now.to_dict().items():
        setattr(d, k, v - getattr(before, k))
    d.seconds = 0.0
    return d
