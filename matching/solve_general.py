"""Maximum-weight matching on a sparse general graph, close to optimal and near-linear in time.

Exact blossom algorithms are cubic. Instead the graph is cut into blocks of neighbouring nodes (reverse
Cuthill-McKee order keeps most edges inside a block) and each block is solved through its bipartite relaxation:
an assignment problem where every node picks one partner or stays alone (scipy's LAPJVsp). An optimal
assignment decomposes into 2-cycles (pairs), longer cycles and paths; each cycle or path is then matched
optimally by dynamic programming. Nodes left free are solved again together, on the edges that remain.
Edges cross blocks are only lost while both of their ends are still free, which the second pass recovers.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching, reverse_cuthill_mckee

from matching.population import FloatArray, IntArray

BLOCK = 1200


def _best_on_line(nodes: list[int], weights: list[float], closed: bool) -> list[tuple[int, int]]:
    """Maximum-weight matching on a path (or a cycle when `closed`); weights[t] joins nodes[t] and nodes[t+1]."""
    if closed:
        if len(nodes) == 2:
            return [(nodes[0], nodes[1])]
        # Either the closing edge is unused (a path), or it is used and its two ends leave the path.
        open_pairs = _best_on_line(nodes, weights[:-1], closed=False)
        inner = _best_on_line(nodes[1:-1], weights[1:-2], closed=False)
        with_closing = [(nodes[-1], nodes[0]), *inner]
        wmap = {(nodes[t], nodes[(t + 1) % len(nodes)]): weights[t] for t in range(len(nodes))}

        def value(pairs: list[tuple[int, int]]) -> float:
            return sum(wmap[p] for p in pairs)

        return with_closing if value(with_closing) > value(open_pairs) else open_pairs
    m = len(nodes)
    best = [0.0] * (m + 1)
    take = [False] * (m + 1)
    for t in range(2, m + 1):
        skip = best[t - 1]
        use = best[t - 2] + weights[t - 2]
        best[t], take[t] = (use, True) if use > skip else (skip, False)
    pairs: list[tuple[int, int]] = []
    t = m
    while t >= 2:
        if take[t]:
            pairs.append((nodes[t - 2], nodes[t - 1]))
            t -= 2
        else:
            t -= 1
    return pairs


def _solve_block(nodes: IntArray, i: IntArray, j: IntArray, w: FloatArray, mate: IntArray) -> None:
    """Match `nodes` (global ids) using edges (i, j, w) that lie inside the block; writes into `mate`."""
    m = len(nodes)
    if m < 2 or len(i) == 0:
        return
    nodes = np.sort(nodes)
    li = np.searchsorted(nodes, i)
    lj = np.searchsorted(nodes, j)
    top = float(w.max()) + 1.0
    # Prefer pairing to staying alone (2*top > top - w for every edge), then prefer weight.
    rows = np.concatenate([li, lj, np.arange(m)])
    cols = np.concatenate([lj, li, m + np.arange(m)])
    cost = np.concatenate([top - w, top - w, np.full(m, 2.0 * top)])
    graph = csr_matrix(coo_matrix((cost, (rows, cols)), shape=(m, 2 * m)))
    _, chosen = min_weight_full_bipartite_matching(graph)
    # Weight of the edge each node chose, plus `top` so that a longer matching always wins below.
    along = 2.0 * top - np.asarray(graph[np.arange(m), chosen]).ravel()
    partner = np.where(chosen < m, chosen, -1)
    pointed = np.zeros(m, dtype=np.bool_)
    pointed[partner[partner >= 0]] = True
    seen = np.zeros(m, dtype=np.bool_)
    # Paths start at nodes nobody points to; what is left afterwards are cycles.
    starts = [int(v) for v in np.nonzero(~pointed)[0]] + list(range(m))
    for start in starts:
        if seen[start]:
            continue
        line = [start]
        seen[start] = True
        nxt = int(partner[start])
        while nxt >= 0 and not seen[nxt]:
            line.append(nxt)
            seen[nxt] = True
            nxt = int(partner[nxt])
        closed = nxt == start and len(line) > 1
        if len(line) < 2:
            continue
        weights = [float(along[v]) for v in (line if closed else line[:-1])]
        for a, b in _best_on_line(line, weights, closed):
            mate[nodes[a]] = nodes[b]
            mate[nodes[b]] = nodes[a]


def _solve_free(n: int, i: IntArray, j: IntArray, w: FloatArray, mate: IntArray, block: int) -> None:
    free = mate < 0
    keep = free[i] & free[j]
    i, j, w = i[keep], j[keep], w[keep]
    if len(i) == 0:
        return
    touched = np.zeros(n, dtype=np.bool_)
    touched[i] = True
    touched[j] = True
    involved = np.nonzero(touched)[0].astype(np.int64)
    if len(involved) <= block:
        _solve_block(involved, i, j, w, mate)
        return
    adjacency = csr_matrix(
        coo_matrix((np.ones(2 * len(i)), (np.concatenate([i, j]), np.concatenate([j, i]))), shape=(n, n))
    )
    order = reverse_cuthill_mckee(adjacency, symmetric_mode=True).astype(np.int64)
    order = order[touched[order]]
    block_of = np.full(n, -1, dtype=np.int64)
    block_of[order] = np.arange(len(order)) // block
    same = block_of[i] == block_of[j]
    bi, bj, bw = i[same], j[same], w[same]
    by_block = np.argsort(block_of[bi], kind="stable")
    bounds = np.searchsorted(block_of[bi][by_block], np.arange(block_of.max() + 2))
    for b in range(int(block_of.max()) + 1):
        sel = by_block[bounds[b] : bounds[b + 1]]
        _solve_block(order[b * block : (b + 1) * block], bi[sel], bj[sel], bw[sel], mate)


def max_weight_matching(n: int, i: IntArray, j: IntArray, w: FloatArray, block: int = BLOCK) -> IntArray:
    """mate[v] is v's partner or -1. Pairs as many nodes as it can, then maximises the total weight."""
    mate = np.full(n, -1, dtype=np.int64)
    for _ in range(3):
        before = int((mate >= 0).sum())
        _solve_free(n, i, j, w, mate, block)
        if int((mate >= 0).sum()) == before:
            break
    augment(n, i, j, mate)
    return mate


def augment(n: int, i: IntArray, j: IntArray, mate: IntArray, depth: int = 7) -> None:
    """Grow the matching along short alternating paths from each free node (breadth-first, bounded)."""
    adjacency = csr_matrix(
        coo_matrix((np.ones(2 * len(i)), (np.concatenate([i, j]), np.concatenate([j, i]))), shape=(n, n))
    )
    indptr, indices = adjacency.indptr, adjacency.indices
    for root in np.nonzero(mate < 0)[0].tolist():
        if mate[root] >= 0:
            continue
        parent = {root: -1}
        frontier = [root]
        found = -1
        for _ in range(depth // 2 + 1):
            nxt: list[int] = []
            for u in frontier:
                for v in indices[indptr[u] : indptr[u + 1]].tolist():
                    if v in parent:
                        continue
                    if mate[v] < 0:
                        parent[v] = u
                        found = v
                        break
                    x = int(mate[v])
                    if x in parent:
                        continue
                    parent[v] = u
                    parent[x] = v
                    nxt.append(x)
                if found >= 0:
                    break
            if found >= 0 or not nxt:
                break
            frontier = nxt
        if found < 0:
            continue
        v = found
        while True:
            u = parent[v]
            mate[u], mate[v] = v, u
            if u == root:
                break
            v = parent[u]
