"""Image-level label co-occurrence from annotation files, and the ML-GCN adjacency.

The annotation files are read by :func:`corpora.formats.annotation_sets.read_annotation_sets`
(re-exported here as :func:`read_image_labels`): Open Images image-label CSVs (header
``ImageID,Source,LabelName,Confidence``, rows with ``Confidence > 0`` are positives) or
label-set files (``tuning_labels.csv`` without header, solutions and submissions with header
``image_id,labels``).

Codes not in the vocabulary are skipped and counted (reported in the build manifest and logged
as a warning); they never fail the build silently nor enter the counts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from corpora.errors import InputError
from corpora.formats.annotation_sets import read_annotation_sets as read_image_labels
from labelgraph.association import conditional_matrix
from labelgraph.cooccurrence import CooccurrenceCounter, CooccurrenceCounts
from labelgraph.label_vocabulary import LabelVocabulary
from labelgraph.sparse_matrices import canonical_csr

__all__ = [
    "read_image_labels",
    "AnnotationReport",
    "count_annotations",
    "count_label_sets",
    "mlgcn_adjacency",
]

logger = logging.getLogger(__name__)


@dataclass
class AnnotationReport:
    """What reading the annotation files found."""

    files: list[str] = field(default_factory=list)
    images: int = 0
    label_assignments: int = 0
    unknown_codes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        top = sorted(self.unknown_codes.items(), key=lambda kv: -kv[1])[:20]
        return {
            "files": self.files,
            "images": self.images,
            "label_assignments": self.label_assignments,
            "unknown_codes": len(self.unknown_codes),
            "unknown_code_examples": dict(top),
        }


def count_label_sets(label_sets: Iterable[Sequence[int]], n_labels: int) -> CooccurrenceCounts:
    """Image co-occurrence counts (context ``"image"``) from label-index sets."""
    counter = CooccurrenceCounter(n_labels, contexts=("image",))
    for labels in label_sets:
        counter.add_label_set(labels)
    return counter.result()


def count_annotations(
    paths: Sequence[str | os.PathLike[str]], vocab: LabelVocabulary
) -> tuple[CooccurrenceCounts, AnnotationReport]:
    """Count image-level co-occurrence over all ``paths`` (an image id seen in several files
    is one image with the union of its labels)."""
    report = AnnotationReport(files=[str(p) for p in paths])
    merged: dict[str, list[str]] = {}
    for p in paths:
        for image, codes in read_image_labels(p).items():
            have = merged.setdefault(image, [])
            have.extend(c for c in codes if c not in have)
    code_index = {c: i for i, c in enumerate(vocab.codes)}
    sets = []
    for codes in merged.values():
        idx = []
        for c in codes:
            i = code_index.get(c)
            if i is None:
                report.unknown_codes[c] = report.unknown_codes.get(c, 0) + 1
            else:
                idx.append(i)
        report.label_assignments += len(idx)
        sets.append(idx)
    report.images = len(sets)
    if report.unknown_codes:
        logger.warning(
            "annotations: %d distinct codes (%d assignments) are not in the vocabulary and were "
            "skipped, e.g. %s",
            len(report.unknown_codes),
            sum(report.unknown_codes.values()),
            list(report.unknown_codes)[:3],
        )
    return count_label_sets(sets, len(vocab)), report


def mlgcn_adjacency(
    counts: CooccurrenceCounts, tau: float = 0.4, p: float = 0.2, context: str = "image"
) -> sp.csr_matrix:
    """ML-GCN (Chen et al., 2019) re-weighted conditional-probability adjacency ``[L, L]``.

    ``P[a, b] = P(b | a)``; binarised ``A = P >= tau``; then each row with neighbours gets
    ``A'[a, b] = p * A[a, b] / sum_b A[a, b]`` off the diagonal and ``1 - p`` on the diagonal
    (rows without neighbours keep only ``A'[a, a] = 1``). Not symmetric; float32 CSR.
    """
    if not 0.0 <= p <= 1.0:
        raise InputError(f"ML-GCN re-weighting p must lie in [0, 1], got {p}")
    cond = conditional_matrix(counts, context).tocoo()
    keep = cond.data >= tau
    rows, cols = cond.row[keep], cond.col[keep]
    n = counts.n_labels
    deg = np.bincount(rows, minlength=n).astype(np.float64)
    vals = p / deg[rows]
    diag = np.where(deg > 0, 1.0 - p, 1.0)
    ar = np.arange(n)
    m = sp.coo_matrix(
        (np.concatenate([vals, diag]), (np.concatenate([rows, ar]), np.concatenate([cols, ar]))),
        shape=(n, n),
    )
    return canonical_csr(m, np.float32)
