"""Readers for the evaluation files: word-similarity lists (read only here), and the CSV files
through :mod:`corpora.formats`: pair counts (:mod:`corpora.formats.pair_counts`) and image
label sets (:mod:`corpora.formats.annotation_sets`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from corpora.errors import InputError
from corpora.formats.annotation_sets import read_annotation_sets
from corpora.formats.pair_counts import read_pair_counts

__all__ = ["read_similarity_pairs", "read_pair_counts", "read_label_sets"]

logger = logging.getLogger(__name__)


def _open_text(path: str | os.PathLike[str]):
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: file not found; give an existing file")
    return open(p, encoding="utf-8", newline="")


def read_similarity_pairs(path: str | os.PathLike[str]) -> list[tuple[str, str, float]]:
    """Read a word-similarity list (WordSim-353 / SimLex-999 as shipped with gensim).

    Format: one pair per line, ``word1<TAB>word2<TAB>score`` (whitespace also accepted);
    lines starting with ``#`` are comments and a first line whose score is not a number is
    taken as a header.

    Returns:
        ``[(word1, word2, human_score)]`` in file order, words as written.
    """
    pairs: list[tuple[str, str, float]] = []
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            if len(fields) < 3:
                raise InputError(
                    f"{path}, line {lineno}: expected 'word1<TAB>word2<TAB>score', got {line!r}"
                )
            try:
                score = float(fields[2])
            except ValueError:
                if not pairs:
                    continue  # header line
                raise InputError(
                    f"{path}, line {lineno}: score {fields[2]!r} is not a number; "
                    "the third column must hold the human similarity score"
                ) from None
            pairs.append((fields[0].strip(), fields[1].strip(), score))
    if not pairs:
        raise InputError(f"{path}: no word pairs found; expected 'word1<TAB>word2<TAB>score' lines")
    return pairs


def read_label_sets(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """The labelled images of an annotation file, for the evaluation tasks.

    The file is read by :func:`corpora.formats.annotation_sets.read_annotation_sets`
    (``tuning_labels.csv`` without header, solutions / submissions with header
    ``image_id,labels``, or Open Images human labels ``ImageID,Source,LabelName,Confidence``
    whose ``Confidence`` 0 rows are negatives).

    Returns:
        ``{image_id: [label, ...]}`` in file order, duplicates removed, empty sets dropped.
    Raises:
        InputError: as the reader, or no labelled image in the file.
    """
    sets = {image: labels for image, labels in read_annotation_sets(path).items() if labels}
    if not sets:
        raise InputError(f"{path}: no labelled images found; expected image label sets")
    return sets
