"""Writer for ``image_id,labels`` submission files (atomic)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from corpora.atomic import atomic_write

__all__ = ["write_submission"]


def write_submission(path: str | Path, predictions: Mapping[str, Sequence[str]]) -> Path:
    """Write ``predictions`` (image id -> label codes) as ``image_id,labels``, in mapping order.

    The labels are space-separated; an empty list writes an empty field. The file is written
    atomically, so a crash never leaves half a submission.
    """
    path = Path(path)
    with atomic_write(path, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["image_id", "labels"])
        for image_id, labels in predictions.items():
            writer.writerow([image_id, " ".join(labels)])
    return path
