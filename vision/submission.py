"""Kaggle submissions (``image_id,labels``): read, build from decisions, write atomically.

Format: a header ``image_id,labels`` then one row per image, labels space-separated codes
(possibly empty). Rows follow the sample submission's order when one is given, and every id of
it is present; an image whose decision is empty gets a fallback (its top-scoring labels) so no
row is left blank unless asked.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpora.atomic import atomic_write
from corpora.errors import CorruptInputError, InputError

__all__ = [
    "read_submission",
    "read_submission_ids",
    "labels_from_decisions",
    "write_submission",
]

logger = logging.getLogger(__name__)

HEADER = ("image_id", "labels")


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    if not path.is_file():
        raise InputError(f"{path} does not exist (expected a CSV with header image_id,labels)")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return [(i + 1, row) for i, row in enumerate(csv.reader(fh))]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CorruptInputError(f"{path}: cannot be read as UTF-8 CSV: {exc}") from exc


def read_submission(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """Read a submission or solution CSV (``image_id,labels`` with that header).

    Returns:
        image id -> list of label codes (empty list for an empty cell), in file order.
    Raises:
        InputError: missing file, wrong header, a row with more than 2 fields, a duplicate id.
    """
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise InputError(f"{path} is empty; expected a header line 'image_id,labels'")
    header = [c.strip().lower() for c in rows[0][1]]
    if header[:2] != list(HEADER):
        raise InputError(
            f"{path}, line 1: header is {','.join(rows[0][1])!r}, expected 'image_id,labels' "
            "(for header-less tuning labels use vision.data.read_tuning_labels)"
        )
    out: dict[str, list[str]] = {}
    for line, row in rows[1:]:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) > 2:
            raise InputError(
                f"{path}, line {line}: {len(row)} fields, expected 2 (image_id,labels); "
                "separate labels with spaces, not commas"
            )
        image_id = row[0].strip()
        if image_id in out:
            raise InputError(f"{path}, line {line}: image id {image_id!r} appears twice")
        out[image_id] = row[1].split() if len(row) == 2 else []
    return out


def read_submission_ids(path: str | os.PathLike[str]) -> list[str]:
    """The image ids of a sample submission, in file order."""
    return list(read_submission(path))


def labels_from_decisions(
    image_ids: Sequence[str],
    decisions: np.ndarray,
    codes: Sequence[str],
    probs: np.ndarray | None = None,
    fallback_k: int = 1,
) -> tuple[dict[str, list[str]], int]:
    """Turn a decision matrix into label lists, filling empty rows with top-scoring labels.

    Args:
        image_ids: ``[N]`` ids.
        decisions: ``[N, L]`` bool.
        codes: ``[L]`` label codes.
        probs: ``[N, L]`` scores ranking each row's labels (ordered output and fallback).
        fallback_k: how many top labels an empty row gets (0: leave it empty).
    Returns:
        ``(id -> codes ordered by score, number of rows that got the fallback)``.
    """
    decisions = np.asarray(decisions, dtype=bool)
    if decisions.shape != (len(image_ids), len(codes)):
        raise ValueError(
            f"decisions {decisions.shape} do not match {len(image_ids)} ids x {len(codes)} codes"
        )
    out: dict[str, list[str]] = {}
    n_fallback = 0
    for i, image_id in enumerate(image_ids):
        cols = np.nonzero(decisions[i])[0]
        if probs is not None:
            if len(cols) == 0 and fallback_k > 0:
                cols = np.argsort(-probs[i], kind="stable")[:fallback_k]
                n_fallback += 1
            cols = cols[np.argsort(-probs[i, cols], kind="stable")]
        out[image_id] = [codes[j] for j in cols]
    return out, n_fallback


def write_submission(
    path: str | os.PathLike[str],
    labels: Mapping[str, Sequence[str]],
    order: Sequence[str] | None = None,
    fallback: Sequence[str] | None = None,
) -> Path:
    """Write ``image_id,labels`` atomically.

    Args:
        path: output CSV.
        labels: image id -> codes.
        order: ids in the required order (a sample submission); every one is written. An id
            without an entry in ``labels`` gets ``fallback`` (error when ``fallback`` is None).
            Ids of ``labels`` not in ``order`` are dropped with a warning.
        fallback: codes for ids that have no prediction.
    Returns:
        the path written.
    """
    ids = list(labels) if order is None else list(order)
    if order is not None:
        missing = [i for i in ids if i not in labels]
        if missing and fallback is None:
            raise InputError(
                f"{len(missing)} ids of the sample submission have no prediction "
                f"(first: {missing[0]!r}); predict every test image or pass a fallback"
            )
        if missing:
            logger.warning("%d ids without a prediction get the fallback labels", len(missing))
        extra = set(labels) - set(ids)
        if extra:
            logger.warning(
                "%d predicted ids are not in the sample submission and are left out (e.g. %s)",
                len(extra),
                sorted(extra)[0],
            )
    with atomic_write(path, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        for image_id in ids:
            row: Any = labels.get(image_id, fallback)
            writer.writerow([image_id, " ".join(row)])
    return Path(path)
