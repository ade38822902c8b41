"""Hard constraints between two people: cool-down, never-match and minimum shared availability.

Level gap and capacity are hard too; they belong to the bipartite kinds and are enforced where edges are built.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from matching.arrays import distinct, stable_order
from matching.model import History, ProgramSettings
from matching.population import BoolArray, IntArray, Population


def pair_keys(i: IntArray, j: IntArray, n: int) -> IntArray:
    """lo * n + hi for each pair, lo the lower of the two (computed in place: millions of pairs at a time)."""
    keys: IntArray = np.minimum(i, j).astype(np.int64, copy=False)
    keys *= max(n, 1)
    keys += np.maximum(i, j)
    return keys


def _pair_keys_of(groups: Sequence[Collection[str]], pos: Mapping[str, int], n: int) -> IntArray:
    """Sorted unique keys (lo * n + hi) of every pair inside each group, for members in the population."""
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    members = list(itertools.chain.from_iterable(groups))
    code = np.fromiter(map(pos.get, members, itertools.repeat(-1)), dtype=np.int64, count=len(members))
    group = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    present = code >= 0
    code, group = code[present], group[present]
    if len(code) < 2:
        return np.empty(0, dtype=np.int64)
    order = stable_order(group * np.int64(max(n, 1)) + code)
    code, group = code[order], group[order]
    widest = int(np.bincount(group).max())
    keys: list[IntArray] = [np.empty(0, dtype=np.int64)]
    # Members of a group are now adjacent and in increasing order: pair each with the ones d places on.
    for d in range(1, widest):
        same = group[d:] == group[:-d]
        keys.append(code[:-d][same] * np.int64(max(n, 1)) + code[d:][same])
    return distinct(np.concatenate(keys))


def _member(keys: IntArray, sorted_unique: IntArray) -> BoolArray:
    """Whether each key is in a sorted array of unique keys."""
    at = np.minimum(np.searchsorted(sorted_unique, keys), len(sorted_unique) - 1)
    out: BoolArray = sorted_unique[at] == keys
    return out


class Constraints:
    def __init__(self, population: Population, settings: ProgramSettings, history: History) -> None:
        self.population = population
        self.settings = settings
        n = population.n
        pos = population.position
        now = history.round_now()
        cooling = [g.round_index >= now - settings.cooldown_rounds for g in history.past]
        recent = _pair_keys_of([g.members for g, c in zip(history.past, cooling, strict=True) if c], pos, n)
        older = _pair_keys_of(
            [g.members for g, c in zip(history.past, cooling, strict=True) if not c], pos, n
        )
        never = _pair_keys_of(list(history.never_match), pos, n)
        self.recent = recent
        self.never = never
        self.forbidden = distinct(np.concatenate([recent, never]))
        self.earlier = older[~_member(older, self.forbidden)] if len(self.forbidden) else older
        self._forbidden_set: set[int] | None = None
        self._earlier_set: set[int] | None = None
        limit = settings.hours_per_pairing
        self.has_time = np.array(
            [p.hours_per_month is None or p.hours_per_month >= max(limit, 1) for p in population.people],
            dtype=np.bool_,
        )

    @property
    def forbidden_set(self) -> set[int]:
        if self._forbidden_set is None:
            self._forbidden_set = set(self.forbidden.tolist())
        return self._forbidden_set

    @property
    def earlier_set(self) -> set[int]:
        if self._earlier_set is None:
            self._earlier_set = set(self.earlier.tolist())
        return self._earlier_set

    def allowed(self, i: IntArray, j: IntArray) -> BoolArray:
        """Whether each pair (i[k], j[k]) may be matched."""
        ok: BoolArray = i != j
        if len(self.forbidden):
            keys = pair_keys(i, j, self.population.n)
            ok &= ~_member(keys, self.forbidden)
        need = self.settings.min_shared_hours
        if need > 0:
            known = np.nonzero(self.population.both_known(i, j))[0]
            ok[known] &= self.population.shared_hours(i[known], j[known]) >= need
        return ok

    def causes(self, i: IntArray, j: IntArray) -> tuple[BoolArray, BoolArray, BoolArray]:
        """Which rule rules out each pair (i[k], j[k]): (cool-down, never-match, too few shared hours)."""
        keys = pair_keys(i, j, self.population.n)
        cooling = _member(keys, self.recent) if len(self.recent) else np.zeros(len(i), dtype=np.bool_)
        never = _member(keys, self.never) if len(self.never) else np.zeros(len(i), dtype=np.bool_)
        hours = np.zeros(len(i), dtype=np.bool_)
        need = self.settings.min_shared_hours
        if need > 0:
            known = np.nonzero(self.population.both_known(i, j))[0]
            hours[known] = self.population.shared_hours(i[known], j[known]) < need
        return cooling, never, hours

    def was_together_before(self, i: IntArray, j: IntArray) -> BoolArray:
        if not len(self.earlier):
            return np.zeros(len(i), dtype=np.bool_)
        return _member(pair_keys(i, j, self.population.n), self.earlier)
