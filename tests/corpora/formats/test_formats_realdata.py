"""The format readers on the real files of ``../shared`` (skipped when absent)."""

from __future__ import annotations

import pytest

from corpora.formats.annotation_sets import read_annotation_sets
from corpora.formats.class_descriptions import read_label_names
from corpora.formats.classes_trainable import read_classes_trainable
from corpora.formats.label_sets import read_solution, read_submission, read_tuning_labels

pytestmark = pytest.mark.realdata


def test_open_images_files(shared_data):
    oi = shared_data / "openimages"
    codes, names = read_label_names(oi / "class-descriptions.csv")  # no header, CRLF
    assert len(codes) == 19996 and names[codes.index("/m/01g317")] == "Person"
    trainable = read_classes_trainable(oi / "classes-trainable.csv", vocabulary=set(codes))
    assert len(trainable) == 7178
    tuning = read_tuning_labels(oi / "tuning_labels.csv")
    assert len(tuning) == 1000 and len({c for v in tuning.values() for c in v}) == 484
    assert read_annotation_sets(oi / "tuning_labels.csv") == tuning
    assert len(read_submission(oi / "stage_1_sample_submission.csv")) == 32580


@pytest.mark.parametrize("split", ["emoji-google-to-twitter", "openimages-vehicles"])
def test_benchmark_splits(shared_data, split):
    data = shared_data / split
    human = read_annotation_sets(data / "train_human_labels.csv")
    assert human and all(human.values())
    solution = read_solution(data / "test_solutions.csv")
    tuning = read_tuning_labels(data / "tuning_labels.csv")
    sample = read_submission(data / "sample_submission.csv")
    assert set(solution) | set(tuning) == set(sample) and not set(solution) & set(tuning)


def test_solution_with_usage_column_case(shared_data):
    case = shared_data.parent / "cases" / "solution-with-usage-column"
    if not case.is_dir():
        pytest.skip(f"{case} not found")
    solution = read_solution(case / "solution.csv")
    assert solution["2b2f44594449326f4e52553d"] == ["/m/06ts_6", "/m/01g317"]
    assert len(solution) == 3 and len(read_submission(case / "submission.csv")) == 3
