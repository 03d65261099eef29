import bz2
import io
import itertools
import random
import threading

import pytest

from corpora._compressed import DECOMPRESSION_ERRORS, ReadAhead


def _readahead_threads() -> int:
    """Live read-ahead threads (other threads, e.g. tqdm's monitor, come and go)."""
    return sum(t.name == "corpora-readahead" for t in threading.enumerate())


def read_chunks(stream, size: int):
    return iter(lambda: stream.read(size), b"")


def _payload() -> bytes:
    return b"".join(b"line %d\n" % i for i in range(20_000))


def test_same_bytes_as_plain_reads() -> None:
    data = _payload()
    stream = bz2.BZ2File(io.BytesIO(bz2.compress(data)))
    first = stream.read(100)
    with ReadAhead(itertools.chain([first], read_chunks(stream, 4096)), depth=2) as chunks:
        got = list(chunks)
    assert got[0] == data[:100]
    assert all(len(c) == 4096 for c in got[1:-1])
    assert b"".join(got) == data


def test_truncated_stream_raises_after_the_good_chunks() -> None:
    data = random.Random(0).randbytes(400_000)  # several 100 kB bz2 blocks
    packed = bz2.compress(data, compresslevel=1)
    stream = bz2.BZ2File(io.BytesIO(packed[: len(packed) // 2]))
    got: list[bytes] = []
    with pytest.raises(DECOMPRESSION_ERRORS), ReadAhead(read_chunks(stream, 1024)) as chunks:
        for c in chunks:
            got.append(c)
    assert got and data.startswith(b"".join(got))


def test_close_midway_stops_the_thread() -> None:
    stream = io.BytesIO(_payload())
    before = _readahead_threads()
    ra = ReadAhead(read_chunks(stream, 16), depth=1)
    assert next(ra) == _payload()[:16]
    ra.close()
    assert _readahead_threads() == before
    with pytest.raises(StopIteration):
        next(ra)


@pytest.mark.parametrize("truncate", [False, True])
def test_reader_with_readahead_equals_plain_reads(write_dump, truncate: bool) -> None:
    from corpora.corpus_stats import CorpusStats
    from corpora.errors import CorruptInputError
    from corpora.mediawiki_reader import MediaWikiReader

    path = write_dump("r.xml.bz2")
    if truncate:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 3])

    def read(readahead: bool) -> tuple[list, str]:
        reader = MediaWikiReader(readahead=readahead)
        (shard,) = reader.shards(str(path), 0)
        pages: list = []
        try:
            for page in reader.read(shard, CorpusStats(), skip_bad_pages=False):
                pages.append(page)
        except CorruptInputError as exc:
            return pages, str(exc)
        return pages, ""

    plain, threaded = read(False), read(True)
    assert threaded == plain
    assert bool(plain[1]) == truncate and len(plain[0]) == (0 if truncate else 5)
