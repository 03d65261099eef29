"""Positive label sets from either annotation format, told apart by the first line.

* an Open Images image-labels file (:mod:`corpora.formats.image_labels`, header
  ``ImageID,Source,LabelName,Confidence``): rows with ``Confidence > 0`` are positives;
* a label-set file (:mod:`corpora.formats.label_sets`: tuning labels, solutions,
  submissions).

Each format is parsed by its own module; this one only chooses between them.
"""

from __future__ import annotations

import os

from corpora.formats import _csv
from corpora.formats.image_labels import (
    is_image_labels_header,
    positive_label_sets,
    read_image_labels,
)
from corpora.formats.label_sets import read_label_sets
from corpora.formats.read_report import ReadReport

__all__ = ["read_annotation_sets"]


def read_annotation_sets(
    path: str | os.PathLike[str],
    *,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> dict[str, list[str]]:
    """Image id -> positive label codes (file order, no repeats) of an annotation file.

    An image-labels file gives each image with at least one positive row; a label-set file
    gives every row, an image without labels as ``[]``. An empty file gives ``{}``.

    Raises:
        InputError: missing file, or a malformed row (file and line named) unless
            ``skip_bad_rows``; see the two format modules.
    """
    path = _csv.check_file(path, "annotation")
    if _csv.sniff(path, is_image_labels_header).has_header:
        df = read_image_labels(path, skip_bad_rows=skip_bad_rows, report=report)
        return positive_label_sets(df)
    return read_label_sets(path, skip_bad_rows=skip_bad_rows, report=report)
