import json
from pathlib import Path

import pytest

from labelgraph.cli import main

KEYS = {
    "files",
    "pages",
    "articles",
    "redirects",
    "sentences",
    "tokens",
    "label_mentions",
    "bad_pages",
    "uncompressed_bytes",
    "seconds",
}


@pytest.fixture
def labels_csv(tmp_path: Path) -> Path:
    p = tmp_path / "class-descriptions.csv"
    p.write_text(
        "label_code,description\n/m/1,Grocery store\n/m/2,Seal (animal)\n/m/3,Cat\n/m/4,Unicorn\n"
    )
    return p


def test_stats_json(write_dump, labels_csv: Path, capsys) -> None:
    path = write_dump("d.xml.bz2")
    assert (
        main(["corpus", "stats", str(path), "--labels", str(labels_csv), "--json", "--quiet"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert KEYS <= set(out)
    assert (out["articles"], out["redirects"], out["sentences"], out["label_mentions"]) == (
        3,
        1,
        6,
        5,
    )
    assert out["top_labels"][:2] == [  # ties broken by label order
        {"code": "/m/2", "name": "Seal (animal)", "mentions": 2},
        {"code": "/m/3", "name": "Cat", "mentions": 2},
    ]
    assert out["labels_never_seen"] == 1 and out["never_seen_examples"][0]["name"] == "Unicorn"


def test_stats_same_without_readahead(write_dump, labels_csv: Path, capsys) -> None:
    path = write_dump("d.xml.bz2")
    outs = []
    for extra in ([], ["--no-readahead"], ["--no-readahead", "--processes", "2"]):
        argv = ["corpus", "stats", str(path), "--labels", str(labels_csv), "--json", "--quiet"]
        assert main(argv + extra) == 0
        out = json.loads(capsys.readouterr().out)
        for timing in ("seconds", "mb_per_second", "pages_per_second"):
            out.pop(timing, None)
        outs.append(out)
    assert outs[0] == outs[1] == outs[2] and outs[0]["articles"] == 3


def test_stats_summary_text(write_dump, labels_csv: Path, capsys) -> None:
    path = write_dump("d.xml.bz2")
    assert (
        main(
            [
                "corpus",
                "stats",
                str(path),
                "--labels",
                str(labels_csv),
                "--processes",
                "2",
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "articles 3" in out and "label mentions 5" in out
    assert "never seen, e.g.: Unicorn" in out and "Cat (2)" in out


def test_text_command_and_resume(write_dump, labels_csv: Path, tmp_path: Path, capsys) -> None:
    path = write_dump("d.xml.bz2")
    out = tmp_path / "out" / "s.txt"
    args = ["corpus", "text", str(path), "--out", str(out), "--labels", str(labels_csv), "--quiet"]
    assert main(args) == 0
    lines = out.read_text().splitlines()
    assert lines[1] == "it likes a grocery_store" and len(lines) == 6
    assert main(args + ["--resume"]) == 0 and out.read_text().splitlines() == lines
    assert "wrote 6 sentences" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["corpus", "stats", "/no/such/dump.xml.bz2"], "no such file or folder"),
        (["corpus", "stats", "{bad}"], "unrecognised format"),
        (["corpus", "stats", "{ok}", "--labels", "/no/labels.csv"], "label file not found"),
    ],
)
def test_bad_input_one_line_exit_2(write_dump, tmp_path: Path, capsys, argv, message) -> None:
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00\x01\x02binary")
    ok = write_dump("ok.xml")
    argv = [a.format(bad=bad, ok=ok) for a in argv]
    assert main(argv + ["--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_truncated_exit_2(write_dump, capsys) -> None:
    path = write_dump("t.xml.bz2")
    path.write_bytes(path.read_bytes()[:-40])
    assert main(["corpus", "stats", str(path), "--quiet"]) == 2
    assert "truncated or corrupt" in capsys.readouterr().err
    assert main(["corpus", "stats", str(path), "--quiet", "--skip-bad-pages", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bad_pages"] == 1


def test_format_flag_reaches_a_newly_registered_reader(tmp_path: Path, monkeypatch, capsys):
    """--format lists the reader catalogue, so a reader registered in one new file is forced."""
    import os

    from corpora._raw_page import RawPage
    from corpora.reader_registry import READERS, register_reader
    from corpora.shard import Shard, shard_key

    monkeypatch.setattr(READERS, "_entries", dict(READERS._entries))  # unregistered afterwards

    @register_reader("toylines", priority=500)
    class ToyLinesReader:
        def __init__(self, readahead: bool = False) -> None:
            pass

        @classmethod
        def sniff(cls, head: bytes, path: str) -> bool:
            return False  # reached only through --format

        def shards(self, path: str, file_index: int) -> list[Shard]:
            key = shard_key(file_index, Path(path).name)
            return [Shard(key=key, path=path, reader="toylines", nbytes=os.path.getsize(path))]

        def read(self, shard, stats, skip_bad_pages):
            stats.files += 1
            for i, line in enumerate(Path(shard.path).read_text().splitlines()):
                title, _, text = line.partition("|")
                stats.pages += 1
                yield RawPage(title, str(i), 0, False, text, False)

    src = tmp_path / "pages.txt"
    src.write_text("Horse|The horse eats grass.\nShop|A shopkeeper sells fruit.\n")
    assert main(["corpus", "stats", str(src), "--format", "toylines", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["articles"], out["sentences"]) == (2, 2)
    for command in (["corpus", "stats"], ["build"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        assert "toylines" in capsys.readouterr().out
