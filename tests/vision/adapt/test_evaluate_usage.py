"""``vision evaluate`` reads a solution with extra columns (the competition's ``Usage``)."""

from __future__ import annotations

import pytest

from vision.cli import main as vision_main

SOLUTION = (
    "image_id,labels,Usage\n"
    "2b2f44594449326f4e52553d,/m/06ts_6 /m/01g317,Public\n"
    "2b333057383432514454593d,/m/01g317 /m/01jpn4,Private\n"
    "2b38364476612f6c4558383d,/m/01g317 /m/05zp8,Private\n"
)
SUBMISSION = (
    "image_id,labels\n"
    "2b2f44594449326f4e52553d,/m/06ts_6 /m/01g317\n"
    "2b333057383432514454593d,/m/01g317\n"
    "2b38364476612f6c4558383d,/m/0k4j\n"
)


def test_usage_column_is_ignored(tmp_path, capsys):
    (tmp_path / "solution.csv").write_text(SOLUTION)
    (tmp_path / "submission.csv").write_text(SUBMISSION)
    argv = ["evaluate", "--solution", str(tmp_path / "solution.csv")]
    assert vision_main([*argv, "--submission", str(tmp_path / "submission.csv")]) == 0
    assert "mean F2 0.5185" in capsys.readouterr().out


@pytest.mark.realdata
def test_usage_column_case_files(shared_data, capsys):
    case = shared_data.parent / "cases" / "solution-with-usage-column"
    if not case.is_dir():
        pytest.skip(f"{case} not found")
    argv = ["evaluate", "--solution", str(case / "solution.csv")]
    assert vision_main([*argv, "--submission", str(case / "submission.csv")]) == 0
    assert "mean F2 0.5185" in capsys.readouterr().out
