"""The local search of large study-group rounds: each person, in a random order, tries the groups of their best
candidate partners (a move there, or a swap with one of its members) and takes the best gain, if any.

The people are taken a block at a time. Each person's best move is first found for the whole block at once, in
numpy, on the groups as they are when the block starts (`_planned_moves`). Then the block's people are taken in
order, as one at a time: a person whose own group and tried groups no move of the block has changed (and whose
candidate partners are in the same groups) takes the planned move, which is what trying them now would find;
anyone else is tried now, in plain Python (`_best_move`). Both add the same floats in the same order, so the
groups are the ones a person-by-person search finds; at 100,000 people it was most of a round's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from matching.arrays import distinct
from matching.constraints import pair_keys
from matching.group_objective import GroupObjective
from matching.population import FloatArray, IntArray

PASSES = 3
NEIGHBOUR_GROUPS = 4
BLOCK = 512  # people planned at once: fewer plans undone by the block's own moves, more numpy calls
GAIN = 1e-9  # a move must gain more than this
Move = tuple[int, int] | None  # (group to go to, member to swap with or -1); None: stay
Choice = tuple[float, Move]  # the gain of the best move (GAIN when there is none) and the move
Inner = Callable[[int], dict[int, float]]


def groups_to_try(a: int, ga: int, neighbours: dict[int, list[int]], where: dict[int, int]) -> list[int]:
    """The first `NEIGHBOUR_GROUPS` groups other than a's own (`ga`) that a's candidate partners are in, in the
    order of those partners."""
    seen = {ga}
    out: list[int] = []
    for b in neighbours.get(a, ()):
        if len(out) == NEIGHBOUR_GROUPS:
            break
        gb = where[b]
        if gb not in seen:
            seen.add(gb)
            out.append(gb)
    return out


def _best_move(
    objective: GroupObjective,
    groups: list[list[int]],
    a: int,
    ga: int,
    tried: Sequence[int],
    inner: Inner,
    low: int,
    high: int,
) -> Choice:
    """a's best move or swap into the groups `tried`, on the groups as they are now, and its gain."""
    to_each, sum_to, isolated = objective.to_each, objective.sum_to, objective.isolated
    iso = bool(objective.settings.isolate_rule_attributes)
    own = [y for y in groups[ga] if y != a]
    stay = inner(ga)[a]
    best_delta, best_move = GAIN, None
    for gb in tried:
        other = groups[gb]
        into = to_each(a, other)
        into_sum = 0.0
        for value in into:  # added left to right, as `_in_order` adds (Python 3.12's `sum` compensates)
            into_sum += value
        if len(groups[ga]) > low and len(other) < high:
            delta = into_sum - stay
            if iso:
                delta += objective.weights.isolation * (
                    isolated(groups[ga]) + isolated(other) - isolated(own) - isolated([*other, a])
                )
            if delta > best_delta:
                best_delta, best_move = delta, (gb, -1)
        there = inner(gb)
        for k, c in enumerate(other):
            delta = (into_sum - into[k] - there[c]) + (sum_to(c, own) - stay)
            if iso:
                new_b = [x for x in other if x != c] + [a]
                delta += objective.weights.isolation * (
                    isolated(groups[ga]) + isolated(other) - isolated([*own, c]) - isolated(new_b)
                )
            if delta > best_delta:
                best_delta, best_move = delta, (gb, c)
    return best_delta, best_move


class _Padded:
    """The groups as a numpy table, one row per group padded with -1 (and a last row of -1 for "no group")."""

    def __init__(self, groups: list[list[int]], width: int) -> None:
        self.table = np.full((len(groups) + 1, width), -1, dtype=np.int64)
        for g, members in enumerate(groups):
            self.table[g, : len(members)] = members

    def update(self, g: int, members: Sequence[int]) -> None:
        row = self.table[g]
        row[:] = -1
        row[: len(members)] = members


def _in_order(values: FloatArray) -> FloatArray:
    """Sums over the last axis added left to right from 0.0, as `_best_move` and `GroupObjective.sum_to` add."""
    out = np.zeros(values.shape[:-1], dtype=np.float64)
    for k in range(values.shape[-1]):
        out += values[..., k]
    return out


