"""Moves over whole partitions for study groups: a plain greedy start, best-improvement over every move and swap
(for small rounds), and the feasibility repair with its exact fallback.

Groups are lists of person positions; the objective is `GroupObjective`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from matching.group_objective import FORBIDDEN, GroupObjective

Groups = list[list[int]]
NEAR = 8  # best candidate partners per member the greedy weighs (10,000 people: higher objective than all of them)
FALLBACK = 64  # people left, in order, that the greedy weighs when no candidate partner of the group is left


def total(objective: GroupObjective, groups: Groups) -> float:
    return sum(objective.group(g) for g in groups)


def cut(order: Sequence[int], sizes: Sequence[int]) -> Groups:
    groups: Groups = []
    start = 0
    for s in sizes:
        groups.append(list(order[start : start + s]))
        start += s
    return groups


class _InOrder:
    """People not yet placed, in increasing order.

    A dict emptied from its front would do, but CPython skips every deleted slot when iterating it from the start,
    which made the greedy start quadratic (26 s of a 100,000-person round); a cursor past the placed prefix does not.
    """

    def __init__(self, people: Sequence[int]) -> None:
        self.order = sorted(people)
        self.left = set(self.order)
        self._cursor = 0

    def __len__(self) -> int:
        return len(self.left)

    def __contains__(self, person: int) -> bool:
        return person in self.left

    def take(self, person: int) -> None:
        self.left.remove(person)

    def first(self, count: int) -> list[int]:
        """The first `count` people left, in order."""
        order, left = self.order, self.left
        while self._cursor < len(order) and order[self._cursor] not in left:
            self._cursor += 1
        out: list[int] = []
        at = self._cursor
        while len(out) < count and at < len(order):
            if order[at] in left:
                out.append(order[at])
            at += 1
        return out


def _best_left(near: Sequence[int], left: _InOrder) -> list[int]:
    """The first `NEAR` of a member's candidate partners (best first) that are still left."""
    out: list[int] = []
    for c in near:
        if c in left:
            out.append(c)
            if len(out) == NEAR:
                break
    return out


def greedy(
    objective: GroupObjective,
    people: Sequence[int],
    sizes: Sequence[int],
    near: Mapping[int, Sequence[int]],
    everyone: bool,
) -> Groups:
    """Plain greedy: each group starts from the first person left and adds whoever adds most, until it is full.

    With `everyone`, every person left is considered; otherwise the candidate partners of the members, and the
    next `FALLBACK` people in order when none of those may join them all.
    """
    left = _InOrder(people)
    groups: Groups = []
    for size in sorted(sizes, reverse=True):
        first = left.first(1)[0]
        left.take(first)
        group = [first]
        # What each candidate adds to the group so far, brought up to date as members join (added in the
        # members' order, so each is the same float as summing its pairs afresh).
        adds: dict[int, float] = {}
        while len(group) < size and left:
            if everyone:
                pool = left.first(len(left))
            else:
                pool = list(dict.fromkeys(c for m in group for c in _best_left(near.get(m, ()), left)))
            for c in pool:
                if c not in adds:
                    adds[c] = objective.sum_to(c, group)
            best = max(pool, key=lambda c: (adds[c], -c), default=-1)
            if best < 0 or adds[best] < FORBIDDEN / 2:
                # No candidate partner left may join them all: weigh the next few people left as well.
                pool = list(dict.fromkeys([*pool, *left.first(FALLBACK)]))
                for c in pool:
                    if c not in adds:
                        adds[c] = objective.sum_to(c, group)
                best = max(pool, key=lambda c: (adds[c], -c))
            left.take(best)
            del adds[best]
            group.append(best)
            if len(group) < size:
                for c, value in zip(adds, objective.to_each(best, list(adds)), strict=True):
                    adds[c] += value
        groups.append(group)
    return groups


