"""The label evidence as integer (image, label) pair keys, in blocks of images, for the
vectorised label policies; and their coded result.

Images and labels get codes into the sorted union of their values over the three evidence
frames (the Categoricals of :func:`~vision.data.load_targets.load_evidence` already share
them; str columns are coded here). A pair's key is ``image * L + label`` (int64), so sorting
keys sorts pairs by ``ImageID`` then ``LabelName``.

A policy's every statistic is per pair or per image, so it can run on a block of images at
a time (:meth:`PairCodes.blocks`, about :data:`ROWS_PER_BLOCK` evidence rows each): its
temporaries take the memory of one block, not of the whole evidence. Within a block the rows
keep their file order, so sums and variances add up in the same order as on the whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vision.data.label_policy import LabelEvidence

__all__ = ["ROWS_PER_BLOCK", "CodedTargets", "PairBlock", "PairCodes"]

#: evidence rows per block of images (a block holds at least one whole image)
ROWS_PER_BLOCK = 1 << 18
SOURCES = ("human", "machine", "boxes")


@dataclass
class CodedTargets:
    """A policy's targets on integer codes (what :func:`~vision.data.load_targets.load_targets`
    keeps while the evidence is released).

    Attributes:
        images, labels: the sorted categories of :class:`PairCodes`.
        keys: ``[K]`` increasing distinct pair keys ``image * L + label``.
        target: ``[K]`` float64 targets.
    """

    images: pd.Index
    labels: pd.Index
    keys: np.ndarray
    target: np.ndarray

    def frame(self) -> pd.DataFrame:
        """``[ImageID, LabelName, Target]`` sorted by ``ImageID, LabelName`` (str, str,
        float64)."""
        n_labels = max(len(self.labels), 1)
        image = _strings(self.images, self.keys // n_labels)
        label = _strings(self.labels, self.keys % n_labels)
        return pd.DataFrame(
            {"ImageID": image, "LabelName": label, "Target": self.target}, copy=False
        )


class PairCodes:
    """Integer codes of the evidence's images and labels.

    Attributes:
        images: ``[N]`` sorted distinct image ids (pandas Index).
        labels: ``[L]`` sorted distinct label codes (pandas Index).
    """

    def __init__(self, evidence: LabelEvidence) -> None:
        self.frames = {name: getattr(evidence, name) for name in SOURCES}
        frames = list(self.frames.values())
        self.images, shared_images = _union_categories([f["ImageID"] for f in frames])
        self.labels, shared_labels = _union_categories([f["LabelName"] for f in frames])
        self._image = {
            n: _codes(f["ImageID"], self.images, shared_images) for n, f in self.frames.items()
        }
        self._label = {
            n: _codes(f["LabelName"], self.labels, shared_labels) for n, f in self.frames.items()
        }

    def blocks(self, rows_per_block: int | None = None) -> Iterator[PairBlock]:
        """Blocks of consecutive image codes of about ``rows_per_block`` (default
        :data:`ROWS_PER_BLOCK`) evidence rows, in increasing image order."""
        rows_per_block = rows_per_block or ROWS_PER_BLOCK
        n_images = len(self.images)
        rows = np.zeros(n_images, dtype=np.int64)
        for image in self._image.values():
            rows += np.bincount(image, minlength=n_images)
        cum = np.cumsum(rows)
        total = int(cum[-1]) if n_images else 0
        cuts = np.searchsorted(cum, np.arange(rows_per_block, total, rows_per_block), "right")
        bounds = np.unique(np.concatenate([[0], cuts, [n_images]]))
        finders = {n: _RowFinder(image) for n, image in self._image.items()}
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            yield PairBlock(self, {n: f.rows(lo, hi) for n, f in finders.items()})

    def per_block(
        self, block_targets: Callable[[PairBlock], tuple[np.ndarray, np.ndarray]]
    ) -> CodedTargets:
        """A policy's result computed a block of images at a time: ``block_targets(block)``
        gives the distinct pair keys of the block and their targets, and the blocks' results
        are joined (:meth:`targets`)."""
        keys, targets = [], []
        for block in self.blocks():
            k, t = block_targets(block)
            keys.append(k)
            targets.append(t)
        return self.targets(_concat(keys, np.int64), _concat(targets, np.float64))

    def targets(self, keys: np.ndarray, target: np.ndarray) -> CodedTargets:
        """A policy's result from distinct pair ``keys`` and their ``target`` values."""
        keys = np.asarray(keys, dtype=np.int64)
        target = np.asarray(target, dtype=np.float64)
        if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():
            order = np.argsort(keys, kind="stable")
            keys, target = keys[order], target[order]
        return CodedTargets(self.images, self.labels, keys, target)


