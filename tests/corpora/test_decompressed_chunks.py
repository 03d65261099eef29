"""Block decompression, prefetching and the read-ahead switch interval (corpora._compressed)."""

import bz2
import gzip
import random
import sys
import threading
from pathlib import Path

import pytest

import corpora._compressed as _compressed
from corpora import open_corpus
from corpora._compressed import (
    READAHEAD_SWITCH_INTERVAL,
    ReadAhead,
    cancel_prefetch,
    decompressed_chunks,
    open_chunks,
    prefetch_chunks,
)
from corpora.mediawiki_reader import xml_unescape
from corpora.multistream_writer import write_multistream


def _readahead_threads() -> int:
    """Live read-ahead threads (other threads, e.g. tqdm's monitor, come and go)."""
    return sum(t.name == "corpora-readahead" for t in threading.enumerate())


def _payload(n: int = 60_000, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    words = [b"cat", b"dog", b"grocery", b"store", b"seal", b"\xc3\xa9t\xc3\xa9"]
    return b" ".join(rng.choice(words) for _ in range(n)) + b"\n"


def _streams(tmp_path: Path) -> tuple[Path, list[bytes], list[int]]:
    """A file of three concatenated bz2 streams; their payloads and start offsets."""
    parts = [_payload(40_000, seed) for seed in range(3)]
    packed = [bz2.compress(p, compresslevel=1) for p in parts]
    path = tmp_path / "three.bz2"
    path.write_bytes(b"".join(packed))
    offsets = [0]
    for p in packed:
        offsets.append(offsets[-1] + len(p))
    return path, parts, offsets


@pytest.mark.parametrize("block_bytes", [97, 4096, 1 << 18])
def test_multistream_bz2_same_bytes_as_bz2_module(tmp_path: Path, block_bytes: int) -> None:
    path, parts, _ = _streams(tmp_path)
    got = b"".join(decompressed_chunks(path, block_bytes=block_bytes))
    assert got == b"".join(parts) == bz2.open(path).read()


def test_byte_range_holds_only_its_streams(tmp_path: Path) -> None:
    path, parts, offsets = _streams(tmp_path)
    got = b"".join(decompressed_chunks(path, offsets[1], offsets[3], block_bytes=1000))
    assert got == parts[1] + parts[2]
    assert b"".join(decompressed_chunks(path, 0, offsets[1])) == parts[0]


def test_gzip_members_and_zero_padding(tmp_path: Path) -> None:
    a, b = _payload(20_000, 1), _payload(20_000, 2)
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(a) + gzip.compress(b) + b"\0" * 8)
    assert b"".join(decompressed_chunks(path, block_bytes=500)) == a + b == gzip.open(path).read()


def test_plain_file_in_blocks(tmp_path: Path) -> None:
    data = _payload(5000)
    path = tmp_path / "x.xml"
    path.write_bytes(data)
    chunks = list(decompressed_chunks(path, block_bytes=1000))
    assert b"".join(chunks) == data and max(map(len, chunks)) == 1000


