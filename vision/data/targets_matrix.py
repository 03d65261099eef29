"""``targets_matrix``: a target DataFrame as a sparse ``[N, L]`` matrix over a label list."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from corpora.errors import InputError

__all__ = ["targets_matrix"]

logger = logging.getLogger(__name__)


def targets_matrix(
    df: pd.DataFrame, codes: Sequence[str], *, image_ids: Sequence[str] | None = None
) -> tuple[list[str], sp.csr_matrix, sp.csr_matrix | None]:
    """Turn ``[ImageID, LabelName, Target]`` rows into sparse targets.

    Args:
        df: rows as returned by :func:`~vision.data.load_targets.load_targets`; each
            (ImageID, LabelName) pair at most once.
        codes: the label list; column ``j`` is ``codes[j]``. Rows whose code is not in
            ``codes`` are dropped (their number is logged).
        image_ids: row order; default: the sorted distinct ``ImageID`` of ``df``. Given ids
            without rows get empty rows; rows of other images are dropped (logged).

    Returns:
        ``(image_ids, targets, mask)``:

        * ``image_ids``: list of ``N`` str, row ``i`` of both matrices.
        * ``targets``: ``csr_matrix [N, L] float32``, ``Target`` at each kept pair with
          ``Target > 0``; every other entry is 0 (explicit zeros are not stored).
        * ``mask``: the **hard negatives**: ``csr_matrix [N, L] float32`` with 1.0 where
          ``df`` has a row with ``Target == 0`` (a verified-absent label), or ``None`` when
          there is no such row (``seed`` and ``human`` policies). It is *not* a loss weight;
          :class:`~vision.data.image_folder_dataset.ImageFolderDataset` turns it into one
          (``hard_negative_weight``).

    Raises:
        InputError: missing columns, repeated (ImageID, LabelName) pairs, repeated codes.
    """
    missing = [c for c in ("ImageID", "LabelName", "Target") if c not in df.columns]
    if missing:
        raise InputError(
            f"targets frame lacks column(s) {missing}; expected ImageID, LabelName, Target"
        )
    code_index = pd.Index(list(codes))
    if code_index.has_duplicates:
        dup = code_index[code_index.duplicated()][0]
        raise InputError(f"label list repeats code {dup!r}; give each code once")
    if df.duplicated(["ImageID", "LabelName"]).any():
        row = df.loc[df.duplicated(["ImageID", "LabelName"])].iloc[0]
        raise InputError(
            f"targets frame has pair ({row['ImageID']}, {row['LabelName']}) more than once; "
            "combine duplicates first (load_targets never emits them)"
        )
    ids = sorted(df["ImageID"].unique().tolist()) if image_ids is None else list(image_ids)
    id_index = pd.Index(ids)
    if id_index.has_duplicates:
        raise InputError("image_ids repeats an id; give each image once")
    cols = code_index.get_indexer(df["LabelName"])
    rows = id_index.get_indexer(df["ImageID"])
    n_unknown = int((cols < 0).sum())
    if n_unknown:
        logger.info(
            "targets_matrix: dropped %d rows whose code is not in the %d-label list",
            n_unknown,
            len(codes),
        )
    n_other = int(((rows < 0) & (cols >= 0)).sum())
    if n_other:
        logger.info("targets_matrix: dropped %d rows of images not in image_ids", n_other)
    ok = (cols >= 0) & (rows >= 0)
    target = df["Target"].to_numpy(dtype=np.float32)
    shape = (len(ids), len(code_index))
    pos = ok & (target > 0)
    targets = sp.csr_matrix((target[pos], (rows[pos], cols[pos])), shape=shape, dtype=np.float32)
    neg = ok & (target == 0)
    mask = None
    if neg.any():
        mask = sp.csr_matrix(
            (np.ones(int(neg.sum()), np.float32), (rows[neg], cols[neg])),
            shape=shape,
            dtype=np.float32,
        )
        mask.sort_indices()
    targets.sort_indices()
    return ids, targets, mask
