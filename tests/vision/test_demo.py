"""The demo (`make demo`) runs end to end at a tiny size: guards every CLI call it makes; run
again into the same folder it replaces its outputs (`make demo` twice in a row)."""

import json

from vision.demo import main


def test_demo_end_to_end_tiny_twice(tmp_path, capsys):
    out = tmp_path / "demo"
    tiny = ["--images", "80", "--test-images", "30", "--tuning-images", "10", "--epochs", "1",
            "--image-size", "16"]  # fmt: skip
    rc = main(["--out", str(out), *tiny])
    assert rc == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "Horse (/m/03k3r)" in printed  # odd one out of Person, Shopkeeper, Grocery store, Horse
    for name in ("f2-before.json", "f2-after.json"):
        f2 = json.loads((out / name).read_text())["mean_f2"]
        assert 0.0 <= f2 <= 1.0
    lines = (out / "submission.csv").read_text().splitlines()
    assert lines[0] == "image_id,labels" and len(lines) == 1 + 30
    assert (out / "run-adapted").is_dir() and (out / "graph" / "manifest.json").is_file()

    first = json.loads((out / "demo.json").read_text())
    assert first["status"] == "done" and first["threads"] >= 1
    assert "torch threads:" in printed and "epoch 1/1" in captured.err  # progress shown

    (out / "run" / "stale.txt").write_text("from the first run")
    assert main(["--out", str(out), *tiny, "--quiet"]) == 0
    assert "replacing the earlier demo" in capsys.readouterr().out
    assert not (out / "run" / "stale.txt").exists()
    second = json.loads((out / "demo.json").read_text())
    assert second["f2_before"] == first["f2_before"]  # same seed, same threads: same result

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert main(["--out", str(foreign), *tiny]) == 2
    assert "not written by the demo" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "keep me"
