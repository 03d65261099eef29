"""The real Inclusive Images files in ../shared/data/openimages load with the readers."""

from __future__ import annotations

import pytest

from vision.data import (
    ReadReport,
    read_class_descriptions,
    read_classes_trainable,
    read_submission,
    read_tuning_labels,
)

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def oi(shared_data):
    root = shared_data / "openimages"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    return root


def test_openimages_files(oi):
    vocab = read_class_descriptions(oi / "class-descriptions.csv")  # no header, CRLF
    assert len(vocab) > 19_990 and vocab["LabelName"].is_unique
    names = dict(zip(vocab["LabelName"], vocab["DisplayName"]))
    assert names["/m/01g317"] == "Person" and names["/m/06ts_6"] == "Shopkeeper"
    report = ReadReport()
    trainable = read_classes_trainable(
        oi / "classes-trainable.csv", vocabulary=set(names), report=report
    )
    assert len(trainable) == 7178 and report.unknown_rows == 0
    report = ReadReport()
    tuning = read_tuning_labels(oi / "tuning_labels.csv", vocabulary=set(trainable), report=report)
    assert len(tuning) == 1000 and len({c for v in tuning.values() for c in v}) == 484
    assert report.bad_rows == 0
    sub = read_submission(oi / "stage_1_sample_submission.csv")
    assert len(sub) == 32_580
