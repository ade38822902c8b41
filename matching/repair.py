"""Repair after the fast solvers: as many people placed as the hard constraints allow.

The fast solvers look at a few candidate partners per person, so a person whose candidates were all ruled out or
taken can be left out while an allowed partner elsewhere is free. The steps here look at *every* allowed partner
of the people left out (listed lazily, one person at a time) and grow the assignment along augmenting paths. When
no augmenting path is left, no assignment under the hard constraints places more people (Berge's theorem; with
capacities, each giver's spare slots count as copies of it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import numpy as np

from matching.population import FloatArray, IntArray

Options = Callable[[int], list[int]]  # a seeker's allowed givers, best first


def complete_assignment(
    seekers: Iterable[int],
    giver_of: IntArray,
    left: IntArray,
    options: Options,
    reach: Callable[[int], frozenset[int]] | None = None,
) -> list[int]:
    """Grow `giver_of` (seeker -> giver or -1; `left` spare slots per giver) to a maximum-cardinality assignment.

    Each seeker without a giver searches breadth-first along alternating paths (seeker, an allowed giver, a
    seeker that giver holds, another allowed giver of theirs, ...) for a giver with a spare slot, and the path is
    flipped. A search that fails marks everything it reached as dead: no later search can get through it, since
    flipping paths elsewhere never changes who holds what inside it. `reach(s)`, when given, is a cheap superset
    of s's allowed givers: a seeker whose givers there are all dead is skipped without listing its options.
    Returns the seekers newly placed.
    """
    holders: dict[int, list[int]] = {}
    for s, g in enumerate(giver_of.tolist()):
        if g >= 0:
            holders.setdefault(g, []).append(s)
    cache: dict[int, list[int]] = {}

    def allowed(s: int) -> list[int]:
        hit = cache.get(s)
        if hit is None:
            hit = cache[s] = options(s)
        return hit

    dead_givers: set[int] = set()
    dead_seekers: set[int] = set()
    dead_reach: set[frozenset[int]] = set()  # reach sets found dead (dead stays dead)
    placed: list[int] = []
    for root in seekers:
        if giver_of[root] >= 0 or root in dead_seekers:
            continue
        if reach is not None:
            near = reach(root)
            if near in dead_reach:
                continue
            if dead_givers.issuperset(near):
                dead_reach.add(near)
                continue
        reached_from: dict[int, int] = {}  # giver -> the seeker that reached it
        seen = {root}
        queue = deque([root])
        found = -1
        while queue and found < 0:
            s = queue.popleft()
            for g in allowed(s):
                if g in reached_from or g in dead_givers:
                    continue
                reached_from[g] = s
                if left[g] > 0:
                    found = g
                    break
                for other in holders.get(g, ()):
                    if other not in seen and other not in dead_seekers:
                        seen.add(other)
                        queue.append(other)
        if found < 0:
            dead_givers.update(reached_from)
            dead_seekers.update(seen)
            continue
        left[found] -= 1
        g = found
        while True:
            s = reached_from[g]
            old = int(giver_of[s])
            giver_of[s] = g
            holders.setdefault(g, []).append(s)
            if old < 0:
                break
            holders[old].remove(s)
            g = old
        placed.append(root)
    return placed


def host_free(
    free: list[int], pairs: IntArray, can_join: Callable[[int], tuple[IntArray, FloatArray]]
) -> dict[int, int]:
    """Each free person to a pair they can join as its third member, at most one per pair, as many as possible.

    `can_join(u)` gives the pairs (indices into `pairs`) u may join, and how much each is worth.
    """
    options: dict[int, list[int]] = {}
    for u in free:
        rows, gain = can_join(u)
        order = np.lexsort((rows, -gain))
        options[u] = rows[order].tolist()
    giver_of = np.full(max(free, default=-1) + 1, -1, dtype=np.int64)
    left = np.ones(len(pairs), dtype=np.int64)
    for u in free:
        for row in options[u]:
            if left[row] > 0:
                left[row] -= 1
                giver_of[u] = row
                break
    complete_assignment(free, giver_of, left, lambda u: options.get(u, []))
    return {u: int(giver_of[u]) for u in free if giver_of[u] >= 0}