def polish(objective: GroupObjective, groups: Groups, low: int, high: int) -> None:
    """Best-improvement over every move and swap between any two groups, until none raises the objective.

    A move keeps every size within low..high.
    """
    values = [objective.group(g) for g in groups]
    for _ in range(20 * len(groups) * max(map(len, groups), default=1)):
        best_gain, best = 1e-9, (-1, -1, -1, -1)
        for ga, gb in itertools.combinations(range(len(groups)), 2):
            a_side, b_side = groups[ga], groups[gb]
            base = values[ga] + values[gb]
            for x in a_side:
                rest_a = [m for m in a_side if m != x]
                if len(a_side) > low and len(b_side) < high:
                    gain = objective.group(rest_a) + objective.group([*b_side, x]) - base
                    if gain > best_gain:
                        best_gain, best = gain, (ga, gb, x, -1)
                for y in b_side:
                    rest_b = [m for m in b_side if m != y]
                    gain = objective.group([*rest_a, y]) + objective.group([*rest_b, x]) - base
                    if gain > best_gain:
                        best_gain, best = gain, (ga, gb, x, y)
            if len(b_side) > low and len(a_side) < high:
                for y in b_side:
                    rest_b = [m for m in b_side if m != y]
                    gain = objective.group(rest_b) + objective.group([*a_side, y]) - base
                    if gain > best_gain:
                        best_gain, best = gain, (gb, ga, y, -1)
        ga, gb, x, y = best
        if ga < 0:
            return
        groups[ga].remove(x)
        groups[gb].append(x)
        if y >= 0:
            groups[gb].remove(y)
            groups[ga].append(y)
        values[ga], values[gb] = objective.group(groups[ga]), objective.group(groups[gb])


def _fits(objective: GroupObjective, m: int, group: Sequence[int]) -> bool:
    return all(objective.allowed(m, x) for x in group)


def place(objective: GroupObjective, groups: Groups, m: int, high: int) -> bool:
    """Put m somewhere without breaking a hard constraint: into a group with room, in exchange for a member who
    fits elsewhere, or in a new group of two with someone taken from a group of three or more."""
    pair = objective.pair
    fits = [g for g in groups if len(g) < high and _fits(objective, m, g)]
    if fits:
        max(fits, key=lambda g: (sum(pair(m, x) for x in g), -len(g))).append(m)
        return True
    for g in groups:
        for x in g:
            if not _fits(objective, m, [y for y in g if y != x]):
                continue
            for h in groups:
                if h is not g and len(h) < high and _fits(objective, x, h):
                    g.remove(x)
                    g.append(m)
                    h.append(x)
                    return True
    for g in groups:
        if len(g) >= 3:
            for x in g:
                if objective.allowed(m, x):
                    g.remove(x)
                    groups.append([m, x])
                    return True
    return False


def repair(objective: GroupObjective, groups: Groups, high: int) -> list[int]:
    """Take out members who break a hard constraint and place them again; return who is left out."""
    out: list[int] = []
    for members in groups:
        while True:
            clashes = {m: sum(not objective.allowed(m, x) for x in members if x != m) for m in members}
            worst = max(members, key=lambda m: (clashes[m], -m), default=-1)
            if worst < 0 or clashes[worst] == 0:
                break
            members.remove(worst)
            out.append(worst)
    for members in groups:
        if len(members) == 1:
            out.append(members.pop())
    groups[:] = [g for g in groups if g]
    waiting: list[int] = []
    for m in out:
        if place(objective, groups, m, high):
            continue
        # Two left out who may be together make a group of their own, which others left out may join.
        partner = next((w for w in waiting if objective.allowed(m, w)), -1)
        if partner >= 0:
            waiting.remove(partner)
            groups.append([partner, m])
        else:
            waiting.append(m)
    return [m for m in waiting if not place(objective, groups, m, high)]


def most_placed(objective: GroupObjective, people: Sequence[int], high: int) -> Groups:
    """The partition into groups of 2..high, none breaking a hard constraint, that places the most people (then
    has the highest objective). Exact, by dynamic programming over subsets: for small rounds only."""
    n = len(people)
    ok = [[objective.allowed(a, b) for b in people] for a in people]
    memo: dict[int, tuple[int, float, tuple[tuple[int, ...], ...]]] = {0: (0, 0.0, ())}

    def solve(mask: int) -> tuple[int, float, tuple[tuple[int, ...], ...]]:
        hit = memo.get(mask)
        if hit is not None:
            return hit
        first = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << first)
        result = solve(rest)  # the first one stays out
        others = [k for k in range(n) if rest >> k & 1 and ok[first][k]]
        stack: list[tuple[list[int], int]] = [([first], 0)]
        while stack:
            group, start = stack.pop()
            if len(group) >= 2:
                placed, value, groups = solve(mask & ~sum(1 << k for k in group))
                value += objective.group([people[k] for k in group])
                if (placed + len(group), value) > result[:2]:
                    result = (placed + len(group), value, (*groups, tuple(group)))
            if len(group) < high:
                for idx in range(start, len(others)):
                    k = others[idx]
                    if all(ok[k][g] for g in group[1:]):
                        stack.append(([*group, k], idx + 1))
        memo[mask] = result
        return result

    return [[people[k] for k in g] for g in solve((1 << n) - 1)[2]]
