from collections.abc import Iterator
from pathlib import Path

import pytest

from corpora import (
    CorruptInputError,
    Document,
    InputError,
    PhraseMatcher,
    open_corpus,
    write_sentences,
)
from corpora.multistream_writer import write_multistream
from corpora.sentence_writer import parts_dir_for

NAMES = ["Grocery store", "Seal (animal)", "Cat", "Dog"]


@pytest.fixture
def multistream(write_dump, tmp_path: Path) -> Path:
    src = write_dump("src.xml.bz2")
    out, _ = write_multistream(
        src, tmp_path / "ms-multistream.xml.bz2", pages_per_stream=2, repeat=4
    )
    return out


def _dump(corpus) -> list[tuple]:
    return [(d.doc_id, d.title, d.sentences, d.mentions) for d in corpus]


def test_parallel_equals_serial_multistream(multistream: Path) -> None:
    kw = dict(matcher=PhraseMatcher(NAMES), progress=False, shard_mb=1e-6)
    serial = open_corpus(multistream, processes=1, **kw)
    parallel = open_corpus(multistream, processes=2, **kw)
    assert len(serial.shards()) > 4
    expected = _dump(serial)
    assert _dump(parallel) == expected and len(expected) == 12
    assert parallel.stats.to_dict() | {"seconds": 0} == serial.stats.to_dict() | {"seconds": 0}


def test_parallel_equals_serial_single_file_feed(write_dump) -> None:
    path = write_dump("one.xml.bz2")
    kw = dict(matcher=NAMES, progress=False)
    assert _dump(open_corpus(path, processes=2, **kw)) == _dump(open_corpus(path, **kw))


def count_docs(key: str, docs: Iterator[Document]) -> tuple[str, int]:
    return key, sum(1 for _ in docs)


@pytest.mark.parametrize("processes", [1, 2])
def test_map_shards_in_order(multistream: Path, processes: int) -> None:
    corpus = open_corpus(multistream, progress=False, shard_mb=1e-6, processes=processes)
    shards = corpus.shards()
    results = list(corpus.map_shards(count_docs))
    assert [s.key for s, _ in results] == [s.key for s in shards]
    assert all(r[0] == s.key for s, r in results)
    assert sum(r[1] for _, r in results) == 12 == corpus.stats.articles
    some = list(corpus.map_shards(count_docs, shards=shards[2:4]))
    assert [s.key for s, _ in some] == [s.key for s in shards[2:4]]


class Killed(Exception):
    pass


def test_resume_after_kill(multistream: Path, tmp_path: Path) -> None:
    out = tmp_path / "sentences.txt"
    full = tmp_path / "full.txt"
    kw = dict(matcher=NAMES, progress=False, shard_mb=1e-6)
    write_sentences(open_corpus(multistream, **kw), full)
    expected = full.read_text()
    assert "grocery_store" in expected and expected.count("\n") == 24

    done: list[str] = []

    def kill_after_three(shard, stats) -> None:
        done.append(shard.key)
        if len(done) == 3:
            raise Killed

    corpus = open_corpus(multistream, **kw)
    with pytest.raises(Killed):
        write_sentences(corpus, out, on_shard_done=kill_after_three)
    assert not out.exists()
    parts = parts_dir_for(out)
    assert sorted(p.stem for p in parts.glob("*.json") if p.stem != "manifest") == sorted(done)

    redone: list[str] = []
    stats = write_sentences(
        open_corpus(multistream, **kw),
        out,
        resume=True,
        on_shard_done=lambda shard, st: redone.append(shard.key),
    )
    assert set(redone).isdisjoint(done) and len(redone) + 3 == len(corpus.shards())
    assert out.read_text() == expected and not parts.exists()
    assert stats.sentences == 24 and stats.articles == 12


def test_resume_refuses_other_options(multistream: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.txt"
    with pytest.raises(Killed):
        write_sentences(
            open_corpus(multistream, progress=False, shard_mb=1e-6),
            out,
            on_shard_done=lambda s, st: (_ for _ in ()).throw(Killed()),
        )
    other = open_corpus(multistream, progress=False, shard_mb=1e-6, numbers="drop")
    with pytest.raises(InputError, match="other inputs or options; run again without --resume"):
        write_sentences(other, out, resume=True)
    write_sentences(other, out)  # without resume: starts over
    manifest = parts_dir_for(out) / "manifest.json"
    assert out.is_file() and not manifest.exists()


def test_corrupt_stream_reported_from_worker(multistream: Path) -> None:
    corpus = open_corpus(multistream, progress=False, shard_mb=1e-6, processes=2)
    shard = corpus.shards()[3]
    data = bytearray(multistream.read_bytes())
    data[shard.start + 40 : shard.start + 60] = b"\x00" * 20  # inside one bz2 stream
    multistream.write_bytes(bytes(data))
    with pytest.raises(
        CorruptInputError,
        match=rf"streams at bytes {shard.start}-{shard.end}\).*truncated or corrupt",
    ):
        list(open_corpus(multistream, progress=False, shard_mb=1e-6, processes=2))
    skipping = open_corpus(
        multistream, progress=False, shard_mb=1e-6, processes=2, skip_bad_pages=True
    )
    docs = list(skipping)
    assert skipping.stats.bad_pages == 1 and 0 < len(docs) < 12


def _niceness() -> int:
    import os

    return os.nice(0)


def test_feed_workers_run_at_lower_priority(write_dump) -> None:
    import os

    from corpora.corpus import _FEED_WORKER_NICE

    corpus = open_corpus(write_dump("one.xml.bz2"), processes=2, progress=False)
    with corpus._pool(1, nice=_FEED_WORKER_NICE) as pool:
        assert pool.apply(_niceness) == min(19, os.nice(0) + _FEED_WORKER_NICE)
    with corpus._pool(1) as pool:
        assert pool.apply(_niceness) == os.nice(0)


def worker_readahead(key: str, docs: Iterator[Document]) -> tuple[bool, int]:
    from corpora import corpus as corpus_module

    assert corpus_module._WORKER is not None
    return corpus_module._WORKER.readahead, sum(1 for _ in docs)


@pytest.mark.parametrize(("cpus", "expected"), [(2, False), (4, True)])
def test_workers_read_ahead_only_with_two_cpus_each(
    multistream: Path, monkeypatch, cpus: int, expected: bool
) -> None:
    from corpora import corpus as corpus_module

    monkeypatch.setattr(corpus_module, "usable_cpus", lambda: cpus)
    corpus = open_corpus(multistream, progress=False, shard_mb=1e-6, processes=2)
    results = [r for _, r in corpus.map_shards(worker_readahead)]
    assert {flag for flag, _ in results} == {expected}
    assert sum(n for _, n in results) == 12
    serial = _dump(open_corpus(multistream, progress=False, shard_mb=1e-6, readahead=False))
    assert _dump(open_corpus(multistream, progress=False, shard_mb=1e-6, processes=2)) == serial
