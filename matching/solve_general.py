"""Maximum-weight matching on a sparse general graph, close to optimal and near-linear in time.

Exact blossom algorithms are cubic. Instead the matching comes from the bipartite relaxation: an assignment
problem where every node picks one partner or stays alone. Its optimum decomposes into 2-cycles (pairs),
longer cycles and paths.

- Up to `BLOCK` nodes the relaxation is solved exactly (scipy's LAPJVsp) and each cycle or path is matched
  optimally by dynamic programming; nodes left free are solved again on the edges that remain.
- Larger graphs (where LAPJVsp grows much faster than linearly) get the relaxation from a parallel auction
  (`matching.auction`) over the whole graph, stopped when only its long tail of single bids is left. Its
  2-cycles are kept, the rest is matched greedily, and the matching is grown from its free nodes
  (`matching.local_matching`). Cutting the graph into exact blocks instead loses the edges between blocks,
  which on these graphs (skill buckets spread over every time zone) cost a fifth of the score at 10,000 nodes.
- Up to a size, `exact_on_tight` then takes the auction's prices as a dual and solves exactly (blossom) on the
  edges that are tight or nearly so, which split into components the blossom handles in about a second.
"""

from __future__ import annotations

import numpy as np
import rustworkx as rx
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from matching.arrays import distinct, ranges, stable_order
from matching.auction import auction
from matching.local_matching import greedy_matching, grow
from matching.population import FloatArray, IntArray

BLOCK = 1200  # up to this many nodes, the relaxation is solved exactly
# The auction's bid increment, relative to the heaviest edge: each node may end up to this much below its
# best. Up to FINE_UP_TO nodes 0.001 (at 10,000: 98.8 % of the proven bound of benchmarks/matching/bound.py,
# 0.01 gave 98.4 %, in 802 bidding rounds against 248); past it 0.01, for the time at 100,000.
AUCTION_EPS = 0.01
AUCTION_EPS_FINE = 0.001
FINE_UP_TO = 25_000
AUCTION_TAIL = 100  # the auction stops when fewer than 1 in this many nodes are still bidding
AUCTION_EDGES = 48  # each node's heaviest edges the auction bids over
LEVELS = 2**16
# `exact_on_tight`: the auction's step there, and how far below tight (both relative to the heaviest edge) an edge
# may be and still be kept. At 10,000 (benchmarks/matching/bound.py) 0.3 % kept 0.9-2.2 edges per node and lost
# 0.03 % (synthetic) to 0.05 % (skewed) of the score against 0.45 %, in half the time.
TIGHT_EPS = 0.001
TIGHT_SLACK = 0.003
# The auction there stops when fewer than 1 in this many nodes are still bidding (1 in 100 lost 0.35 %).
TIGHT_TAIL = 1000
SEARCH_LIMIT = 1000  # nodes one augmenting-path search may visit


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


def _solve_free(n: int, i: IntArray, j: IntArray, w: FloatArray, mate: IntArray) -> None:
    free = mate < 0
    keep = free[i] & free[j]
    i, j, w = i[keep], j[keep], w[keep]
    if len(i) == 0:
        return
    _solve_block(distinct(np.concatenate([i, j])), i, j, w, mate)


def _adjacency(
    n: int, i: IntArray, j: IntArray, w: FloatArray, heaviest_first: bool = False
) -> tuple[IntArray, IntArray, FloatArray]:
    """Both directions of every edge, sorted by their first end: (indptr, other end, weight).

    With `heaviest_first`, each node's edges come roughly from the heaviest (weights in 2**16 levels).
    """
    # Built in place where it can be: at 100,000 people these are 10 million edges, 80 MB per array.
    key = np.concatenate([i, j])
    indptr = np.concatenate([[0], np.cumsum(np.bincount(key, minlength=n))]).astype(np.int64)
    if heaviest_first and len(w):
        low, high = float(w.min()), float(w.max())
        # key = src * LEVELS + int((high - w) * (LEVELS - 1) / span), the level once per undirected edge
        below = np.subtract(high, w)
        below *= LEVELS - 1
        below /= max(high - low, 1e-12)
        level = below.astype(np.int64)
        del below
        key *= LEVELS
        key[: len(w)] += level
        key[len(w) :] += level
        del level
    order = stable_order(key, in_place=True)
    del key
    dst = np.concatenate([j, i])[order]
    ww = np.concatenate([w, w])[order]
    return indptr, dst, ww


