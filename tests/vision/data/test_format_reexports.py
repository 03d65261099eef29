"""The readers that ``vision`` and ``labelgraph`` re-export are the functions of
``corpora.formats`` themselves: every file format has one parser."""

from __future__ import annotations

import corpora.formats.class_descriptions as cd
import corpora.formats.classes_trainable as ct
import corpora.formats.image_labels as il
import corpora.formats.label_sets as ls
import vision.data
import vision.inference.submission
from corpora.formats.annotation_sets import read_annotation_sets
from labelgraph import annotations


def test_reexports_are_the_format_modules():
    assert vision.data.read_solution is ls.read_solution
    assert vision.data.read_submission is ls.read_submission
    assert vision.data.read_tuning_labels is ls.read_tuning_labels
    assert vision.data.write_submission is ls.write_label_sets
    assert vision.inference.submission.read_submission is ls.read_submission
    assert vision.inference.submission.read_submission_ids is ls.read_submission_ids
    assert vision.inference.submission.write_submission is ls.write_label_sets
    assert vision.data.read_class_descriptions is cd.read_class_descriptions
    assert vision.data.read_classes_trainable is ct.read_classes_trainable
    assert vision.data.read_human_labels is il.read_human_labels
    assert annotations.read_image_labels is read_annotation_sets
