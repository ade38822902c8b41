"""Maximum-weight assignment of seekers (learners, newcomers) to givers (mentors, buddies) with capacities.

Each giver with capacity c becomes c identical slots, and every seeker gets a private "nobody" slot, so that
scipy's sparse LAPJVsp finds the exact optimum of the instance it is given. Large instances are cut into
blocks of seekers (past WHOLE of them) in reverse Cuthill-McKee order (seekers who share givers land together); blocks are solved
one after the other against the capacity that is left, so capacity is never exceeded.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching, reverse_cuthill_mckee

from matching.population import FloatArray, IntArray

BLOCK = 1500
WHOLE = 25_000  # up to this many seekers, one exact solve over every candidate edge
BEST_EDGES = 8  # ... on each seeker's best few edges, which keeps that solve fast


def best_edges(s: IntArray, g: IntArray, w: FloatArray, keep: int) -> IntArray:
    """Indices of each seeker's `keep` heaviest edges (one per giver), in their original order."""
    order = np.lexsort((g, -w, s))
    s_sorted, g_sorted = s[order], g[order]
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = (s_sorted[1:] != s_sorted[:-1]) | (g_sorted[1:] != g_sorted[:-1])
    order = order[first]
    seeker = s[order]
    rank = np.arange(len(order)) - np.searchsorted(seeker, seeker, side="left")
    out: IntArray = np.sort(order[rank < keep])
    return out


def _solve(s: IntArray, g: IntArray, w: FloatArray, left: IntArray) -> IntArray:
    """Exact for the given edges: indices of the chosen edges; `left` capacity is reduced accordingly."""
    # Keep the best edge per (seeker, giver): several skills can join the same two people.
    order = np.lexsort((-w, g, s))
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = (s[order][1:] != s[order][:-1]) | (g[order][1:] != g[order][:-1])
    edge_ids = order[first]
    edge_ids = edge_ids[left[g[edge_ids]] > 0]
    if len(edge_ids) == 0:
        return np.empty(0, dtype=np.int64)
    s, g, w = s[edge_ids], g[edge_ids], w[edge_ids]
    seekers = np.unique(s)
    givers, g_local = np.unique(g, return_inverse=True)
    demand = np.bincount(g_local, minlength=len(givers))
    slots = np.minimum(left[givers], demand)
    first_slot = np.concatenate([[0], np.cumsum(slots)[:-1]])
    s_local = np.searchsorted(seekers, s)
    # One copy of each edge per slot of its giver.
    copies = slots[g_local]
    edge_of = np.repeat(np.arange(len(s)), copies)
    offset = np.arange(len(edge_of)) - np.repeat(np.cumsum(copies) - copies, copies)
    rows = s_local[edge_of]
    cols = first_slot[g_local[edge_of]] + offset
    top = float(w.max()) + 1.0
    n_slots = int(slots.sum())
    # Later slots cost a hair more, which makes ties between identical slots resolve the same way every run.
    cost = top - w[edge_of] + offset * 1e-9
    m = len(seekers)
    rows = np.concatenate([rows, np.arange(m)])
    cols = np.concatenate([cols, n_slots + np.arange(m)])
    cost = np.concatenate([cost, np.full(m, top + 1e-6)])  # a pairing beats nobody, even at weight 0
    graph = csr_matrix(coo_matrix((cost, (rows, cols)), shape=(m, n_slots + m)))
    _, chosen = min_weight_full_bipartite_matching(graph)
    real = np.nonzero(chosen < n_slots)[0]
    slot_owner = np.repeat(np.arange(len(givers)), slots)
    wanted = real * len(givers) + slot_owner[chosen[real]]
    keys = s_local * len(givers) + g_local
    by_key = np.argsort(keys)
    picked = by_key[np.searchsorted(keys[by_key], wanted)]
    np.subtract.at(left, g[picked], 1)
    out: IntArray = edge_ids[picked]
    return out


def assign(
    n: int, s: IntArray, g: IntArray, w: FloatArray, capacity: IntArray, block: int = BLOCK
) -> IntArray:
    """For every node, the index of the edge (s[k], g[k]) it was assigned as a seeker, or -1.

    Maximises the total weight with each seeker used at most once and each giver at most `capacity` times.
    """
    assigned = np.full(n, -1, dtype=np.int64)
    left = capacity.astype(np.int64).copy()
    if len(s) == 0:
        return assigned
    seekers = np.unique(s)
    if len(seekers) <= max(block, WHOLE):
        sel = best_edges(s, g, w, BEST_EDGES) if len(seekers) > block else np.arange(len(s))
        picked = sel[_solve(s[sel], g[sel], w[sel], left)]
        assigned[s[picked]] = picked
        return assigned
    adjacency = csr_matrix(
        coo_matrix((np.ones(2 * len(s)), (np.concatenate([s, g]), np.concatenate([g, s]))), shape=(n, n))
    )
    order = reverse_cuthill_mckee(adjacency, symmetric_mode=True).astype(np.int64)
    order = order[np.isin(order, seekers)]
    block_of = np.full(n, -1, dtype=np.int64)
    block_of[order] = np.arange(len(order)) // block
    by_block = np.argsort(block_of[s], kind="stable")
    bounds = np.searchsorted(block_of[s][by_block], np.arange(int(block_of.max()) + 2))
    for b in range(int(block_of.max()) + 1):
        sel = np.sort(by_block[bounds[b] : bounds[b + 1]])
        picked = sel[_solve(s[sel], g[sel], w[sel], left)]
        assigned[s[picked]] = picked
    # Seekers whose block ran out of capacity get a second chance at what other blocks left over.
    free = assigned[s] < 0
    if free.any():
        sel = np.nonzero(free)[0]
        picked = sel[_solve(s[sel], g[sel], w[sel], left)]
        assigned[s[picked]] = picked
    return assigned
