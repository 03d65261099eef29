"""Vectorised per-group statistics on integer keys, equal bit for bit to pandas' group-bys.

The label policies group millions of (image, label) rows. pandas' group-bys hash every key
and loop in C; here the rows are sorted once and every statistic is a few numpy operations
per position inside a group (a group of ``k`` rows takes ``k`` steps, each over the groups
that long: O(rows) in all). The arithmetic is pandas' own, in the same order, so results are
identical: compensated (Kahan) sums as ``groupby().sum()``, Welford's variance as
``groupby().std(ddof=0)``, and the middle value(s) as ``groupby().median()``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["Groups"]

#: groups of at most this many rows take the padded-matrix median
_PAD = 64


def _positions(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``[sum(sizes)]`` the positions ``start, ..., start + size - 1`` of each group, in turn."""
    offsets = np.cumsum(sizes) - sizes
    return np.arange(int(sizes.sum())) - np.repeat(offsets - starts, sizes)


class Groups:
    """The groups of equal values of ``keys`` (``[n]`` int64), rows in their original order.

    Attributes:
        order: ``[n]`` row indices sorted by key, stable (within a group: original order).
        starts: ``[G]`` position in ``order`` of each group's first row.
        sizes: ``[G]`` rows per group.
        keys: ``[G]`` each group's key, increasing.
        first: ``[G]`` index of each group's first row (its first appearance).
    """

    def __init__(self, keys: np.ndarray, *, presorted: bool = False) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        n = len(keys)
        if presorted:
            self.order = np.arange(n, dtype=np.int64)
            sorted_keys = keys
        else:
            self.order = np.argsort(keys, kind="stable")
            sorted_keys = keys[self.order]
        if n:
            change = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1])
            change += 1
            self.starts = np.concatenate([np.zeros(1, np.int64), change])
            del change
        else:
            self.starts = np.zeros(0, np.int64)
        self.sizes = np.diff(np.append(self.starts, n))
        self.keys = sorted_keys[self.starts]
        del sorted_keys
        self.first = self.order[self.starts]

    def __len__(self) -> int:
        return len(self.starts)

    def _steps(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """For ``j = 1, 2, ...``: the groups with more than ``j`` rows and the index of their
        row ``j`` (row 0 of every group is :attr:`first`)."""
        if not len(self.sizes) or self.sizes.max() < 2:
            return
        longer = np.flatnonzero(self.sizes > 1)
        longer = longer[np.argsort(-self.sizes[longer], kind="stable")]  # longest first
        more_than = len(self.sizes) - np.cumsum(np.bincount(self.sizes))  # [j]: size > j
        for j in range(1, int(self.sizes.max())):
            groups = longer[: more_than[j]]
            yield groups, self.order[self.starts[groups] + j]

    def sum(self, values: np.ndarray) -> np.ndarray:
        """``[G]`` compensated (Kahan) sum of each group's ``values`` (``[n]`` float64 without
        NaN, row order), as pandas' ``groupby().sum()``."""
        v = np.asarray(values, dtype=np.float64)
        total = v[self.first] + 0.0  # step 0 from a zero state: the value, no compensation
        comp = np.zeros(len(self))
        for groups, rows in self._steps():
            y = v[rows] - comp[groups]
            t = total[groups] + y
            c = (t - total[groups]) - y
            c[np.isnan(c)] = 0.0
            comp[groups] = c
            total[groups] = t
        return total

    def std(self, values: np.ndarray) -> np.ndarray:
        """``[G]`` population standard deviation (ddof=0) of each group's ``values`` (without
        NaN) by Welford's update in row order, as pandas' ``groupby().std(ddof=0)``."""
        v = np.asarray(values, dtype=np.float64)
        mean = v[self.first] + 0.0  # step 0: count 1, mean = the value, m2 = 0
        m2 = np.where(np.isfinite(mean), 0.0, np.nan)
        for j, (groups, rows) in enumerate(self._steps(), start=1):
            val = v[rows]
            old = mean[groups]
            new = old + (val - old) / (j + 1)
            mean[groups] = new
            m2[groups] += (val - new) * (val - old)
        return np.sqrt(m2 / self.sizes)

    def median(self, values: np.ndarray) -> np.ndarray:
        """``[G]`` median of each group's ``values`` (without NaN; the mean of the two middle
        values for an even count), as pandas' ``groupby().median()``.

        Groups of up to :data:`_PAD` rows are sorted as the rows of one padded matrix (many
        tiny sorts), longer ones by one sort of their rows."""
        v = np.asarray(values, dtype=np.float64)[self.order]  # grouped, file order inside
        half = self.sizes // 2
        upper = np.empty(len(self))
        lower = np.empty(len(self))
        short = self.sizes <= _PAD
        if short.any():
            groups = np.flatnonzero(short)
            sizes = self.sizes[groups]
            width = int(sizes.max())
            matrix = np.full((len(groups), width), np.inf)
            row = np.repeat(np.arange(len(groups)), sizes)
            col = np.arange(len(row)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            matrix[row, col] = v[_positions(self.starts[groups], sizes)]
            matrix.sort(axis=1)
            at = np.arange(len(groups))
            upper[groups] = matrix[at, half[groups]]
            lower[groups] = matrix[at, np.maximum(half[groups] - 1, 0)]
        if not short.all():
            groups = np.flatnonzero(~short)
            sizes = self.sizes[groups]
            rows = _positions(self.starts[groups], sizes)
            group_of_row = np.repeat(np.arange(len(groups)), sizes)
            s = v[rows][np.lexsort((v[rows], group_of_row))]
            start = np.cumsum(sizes) - sizes
            upper[groups] = s[start + half[groups]]
            lower[groups] = s[start + np.maximum(half[groups] - 1, 0)]
        return np.where(self.sizes % 2 == 1, upper, (upper + lower) / 2)

    def max(self, values: np.ndarray) -> np.ndarray:
        """``[G]`` maximum of each group's ``values``."""
        v = np.asarray(values, dtype=np.float64)
        best = v[self.first]
        for groups, rows in self._steps():
            best[groups] = np.maximum(best[groups], v[rows])
        return best
