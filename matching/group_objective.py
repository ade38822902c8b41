"""The study-group objective for one pair or one group, in plain Python for the local search's many small calls.

A group is worth the sum of its pairs: someone teaching what another wants to learn (within the level gap; both
ways counts double), shared goals, close time zones, shared hours, different departments when the program asks.

It computes the same numbers as `scoring.factor_values` with GROUP_FACTORS (a test holds them equal), plus a
large negative weight for a pair that breaks a hard constraint and a penalty for every isolated member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from matching.constraints import Constraints, pair_keys
from matching.model import ProgramSettings
from matching.population import FloatArray, IntArray, Population
from matching.scoring import FULL_OVERLAP_HOURS, GROUP_FACTORS, TZ_HORIZON_MINUTES, factor_values, total

FORBIDDEN = -1000.0


class GroupObjective:
    def __init__(self, population: Population, constraints: Constraints, settings: ProgramSettings) -> None:
        p = population
        self.n = max(p.n, 1)
        self.settings = settings
        self.weights = settings.weights
        goals = p.goals
        self.goal_bits = [
            sum(1 << int(c) for c in goals.indices[goals.indptr[v] : goals.indptr[v + 1]]) for v in range(p.n)
        ]
        self.goal_count = [int(c) for c in p.goal_count]
        self.dept = [int(d) for d in p.department]
        self.tz = [int(t) for t in p.tz]
        self.avail = p.avail_int
        self.known = [bool(k) for k in p.avail_known]
        self.forbidden = constraints.forbidden_set
        self.earlier = constraints.earlier_set if settings.avoid_previous_groupmates else set()
        self.attributes = [
            tuple(q.attributes.get(a) for a in settings.isolate_rule_attributes) for q in p.people
        ]
        self.cache: dict[int, float] = {}
        # One float object per distinct value: a round holds millions of cached pairs but only a few thousand
        # distinct values, and a float object is a quarter of a cached pair's memory.
        self._values: dict[float, float] = {FORBIDDEN: FORBIDDEN}
        # What each person can teach, as (skill, learner level) bits within the level gap, and what each wants.
        gap = settings.max_level_gap
        self.can_bits = [
            sum(1 << (5 * s + lv - 1) for s, t in row.items() for lv in range(max(t - gap, 1), t))
            for row in p.teach_rows
        ]
        self.want_bits = [sum(1 << (5 * s + lv - 1) for s, lv in row.items()) for row in p.learn_rows]
        w = self.weights
        self._weights = (w.skill, w.goals, w.cross_department, w.timezone, w.availability)
        self._need = settings.min_shared_hours
        self._cross = settings.prefer_cross_department
        self._population = p
        self._constraints = constraints

    def prime(self, i: IntArray, j: IntArray) -> FloatArray:
        """`pair(i[k], j[k])` for many pairs at once (`scoring.factor_values`), kept for later `pair` calls.

        `_compute` does the same operations in the same order, so each value is the same float (a test holds them
        equal): the search finds the same groups whichever way a pair was first scored.
        """
        value = self.values(i, j)
        distinct, which = np.unique(value, return_inverse=True)
        canonical = [self._values.setdefault(v, v) for v in distinct.tolist()]
        keys = pair_keys(i, j, self.n)
        self.cache.update(zip(keys.tolist(), map(canonical.__getitem__, which.tolist()), strict=True))
        return value

    def values(self, i: IntArray, j: IntArray) -> FloatArray:
        """`pair(i[k], j[k])` for many pairs at once, without keeping them (the same floats as `pair`)."""
        parts = factor_values(self._population, self._constraints, self.settings, i, j, GROUP_FACTORS)
        value = total(parts, len(i))
        value[~self._constraints.allowed(i, j)] = FORBIDDEN
        return value

    def forget(self) -> None:
        """Drop every cached pair (the memory of a large round's search; the values are computed again on use)."""
        self.cache.clear()

    def pair(self, a: int, b: int) -> float:
        key = a * self.n + b if a < b else b * self.n + a
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._compute(a, b, key)
        return hit

    def to_each(self, a: int, others: Sequence[int]) -> list[float]:
        """`pair(a, b)` for every b in `others`: one call instead of one per pair (the local search's hot path)."""
        cache, n, compute = self.cache, self.n, self._compute
        out: list[float] = []
        for b in others:
            key = a * n + b if a < b else b * n + a
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = compute(a, b, key)
            out.append(hit)
        return out

    def sum_to(self, a: int, others: Sequence[int]) -> float:
        """The sum of `pair(a, b)` over `others`, added in their order (the same float as summing `pair` calls)."""
        cache, n, compute = self.cache, self.n, self._compute
        value = 0.0
        for b in others:
            key = a * n + b if a < b else b * n + a
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = compute(a, b, key)
            value += hit
        return value

    def allowed(self, a: int, b: int) -> bool:
        return self.pair(a, b) > FORBIDDEN / 2

    def _compute(self, a: int, b: int, key: int) -> float:
        # Called about a million times for 10,000 people: attributes are read once into locals.
        if key in self.forbidden:
            return FORBIDDEN
        avail, known = self.avail, self.known
        shared_hours = (avail[a] & avail[b]).bit_count()
        need = self._need
        if need > 0 and known[a] and known[b] and shared_hours < need:
            return FORBIDDEN
        can, want, goal_bits, goal_count = self.can_bits, self.want_bits, self.goal_bits, self.goal_count
        w_skill, w_goals, w_cross, w_tz, w_hours = self._weights
        # Someone who teaches what the other wants (within the gap) counts half; teaching each other counts whole.
        value = w_skill * 0.5 * ((can[a] & want[b] != 0) + (can[b] & want[a] != 0))
        shared = (goal_bits[a] & goal_bits[b]).bit_count()
        union = goal_count[a] + goal_count[b] - shared
        if union > 0:
            value += w_goals * (shared / union)  # as `scoring.factor_values` rounds it
        if self._cross:
            da, db = self.dept[a], self.dept[b]
            if da >= 0 and db >= 0:
                value += w_cross * (da != db)
        apart = min(abs(self.tz[a] - self.tz[b]), TZ_HORIZON_MINUTES)
        value += w_tz * (1.0 - apart / TZ_HORIZON_MINUTES)
        value += w_hours * min(shared_hours / FULL_OVERLAP_HOURS, 1.0)
        if key in self.earlier:
            value -= self.weights.previous_groupmate
        return self._values.setdefault(value, value)

    def isolated(self, members: Sequence[int]) -> int:
        """How many (member, attribute) pairs leave someone the only one of their value in the group."""
        if not self.settings.isolate_rule_attributes:
            return 0
        alone = 0
        for k in range(len(self.settings.isolate_rule_attributes)):
            counts = Counter(self.attributes[m][k] for m in members)
            alone += sum(1 for value, c in counts.items() if c == 1 and value is not None)
        return alone

    def group(self, members: Sequence[int]) -> float:
        value = 0.0
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                value += self.pair(a, b)
        return value - self.weights.isolation * self.isolated(members)