def test_truncated_bz2_raises_after_the_good_data(tmp_path: Path) -> None:
    path, parts, offsets = _streams(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: offsets[2] + (offsets[3] - offsets[2]) // 2])
    got = []
    with pytest.raises(EOFError, match="ended before the end-of-stream marker"):
        for chunk in decompressed_chunks(path, block_bytes=4096):
            got.append(chunk)
    assert b"".join(got).startswith(parts[0] + parts[1])


@pytest.mark.parametrize("where", [30, 200, 3000])
def test_damaged_later_stream_raises(tmp_path: Path, where: int) -> None:
    # bz2.open takes damage in the first 8 KiB of a later stream for trailing bytes (when
    # its first decompress() call fails) and can end early without an error; here the
    # BZh magic says a stream starts, so the damage is reported.
    path, _, offsets = _streams(tmp_path)
    data = bytearray(path.read_bytes())
    data[offsets[1] + where : offsets[1] + where + 60] = b"\x55" * 60
    path.write_bytes(bytes(data))
    with pytest.raises(OSError, match="Invalid data stream"):
        b"".join(decompressed_chunks(path))


def test_trailing_bytes_after_last_stream_ignored_like_bz2_module(tmp_path: Path, caplog) -> None:
    path, parts, _ = _streams(tmp_path)
    path.write_bytes(path.read_bytes() + b"not bz2 at all")
    assert b"".join(decompressed_chunks(path)) == b"".join(parts) == bz2.open(path).read()
    assert "14 bytes after the last bz2 stream are not bz2 data" in caplog.text


def test_prefetch_is_taken_by_open_chunks(tmp_path: Path) -> None:
    path, parts, offsets = _streams(tmp_path)
    before = _readahead_threads()
    prefetch_chunks(path, offsets[1], offsets[2])
    try:
        # registered for open_chunks (its thread may already have decompressed the small
        # part and ended, so the live-thread count cannot be asserted here)
        assert _compressed._part_key(path, offsets[1], offsets[2]) in _compressed._prefetched
        with open_chunks(path, offsets[1], offsets[2], readahead=True) as chunks:
            assert b"".join(chunks) == parts[1]
        assert not _compressed._prefetched  # taken
    finally:
        cancel_prefetch(path, offsets[1], offsets[2])  # already taken: a no-op
    assert _readahead_threads() == before


def test_cancelled_prefetch_stops_its_thread(tmp_path: Path) -> None:
    path, _, _ = _streams(tmp_path)
    before = _readahead_threads()
    prefetch_chunks(path)
    cancel_prefetch(path)
    assert _readahead_threads() == before


def test_switch_interval_lowered_while_reading_ahead_then_restored(tmp_path: Path) -> None:
    path, parts, _ = _streams(tmp_path)
    old = sys.getswitchinterval()
    assert old > READAHEAD_SWITCH_INTERVAL  # Python's default 5 ms
    with ReadAhead(decompressed_chunks(path)) as a, ReadAhead(decompressed_chunks(path)) as b:
        assert sys.getswitchinterval() == READAHEAD_SWITCH_INTERVAL
        assert b"".join(a) == b"".join(parts)
        a.close()
        assert sys.getswitchinterval() == READAHEAD_SWITCH_INTERVAL  # b still runs
        assert b"".join(b) == b"".join(parts)
    assert sys.getswitchinterval() == old


def test_corpus_with_and_without_readahead_identical(write_dump, tmp_path: Path) -> None:
    src = write_dump("src.xml.bz2")
    path, _ = write_multistream(
        src, tmp_path / "m-multistream.xml.bz2", pages_per_stream=1, repeat=3
    )
    before = _readahead_threads()

    def docs(readahead: bool) -> list[tuple]:
        corpus = open_corpus(path, progress=False, shard_mb=1e-6, readahead=readahead)
        assert len(corpus.shards()) > 3
        return [(d.doc_id, d.sentences) for d in corpus]

    assert docs(True) == docs(False) and len(docs(False)) == 9
    # stopping early leaves no prefetch thread behind
    corpus = open_corpus(path, progress=False, shard_mb=1e-6)
    it = iter(corpus)
    next(it)
    it.close()
    assert _readahead_threads() == before
    assert sys.getswitchinterval() > READAHEAD_SWITCH_INTERVAL


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a &lt;ref&gt; &quot;b&quot; &apos;c&apos;", "a <ref> \"b\" 'c'"),
        ("&amp;lt; stays an entity", "&lt; stays an entity"),
        ("&amp;#233; too, &#233; and &#x41; resolve", "&#233; too, é and A resolve"),
        ("&#99999999; and &nbsp; are kept", "&#99999999; and &nbsp; are kept"),
        ("no entity", "no entity"),
    ],
)
def test_xml_unescape_single_pass(raw: str, expected: str) -> None:
    assert xml_unescape(raw) == expected
