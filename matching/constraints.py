"""Hard constraints between two people: cool-down, never-match and minimum shared availability.

Level gap and capacity are hard too; they belong to the bipartite kinds and are enforced where edges are built.
"""

from __future__ import annotations

import itertools

import numpy as np

from matching.model import History, ProgramSettings
from matching.population import BoolArray, IntArray, Population


def pair_keys(i: IntArray, j: IntArray, n: int) -> IntArray:
    lo = np.minimum(i, j)
    hi = np.maximum(i, j)
    out: IntArray = lo * np.int64(max(n, 1)) + hi
    return out


class Constraints:
    def __init__(self, population: Population, settings: ProgramSettings, history: History) -> None:
        self.population = population
        self.settings = settings
        n = population.n
        pos = population.position
        now = history.round_now()
        forbidden: set[int] = set()
        earlier: set[int] = set()
        for group in history.past:
            members = sorted(pos[m] for m in group.members if m in pos)
            in_cooldown = group.round_index >= now - settings.cooldown_rounds
            target = forbidden if in_cooldown else earlier
            for a, b in itertools.combinations(members, 2):
                target.add(a * max(n, 1) + b)
        for pair in history.never_match:
            members = sorted(pos[m] for m in pair if m in pos)
            for a, b in itertools.combinations(members, 2):
                forbidden.add(a * max(n, 1) + b)
        self.forbidden = np.array(sorted(forbidden), dtype=np.int64)
        self.earlier = np.array(sorted(earlier - forbidden), dtype=np.int64)
        self.forbidden_set = forbidden
        self.earlier_set = earlier - forbidden
        limit = settings.hours_per_pairing
        self.has_time = np.array(
            [p.hours_per_month is None or p.hours_per_month >= max(limit, 1) for p in population.people],
            dtype=np.bool_,
        )

    def allowed(self, i: IntArray, j: IntArray) -> BoolArray:
        """Whether each pair (i[k], j[k]) may be matched."""
        ok: BoolArray = i != j
        if len(self.forbidden):
            keys = pair_keys(i, j, self.population.n)
            ok &= ~np.isin(keys, self.forbidden, assume_unique=False)
        need = self.settings.min_shared_hours
        if need > 0:
            known = self.population.both_known(i, j)
            ok &= ~known | (self.population.shared_hours(i, j) >= need)
        return ok

    def allowed_one(self, a: int, b: int) -> bool:
        return bool(self.allowed(np.array([a], dtype=np.int64), np.array([b], dtype=np.int64))[0])

    def was_together_before(self, i: IntArray, j: IntArray) -> BoolArray:
        if not len(self.earlier):
            return np.zeros(len(i), dtype=np.bool_)
        out: BoolArray = np.isin(pair_keys(i, j, self.population.n), self.earlier)
        return out
