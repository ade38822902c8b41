"""Matching moves that run in rounds over arrays: greedy matching, and growing a matching from its free nodes.

Both choose, in each round, moves that are the best for every node they touch ("locally dominant"), so the
moves of one round never share a node and can be applied at once. Ties go to the lower node numbers, so the
result depends only on the input.
"""

from __future__ import annotations

import numpy as np

from matching.arrays import stable_order
from matching.population import FloatArray, IntArray

# A move that pairs two more people outweighs any change of weight: cardinality first, then weight.
MORE_PAIRS = 1e6
LEVELS = 2**16


def _first_per_group(keys: IntArray) -> IntArray:
    """Positions where a new run of equal `keys` starts (keys sorted)."""
    first = np.ones(len(keys), dtype=np.bool_)
    first[1:] = keys[1:] != keys[:-1]
    out: IntArray = np.nonzero(first)[0]
    return out


def greedy_matching(
    n: int, i: IntArray, j: IntArray, w: FloatArray, mate: IntArray, along: FloatArray
) -> None:
    """Add edges (i[k], j[k]) between free nodes to `mate`, heaviest first, as greedy matching would.

    Weights closer than 1/65,535 of their range count as equal.

    `along[v]` receives the weight of v's new edge.
    """
    src = np.concatenate([i, j])
    dst = np.concatenate([j, i])
    ww = np.concatenate([w, w])
    if len(w):
        # Heaviest first within 2**16 levels of weight, then by position: a packed sort, not a lexsort.
        low, high = float(w.min()), float(w.max())
        level = ((high - ww) * (LEVELS - 1) / max(high - low, 1e-12)).astype(np.int64)
        # Equal levels go to the lower node number, so that every round finds a mutual choice.
        by_node = stable_order(dst)
        src, dst, ww, level = src[by_node], dst[by_node], ww[by_node], level[by_node]
        order = stable_order(src * np.int64(LEVELS) + level)
        src, dst, ww = src[order], dst[order], ww[order]
    best = np.full(n, -1, dtype=np.int64)
    while len(src):
        free = mate < 0
        keep = free[src] & free[dst]
        src, dst, ww = src[keep], dst[keep], ww[keep]
        if len(src) == 0:
            break
        first = _first_per_group(src)
        a, b, x = src[first], dst[first], ww[first]
        best[a] = b
        mutual = best[b] == a
        if not mutual.any():  # cannot happen with the order above; a guard against looping forever
            break
        a, b, x = a[mutual], b[mutual], x[mutual]
        mate[a], mate[b] = b, a
        along[a], along[b] = x, x
        best[src[first]] = -1


def _choose(n: int, nodes: IntArray, gain: FloatArray) -> IntArray:
    """Rows of `nodes` (moves; -1 pads) that are the best move at every node they touch."""
    padded = np.where(nodes < 0, n, nodes)  # index n collects the pads
    order = np.lexsort((*(padded[:, c] for c in range(padded.shape[1] - 1, -1, -1)), -gain))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    top = np.full(n + 1, len(order), dtype=np.int64)
    np.minimum.at(top, padded.ravel(), np.repeat(rank, padded.shape[1]))
    wins = np.all((top[padded] == rank[:, None]) | (nodes < 0), axis=1)
    out: IntArray = np.nonzero(wins)[0]
    return out


def grow(
    n: int,
    indptr: IntArray,
    dst: IntArray,
    w: FloatArray,
    mate: IntArray,
    along: FloatArray,
    rounds: int = 12,
) -> None:
    """Improve `mate` by moves around its free nodes, until none helps or `rounds` run out.

    The graph is in CSR form (`indptr`, `dst`, `w`, both directions listed). For a free node f and its
    neighbour a (partner b): pair f with a when a is free; else pair f with a and b with its best free
    neighbour g (one more pair); else, when f is worth more to a than b is, pair f with a and free b.
    """
    for _ in range(rounds):
        free = np.nonzero((mate < 0) & (np.diff(indptr) > 0))[0]
        if len(free) == 0:
            return
        counts = indptr[free + 1] - indptr[free]
        edges = np.repeat(indptr[free] - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        f, a, wfa = np.repeat(free, counts), dst[edges], w[edges]
        b = mate[a]
        # The best and second-best free neighbour of each matched node, from the same edges seen from a.
        into = b >= 0
        order = np.lexsort((f[into], -wfa[into], a[into]))
        xa, xf, xw = a[into][order], f[into][order], wfa[into][order]
        starts = _first_per_group(xa)
        g1, g1w = np.full(n, -1, dtype=np.int64), np.full(n, -np.inf)
        g2, g2w = np.full(n, -1, dtype=np.int64), np.full(n, -np.inf)
        g1[xa[starts]], g1w[xa[starts]] = xf[starts], xw[starts]
        nxt = starts + 1
        has_second = nxt < len(xa)
        has_second[has_second] = xa[nxt[has_second]] == xa[starts[has_second]]
        second = nxt[has_second]
        g2[xa[second]], g2w[xa[second]] = xf[second], xw[second]
        bb = np.maximum(b, 0)
        use_second = g1[bb] == f
        g = np.where(into, np.where(use_second, g2[bb], g1[bb]), -1)
        gw = np.where(use_second, g2w[bb], g1w[bb])
        gain = np.where(
            ~into,
            MORE_PAIRS + wfa,
            np.where(g >= 0, MORE_PAIRS + wfa + gw - along[a], wfa - along[a]),
        )
        useful = gain > 1e-9
        nodes = np.stack([f, a, np.where(into, b, -1), g], axis=1)[useful]
        gain, wfa, gw = gain[useful], wfa[useful], gw[useful]
        chosen = _choose(n, nodes, gain)
        if len(chosen) == 0:
            return
        nodes, wfa, gw = nodes[chosen], wfa[chosen], gw[chosen]
        # A pair (f, a) in every move; (b, g) when g is set; b alone when only b is set.
        f, a, b, g = nodes[:, 0], nodes[:, 1], nodes[:, 2], nodes[:, 3]
        lone = (b >= 0) & (g < 0)
        mate[b[lone]], along[b[lone]] = -1, 0.0
        mate[f], mate[a] = a, f
        along[f], along[a] = wfa, wfa
        two = g >= 0
        mate[b[two]], mate[g[two]] = g[two], b[two]
        along[b[two]], along[g[two]] = gw[two], gw[two]
