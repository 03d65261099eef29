"""`vision train` stops on a malformed label row, naming file and line, unless --skip-bad-rows."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _micro_data import make_micro_data  # noqa: E402

from vision.cli import main as vision_main  # noqa: E402


def _argv(data, out):
    return [
        "train",
        "--data",
        str(data),
        "--out",
        str(out),
        "--graph",
        "identity",
        "--backbone",
        "test_cnn",
        "--image-size",
        "16",
        "--epochs",
        "1",
        "--batch-size",
        "8",
        "--quiet",
    ]


def test_bad_row_error_and_skip(tmp_path, capsys):
    data = make_micro_data(tmp_path / "d", n=12)
    labels = data / "train_human_labels.csv"
    lines = labels.read_text().splitlines()
    lines.insert(3, "img0001,verification,/m/red")  # 3 fields instead of 4, physical line 4
    labels.write_text("\n".join(lines) + "\n")

    assert vision_main(_argv(data, tmp_path / "run1")) == 2
    err = capsys.readouterr().err
    assert "train_human_labels.csv" in err and "line 4" in err
    assert not (tmp_path / "run1" / "last.pt").exists()

    shutil.rmtree(tmp_path / "run1", ignore_errors=True)
    assert vision_main([*_argv(data, tmp_path / "run2"), "--skip-bad-rows"]) == 0
    assert (tmp_path / "run2" / "config.yaml").read_text().count("skip-bad-rows: true") == 1
