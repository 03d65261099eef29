"""The demo (`make demo`) runs end to end at a tiny size: guards every CLI call it makes."""

import json

from vision.demo import main


def test_demo_end_to_end_tiny(tmp_path, capsys):
    out = tmp_path / "demo"
    rc = main(
        [
            "--out",
            str(out),
            "--images",
            "80",
            "--test-images",
            "30",
            "--tuning-images",
            "10",
            "--epochs",
            "1",
            "--image-size",
            "16",
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "Horse (/m/03k3r)" in printed  # odd one out of Person, Shopkeeper, Grocery store, Horse
    for name in ("f2-before.json", "f2-after.json"):
        f2 = json.loads((out / name).read_text())["mean_f2"]
        assert 0.0 <= f2 <= 1.0
    lines = (out / "submission.csv").read_text().splitlines()
    assert lines[0] == "image_id,labels" and len(lines) == 1 + 30
    assert (out / "run-adapted").is_dir() and (out / "graph" / "manifest.json").is_file()