class PairBlock:
    """The evidence rows of a block of images (file order within each source)."""

    def __init__(self, pairs: PairCodes, rows: dict[str, slice | np.ndarray]) -> None:
        self.pairs = pairs
        self.rows = rows

    def get(self, source: str, *columns: str) -> tuple[np.ndarray, ...]:
        """``(keys, column, ...)`` of the block's rows of ``source`` (``human``, ``machine``,
        ``boxes``): int64 pair keys and each column as a numpy array."""
        rows = self.rows[source]
        frame = self.pairs.frames[source]
        image = self.pairs._image[source][rows].astype(np.int64)
        image *= len(self.pairs.labels)
        image += self.pairs._label[source][rows]
        return (image, *(frame[c].to_numpy()[rows] for c in columns))


class _RowFinder:
    """The rows of a frame whose image code is in ``[lo, hi)``: a slice when the codes are
    sorted (the Open Images files are sorted by ImageID), else indices in file order."""

    def __init__(self, image: np.ndarray) -> None:
        self.image = image
        self.sorted = bool(len(image) < 2 or (image[1:] >= image[:-1]).all())
        if self.sorted:
            self.order = None
            self.sorted_image = image
        else:
            self.order = np.argsort(image, kind="stable")
            self.sorted_image = image[self.order]

    def rows(self, lo: int, hi: int) -> slice | np.ndarray:
        a, b = np.searchsorted(self.sorted_image, [lo, hi], "left").tolist()
        if self.order is None:
            return slice(a, b)
        return np.sort(self.order[a:b])


def _union_categories(columns: list[pd.Series]) -> tuple[pd.Index, pd.Index | None]:
    """``(sorted distinct values of columns, the categories object they all share or
    None)``; the first is a fresh Index (no lookup tables cached on it)."""
    cats = [
        c.cat.categories if isinstance(c.dtype, pd.CategoricalDtype) else pd.Index(c.unique())
        for c in columns
        if len(c) or isinstance(c.dtype, pd.CategoricalDtype)
    ]
    if not cats:
        return pd.Index([], dtype="str"), None
    first = cats[0]
    if all(c is first for c in cats[1:]) and _increasing(first):
        return _fresh(first), first
    union = first.append(cats[1:]) if len(cats) > 1 else first
    return _fresh(union.unique().sort_values()), None


def _increasing(index: pd.Index) -> bool:
    if _arrow_backed(index):
        import pyarrow as pa
        import pyarrow.compute as pc

        values = pa.array(index.array)
        n = len(values)
        return n < 2 or bool(pc.all(pc.less(values.slice(0, n - 1), values.slice(1))).as_py())
    return bool(index.is_monotonic_increasing and index.is_unique)


def _arrow_backed(index: pd.Index) -> bool:
    return isinstance(index.dtype, pd.StringDtype) and index.dtype.storage == "pyarrow"


def _fresh(index: pd.Index) -> pd.Index:
    """The same values in a new Index object (sharing pyarrow's buffers)."""
    if _arrow_backed(index):
        import pyarrow as pa

        return pd.Index(pd.array(pa.array(index.array), dtype=index.dtype))
    return index


def _codes(column: pd.Series, categories: pd.Index, shared: pd.Index | None) -> np.ndarray:
    """Position of each value of ``column`` in ``categories`` (int32 or int64); ``shared``:
    the categories object whose codes are already positions in ``categories``."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        own = column.cat.categories
        if own is shared:
            return codes
        return categories.get_indexer(own)[codes]
    return categories.get_indexer(column)


def _strings(index: pd.Index, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``index[codes]`` as a str array (pyarrow's take when the index is pyarrow-backed)."""
    import pyarrow as pa

    if _arrow_backed(index):
        values = pa.array(index.array).take(pa.array(codes))
        return pd.array(values, dtype=index.dtype)
    return index.take(codes).astype(str).array


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)
