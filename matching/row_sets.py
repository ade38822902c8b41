"""Intersections of many pairs of small sets at once: the columns of two rows of 0/1 sparse matrices.

Each row's columns are padded into a dense table as wide as the widest row (up to `WIDEST`), so that
|row i ∩ row j| for millions of pairs is a few gathers and comparisons per column slot. Pairs with a row wider
than that go through a sparse row product instead.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

WIDEST = 8
CHUNK = 1 << 20  # pairs compared at once, which bounds the temporary arrays


class RowSets:
    def __init__(self, matrix: csr_matrix, pad: int) -> None:
        self.matrix = csr_matrix(matrix, dtype=np.int64, copy=True)
        self.matrix.data[:] = 1
        counts = np.diff(self.matrix.indptr)
        self.light = counts <= WIDEST
        width = int(counts[self.light].max(initial=0))
        n = self.matrix.shape[0]
        self.slots = np.full((width, n), pad, dtype=np.int32)  # slot-major: one contiguous row per slot
        rows = np.repeat(np.arange(n), counts)
        position = np.arange(self.matrix.nnz) - np.repeat(self.matrix.indptr[:-1], counts)
        fits = self.light[rows]
        self.slots[position[fits], rows[fits]] = self.matrix.indices[fits]


def overlap(left: RowSets, right: RowSets, i: IntArray, j: IntArray) -> IntArray:
    """|left row i[k] ∩ right row j[k]| for every k. `left` and `right` must be padded with different values."""
    out = np.zeros(len(i), dtype=np.int64)
    if len(i) == 0 or left.matrix.nnz == 0 or right.matrix.nnz == 0:
        return out
    if len(left.slots) and len(right.slots):
        for start in range(0, len(i), CHUNK):
            a, b = i[start : start + CHUNK], j[start : start + CHUNK]
            theirs = [slot[b] for slot in right.slots]
            count = np.zeros(len(a), dtype=np.uint8)
            for slot in left.slots:
                mine = slot[a]
                for other in theirs:
                    count += mine == other
            out[start : start + CHUNK] = count
    heavy = np.nonzero(~(left.light[i] & right.light[j]))[0]
    if len(heavy):
        out[heavy] = _sparse(left, right, i[heavy], j[heavy])
    return out


def _sparse(left: RowSets, right: RowSets, i: IntArray, j: IntArray) -> IntArray:
    out: IntArray = np.asarray(left.matrix[i].multiply(right.matrix[j]).sum(axis=1)).ravel().astype(np.int64)
    return out


def first_common(left: RowSets, right: RowSets, i: IntArray, j: IntArray) -> IntArray:
    """The lowest column in both left row i[k] and right row j[k], or -1 when they share none."""
    none = np.iinfo(np.int32).max
    out = np.full(len(i), none, dtype=np.int64)
    if len(i) == 0 or left.matrix.nnz == 0 or right.matrix.nnz == 0:
        return np.full(len(i), -1, dtype=np.int64)
    if len(left.slots) and len(right.slots):
        for start in range(0, len(i), CHUNK):
            a, b = i[start : start + CHUNK], j[start : start + CHUNK]
            theirs = [slot[b] for slot in right.slots]
            lowest = np.full(len(a), none, dtype=np.int32)
            for slot in left.slots:
                mine = slot[a]
                for other in theirs:
                    np.minimum(lowest, np.where(mine == other, mine, none), out=lowest)
            out[start : start + CHUNK] = lowest
    for k in np.nonzero(~(left.light[i] & right.light[j]))[0].tolist():
        mine = left.matrix.indices[left.matrix.indptr[i[k]] : left.matrix.indptr[i[k] + 1]]
        theirs = right.matrix.indices[right.matrix.indptr[j[k]] : right.matrix.indptr[j[k] + 1]]
        common = np.intersect1d(mine, theirs)
        out[k] = int(common[0]) if len(common) else none
    out[out == none] = -1
    return out


def common_columns(left: RowSets, right: RowSets, i: IntArray, j: IntArray) -> tuple[IntArray, BoolArray]:
    """Per pair, the columns in both rows (ascending, -1 where fewer), and which pairs this covers.

    Pairs with a row wider than `WIDEST` are not covered (all -1); look at their rows one by one.
    """
    out = np.full((len(i), len(left.slots)), -1, dtype=np.int64)
    if len(i) and len(left.slots) and len(right.slots):
        theirs = [slot[j] for slot in right.slots]
        for c, slot in enumerate(left.slots):
            mine = slot[i]
            found = np.zeros(len(i), dtype=np.bool_)
            for other in theirs:
                found |= mine == other
            out[found, c] = mine[found]
    covered: BoolArray = left.light[i] & right.light[j]
    out[~covered] = -1
    out.sort(axis=1)
    return out, covered