def _large(n: int, i: IntArray, j: IntArray, w: FloatArray, mate: IntArray) -> tuple[IntArray, IntArray]:
    """The auction's pairs, then greedy, then growth from the free nodes; returns the adjacency it built."""
    indptr, dst, ww = _adjacency(n, i, j, w, heaviest_first=True)
    degree = np.diff(indptr)
    # The auction bids over each node's heaviest edges only: as good, in far fewer bids.
    bids_of = np.minimum(degree, AUCTION_EDGES)
    top = ranges(indptr[:-1], indptr[:-1] + bids_of)
    bidders = int((degree > 0).sum())
    eps = (AUCTION_EPS_FINE if bidders <= FINE_UP_TO else AUCTION_EPS) * max(float(np.abs(w).max()), 1e-6)
    cap = np.ones(n, dtype=np.int64)
    bidder = np.repeat(np.arange(n, dtype=np.int64), bids_of)
    won = auction(n, bidder, dst[top], ww[top], cap, eps, stop_below=bidders // AUCTION_TAIL)
    won = np.where(won >= 0, top[np.maximum(won, 0)], -1)
    partner = np.where(won >= 0, dst[np.maximum(won, 0)], -1)
    both = np.nonzero((partner >= 0) & (partner[np.maximum(partner, 0)] == np.arange(n)))[0]
    along = np.zeros(n, dtype=np.float64)
    mate[both] = partner[both]
    along[both] = ww[won[both]]
    free = mate < 0
    rest = free[i] & free[j]
    greedy_matching(n, i[rest], j[rest], w[rest], mate, along)
    grow(n, indptr, dst, ww, mate, along)
    return indptr, dst


Adjacency = tuple[IntArray, IntArray]  # (indptr, other end) of every edge in both directions


def match_graph(
    n: int, i: IntArray, j: IntArray, w: FloatArray, block: int = BLOCK
) -> tuple[IntArray, Adjacency]:
    """`max_weight_matching`, and the graph in CSR form for more `augment_along` calls."""
    mate = np.full(n, -1, dtype=np.int64)
    touched = np.zeros(n, dtype=np.bool_)
    touched[i] = True
    touched[j] = True
    if int(touched.sum()) > block:
        indptr, dst = _large(n, i, j, w, mate)
        augment_along(indptr, dst, mate)
        return mate, (indptr, dst)
    for _ in range(3):
        before = int((mate >= 0).sum())
        _solve_free(n, i, j, w, mate)
        if int((mate >= 0).sum()) == before:
            break
    indptr, dst, _ = _adjacency(n, i, j, w)
    augment_along(indptr, dst, mate)
    return mate, (indptr, dst)


def blossom(n: int, i: IntArray, j: IntArray, w: FloatArray) -> IntArray:
    """mate[v] (-1 when unpaired): the most pairs these edges allow, and among those the heaviest.

    rustworkx's compiled blossom takes integer weights: thousandths of a point are kept.
    """
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    graph.add_edges_from(
        list(zip(i.tolist(), j.tolist(), np.round(w * 1000).astype(np.int64).tolist(), strict=True))
    )
    mate = np.full(n, -1, dtype=np.int64)
    for a, b in sorted(rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)):
        mate[a], mate[b] = b, a
    return mate


def exact_on_tight(n: int, i: IntArray, j: IntArray, w: FloatArray, mate: IntArray) -> None:
    """Improve `mate` by solving exactly (blossom) on the edges that an optimum is likely to use.

    An auction on every edge gives prices p; with a(v) = max(0, max over v's edges of w - p), the values
    y(v) = (a(v) + p(v)) / 2 satisfy y(u) + y(v) >= w(u, v) on every edge (a dual of the matching LP), and an
    optimum's edges are the ones where this holds with (near) equality. Those edges, and `mate`'s own, fall into
    connected components (at 10,000 people the largest has 5,000-7,000 nodes and about 1.5 edges per node), each
    solved by the blossom. `mate`'s edges are kept in, so the result pairs
    at least as many nodes, and when as many, weighs at least as much.
    """
    if len(i) == 0:
        return
    indptr, dst, ww = _adjacency(n, i, j, w)
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    top = max(float(np.abs(w).max()), 1e-6)
    price = np.zeros(n, dtype=np.float64)
    bidders = int((np.diff(indptr) > 0).sum())
    # Every edge bids: the heaviest 48 per node only (as in `_large`) gave prices that kept nothing better.
    auction(
        n,
        src,
        dst,
        ww,
        np.ones(n, dtype=np.int64),
        TIGHT_EPS * top,
        stop_below=bidders // TIGHT_TAIL,
        prices_out=price,
    )
    price[~np.isfinite(price)] = 0.0
    best = np.zeros(n, dtype=np.float64)
    np.maximum.at(best, src, ww - price[dst])
    y = (best + price) / 2
    keep = (y[i] + y[j] - w <= TIGHT_SLACK * top) | (mate[i] == j)
    ki, kj, kw = i[keep], j[keep], w[keep]
    count, label = connected_components(
        coo_matrix((np.ones(len(ki)), (ki, kj)), shape=(n, n)), directed=False
    )
    order = stable_order(label[ki])
    ki, kj, kw = ki[order], kj[order], kw[order]
    bounds = np.searchsorted(label[ki], np.arange(count + 1))
    out = np.full(n, -1, dtype=np.int64)
    for c in np.nonzero(np.diff(bounds) > 0)[0].tolist():
        part = slice(bounds[c], bounds[c + 1])
        ci, cj, cw = ki[part], kj[part], kw[part]
        nodes, local = np.unique(np.concatenate([ci, cj]), return_inverse=True)
        sub = blossom(len(nodes), local[: len(ci)], local[len(ci) :], cw)
        hit = sub >= 0
        out[nodes[hit]] = nodes[sub[hit]]
    mate[:] = out


def max_weight_matching(n: int, i: IntArray, j: IntArray, w: FloatArray, block: int = BLOCK) -> IntArray:
    """mate[v] is v's partner or -1. Pairs as many nodes as it can, then maximises the total weight."""
    return match_graph(n, i, j, w, block)[0]


def augment(n: int, i: IntArray, j: IntArray, mate: IntArray, depth: int = 7) -> None:
    """Grow the matching along short alternating paths from each free node (breadth-first, bounded)."""
    indptr, dst, _ = _adjacency(n, i, j, np.zeros(len(i), dtype=np.float64))
    augment_along(indptr, dst, mate, depth)


def augment_along(indptr: IntArray, indices: IntArray, mate: IntArray, depth: int = 7) -> None:
    """`augment` on a graph already in CSR form. Each search visits at most `SEARCH_LIMIT` nodes."""
    for root in np.nonzero(mate < 0)[0].tolist():
        if mate[root] >= 0 or indptr[root] == indptr[root + 1]:
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
                if found >= 0 or len(parent) > SEARCH_LIMIT:
                    break
            if found >= 0 or not nxt or len(parent) > SEARCH_LIMIT:
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
