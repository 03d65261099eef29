"""``targets_matrix``: a target DataFrame as a sparse ``[N, L]`` matrix over a label list."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

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
    # integer codes first (each string hashed once), then everything on integers
    image_codes, image_values = _factorize(df["ImageID"])
    label_codes, label_values = _factorize(df["LabelName"])
    if not _increasing_pairs(image_codes, label_codes, len(label_values)):
        # not sorted by (ImageID, LabelName): look for a repeated pair by hashing
        pair = image_codes.astype(np.int64) * max(len(label_values), 1)
        pair += label_codes
        repeated = pd.Series(pair).duplicated().to_numpy() & (image_codes >= 0)
        del pair
        repeated &= label_codes >= 0
        if repeated.any():
            row = df.iloc[int(np.flatnonzero(repeated)[0])]
            raise InputError(
                f"targets frame has pair ({row['ImageID']}, {row['LabelName']}) more than "
                "once; combine duplicates first (load_targets never emits them)"
            )
    if image_ids is None:  # the distinct ids of the frame, sorted
        ids = image_values.tolist()
        rows = image_codes
    else:
        ids = list(image_ids)
        id_index = pd.Index(ids)
        if id_index.has_duplicates:
            raise InputError("image_ids repeats an id; give each image once")
        rows = _lookup(id_index, image_values, image_codes)
        del id_index
    del image_codes
    cols = _lookup(code_index, label_values, label_codes)
    del label_codes
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
    neg = ok & (target == 0)
    if neg.any():
        mask = _csr(rows[neg], cols[neg], np.ones(int(neg.sum()), np.float32), shape)
    else:
        mask = None
    del neg, ok
    if pos.all():  # every row (the seed and human policies): no copies
        targets = _csr(rows, cols, target, shape)
    else:
        targets = _csr(rows[pos], cols[pos], target[pos], shape)
    return ids, targets, mask


def _increasing_pairs(image: np.ndarray, label: np.ndarray, n_labels: int) -> bool:
    """Whether the ``(image, label)`` code pairs strictly increase (so none repeats), checked
    a block at a time."""
    step = 1 << 20
    last = -1
    for start in range(0, len(image), step):
        pair = image[start : start + step].astype(np.int64) * max(n_labels, 1)
        pair += label[start : start + step]
        if pair[0] <= last or not (pair[1:] > pair[:-1]).all():
            return False
        last = int(pair[-1])
    return True


def _factorize(column: pd.Series) -> tuple[np.ndarray, Any]:
    """``(codes, sorted distinct values)`` of a column; codes int32 (-1 where missing). A
    sorted pyarrow-backed str column (``ImageID`` of :func:`load_targets`) is coded by
    comparing neighbours instead of hashing."""
    array = column.array
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        values = pa.array(array)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        n = len(values)
        if n > 1 and not values.null_count:
            head, tail = values.slice(0, n - 1), values.slice(1)
            if not pc.any(pc.less(tail, head)).as_py():  # sorted
                change = pc.not_equal(tail, head).to_numpy(zero_copy_only=False)
                codes = np.zeros(n, dtype=np.int32)
                codes[1:] = change
                np.cumsum(codes, out=codes)
                starts = np.concatenate([[0], np.flatnonzero(change) + 1])
                uniques = pd.array(values.take(pa.array(starts)), dtype=column.dtype)
                return codes, uniques
        if n and not values.null_count:  # unsorted: pyarrow's hash, int32 codes
            enc = values.dictionary_encode()
            order = pc.array_sort_indices(enc.dictionary).to_numpy(zero_copy_only=False)
            rank = np.empty(len(order), dtype=np.int32)
            rank[order] = np.arange(len(order), dtype=np.int32)
            codes = rank[enc.indices.to_numpy(zero_copy_only=False)]
            uniques = pd.array(enc.dictionary.take(pa.array(order)), dtype=column.dtype)
            return codes, uniques
    codes, uniques = pd.factorize(column, sort=True)
    return codes.astype(np.int32, copy=False), uniques


def _csr(
    rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """A CSR matrix of distinct ``(rows, cols)`` entries, built without a COO copy when
    ``rows`` is sorted (as for a sorted frame)."""
    if len(rows) > 1 and not (rows[1:] >= rows[:-1]).all():
        order = np.argsort(rows, kind="stable")
        rows, cols, data = rows[order], cols[order], data[order]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    index_dtype = np.int32 if max(shape[1], len(data)) < 2**31 else np.int64
    indptr = indptr.astype(index_dtype, copy=False)
    matrix = sp.csr_matrix(
        (data.astype(np.float32, copy=False), cols.astype(index_dtype, copy=False), indptr),
        shape=shape,
    )
    matrix.sort_indices()
    return matrix


def _lookup(index: pd.Index, values: object, codes: np.ndarray) -> np.ndarray:
    """Position in ``index`` of each row's value (``values[codes]``, int32); -1 when absent
    (or the row's value is missing)."""
    where = index.get_indexer(pd.Index(values)).astype(np.int32)
    out = where[codes] if len(where) else np.full(len(codes), -1, np.int32)
    out[codes < 0] = -1
    return out
