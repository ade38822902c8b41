"""Small array helpers shared by the solvers."""

from __future__ import annotations

import numpy as np

from matching.population import IntArray


def ranges(starts: IntArray, ends: IntArray) -> IntArray:
    """Concatenation of arange(starts[k], ends[k])."""
    counts = ends - starts
    out: IntArray = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    return out


def stable_order(keys: IntArray) -> IntArray:
    """The stable argsort of non-negative integer keys.

    Each key is packed with its position and the packed values sorted in place, which numpy does several
    times faster than a stable argsort; falls back to that when the packed values would not fit in 63 bits.
    """
    m = len(keys)
    if m == 0:
        return np.empty(0, dtype=np.int64)
    top = int(keys.max())
    if top >= 0 and int(keys.min()) >= 0 and (top + 1) * m < 2**62:
        packed = keys.astype(np.int64) * np.int64(m) + np.arange(m, dtype=np.int64)
        packed.sort()
        out: IntArray = packed % m
        return out
    fallback: IntArray = np.argsort(keys, kind="stable").astype(np.int64)
    return fallback