class _PairValues:
    """The objective of every pair among `firsts` x `seconds` (-1: nobody), scored at once; 0.0 for nobody."""

    def __init__(self, objective: GroupObjective, firsts: list[IntArray], seconds: list[IntArray]) -> None:
        both = [np.broadcast_arrays(f, s) for f, s in zip(firsts, seconds, strict=True)]
        i = np.concatenate([f.ravel() for f, _ in both])
        j = np.concatenate([s.ravel() for _, s in both])
        real = (i >= 0) & (j >= 0)
        self.n = objective.n
        self.keys = distinct(pair_keys(i[real], j[real], self.n), in_place=True)
        self.values = objective.values(self.keys // self.n, self.keys % self.n)

    def of(self, i: IntArray, j: IntArray) -> FloatArray:
        i, j = np.broadcast_arrays(i, j)
        real = (i >= 0) & (j >= 0)
        out = np.zeros(i.shape, dtype=np.float64)
        out[real] = self.values[np.searchsorted(self.keys, pair_keys(i[real], j[real], self.n))]
        return out


def _planned_moves(
    objective: GroupObjective, block: list[int], tries: list[list[int]], padded: _Padded, low: int, high: int
) -> list[Choice]:
    """`_best_move` of each person of `block` on the groups as they are now (tries[k]: the own group, then the
    groups tried), for every person at once: the same sums in the same order."""
    width = padded.table.shape[1]
    rows = np.full((len(block), NEIGHBOUR_GROUPS + 1), -1, dtype=np.int64)
    for k, row in enumerate(tries):
        rows[k, : len(row)] = row
    people = np.array(block, dtype=np.int64)
    # (person, own group + groups tried, member); row -1 is the table's last row, of -1
    members = padded.table[rows]
    own = members[:, 0, :]
    own = np.where(own == people[:, None], -1, own)  # a's groupmates, in their group's order
    others = members[:, 1:, :]
    person = people[:, None, None]
    member, mate = others[..., :, None], others[..., None, :]
    pairs = _PairValues(
        objective, [people[:, None], person, member, member], [own, others, own[:, None, None, :], mate]
    )
    stay = _in_order(pairs.of(people[:, None], own))
    into = pairs.of(person, others)
    into_sum = _in_order(into)
    rest = np.where(np.eye(width, dtype=np.bool_), -1, mate)
    there = pairs.of(member, rest)  # each member of a tried group with the rest of its group
    here = pairs.of(member, own[:, None, None, :])  # each member of a tried group with a's groupmates
    swap = ((into_sum[..., None] - into) - _in_order(there)) + (_in_order(here) - stay[:, None, None])
    swap[others < 0] = -np.inf
    sizes = (members >= 0).sum(axis=2)
    movable = (sizes[:, :1] > low) & (sizes[:, 1:] < high) & (rows[:, 1:] >= 0)
    move = np.where(movable, into_sum - stay[:, None], -np.inf)
    # In the order `_best_move` tries them: per group, the move there, then a swap with each member.
    options = np.concatenate([move[..., None], swap], axis=2).reshape(len(block), -1)
    best = np.argmax(options, axis=1)  # the first of the highest, as a strict `>` keeps the first
    gain = options[np.arange(len(block)), best]
    gains = gain > GAIN
    group, slot = np.divmod(best, width + 1)
    targets = rows[np.arange(len(block)), group + 1].tolist()
    partners = np.where(slot > 0, others[np.arange(len(block)), group, slot - 1], -1).tolist()
    chosen = zip(gain.tolist(), targets, partners, gains.tolist(), strict=True)
    return [(value, (t, c)) if g else (GAIN, None) for value, t, c, g in chosen]


def improve(
    objective: GroupObjective, groups: list[list[int]], neighbours: dict[int, list[int]], seed: int
) -> None:
    """Up to `PASSES` passes over everyone; each person takes their best move or swap (if it gains)."""
    where = {m: g for g, members in enumerate(groups) for m in members}
    sizes = [len(g) for g in groups]
    low, high = min(sizes), max(sizes)
    padded = _Padded(groups, high)
    rng = np.random.default_rng(seed + 1)
    people = list(where)
    # The balancing rule's penalty is counted per group in Python: its rounds are searched person by person.
    plan = not objective.settings.isolate_rule_attributes
    # Each member's sum of pairs with the rest of their group, kept per group and rebuilt when the group changes.
    sums: dict[int, dict[int, float]] = {}

    def inner(g: int) -> dict[int, float]:
        hit = sums.get(g)
        if hit is None:
            members = groups[g]
            hit = sums[g] = {m: objective.sum_to(m, [x for x in members if x != m]) for m in members}
        return hit

    for _ in range(PASSES):
        improved = 0
        order = rng.permutation(np.array(people, dtype=np.int64)).tolist()
        for start in range(0, len(order), BLOCK):
            block = order[start : start + BLOCK]
            objective.forget()  # the cache holds the pairs of one block's people tried now, not of a whole pass
            tries, planned = [], []
            if plan:
                tries = [[where[a], *groups_to_try(a, where[a], neighbours, where)] for a in block]
                planned = _planned_moves(objective, block, tries, padded, low, high)
            changed: set[int] = set()
            for k, a in enumerate(block):
                ga = where[a]
                if plan and changed.isdisjoint(tries[k]):
                    # a's partners tried are where they were (one who moved changed a group of tries[k])
                    _, best = planned[k]
                else:
                    tried = groups_to_try(a, ga, neighbours, where)
                    _, best = _best_move(objective, groups, a, ga, tried, inner, low, high)
                if best is None:
                    continue
                gb, c = best
                groups[ga].remove(a)
                groups[gb].append(a)
                where[a] = gb
                if c >= 0:
                    groups[gb].remove(c)
                    groups[ga].append(c)
                    where[c] = ga
                for g in (ga, gb):
                    padded.update(g, groups[g])
                    sums.pop(g, None)
                    changed.add(g)
                improved += 1
        if not improved:
            break
    objective.forget()
