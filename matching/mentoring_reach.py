"""Who could mentor a learner within the level gap, and why a learner or mentor was left without a match."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csc_matrix

from matching.constraints import Constraints
from matching.explain import ruled_out
from matching.model import ProgramSettings, Unmatched, UnmatchedCode
from matching.population import IntArray, Population

Wish = tuple[tuple[int, int], ...]  # (skill, level) pairs a learner wants, sorted


def within_gap(
    population: Population, by_skill: csc_matrix, v: int, max_gap: int, wish: dict[int, int] | None = None
) -> tuple[IntArray, IntArray]:
    """Everyone (but v) who teaches a skill v wants (or in `wish`) 1..max_gap levels above: (person, skill)."""
    who: list[IntArray] = [np.empty(0, np.int64)]
    what: list[IntArray] = [np.empty(0, np.int64)]
    for s, level in sorted((population.learn_rows[v] if wish is None else wish).items()):
        rows = by_skill.indices[by_skill.indptr[s] : by_skill.indptr[s + 1]].astype(np.int64)
        levels = by_skill.data[by_skill.indptr[s] : by_skill.indptr[s + 1]]
        fits = (levels > level) & (levels <= level + max_gap) & (rows != v)
        who.append(rows[fits])
        what.append(np.full(int(fits.sum()), s, dtype=np.int64))
    return np.concatenate(who), np.concatenate(what)


@dataclass(frozen=True, slots=True)
class _Listed:
    """Everyone within the gap of a wish who has a spare slot, once per skill they could teach."""

    who: IntArray
    what: IntArray  # the skill of each
    who_set: frozenset[int]


class MentorsWithinGap:
    """`within_gap` for learners, listed once per distinct wish and shared by everyone who has it.

    The repair and the reasons ask for these lists once per learner left out: on the skewed population at
    102,000 that is 83,000 learners with a few thousand distinct wishes.
    """

    def __init__(self, population: Population, by_skill: csc_matrix, max_gap: int, slots: IntArray) -> None:
        self._population = population
        self._by_skill = by_skill
        self._max_gap = max_gap
        self._slots = slots
        self._lists: dict[Wish, _Listed] = {}
        self._wishes: dict[int, Wish] = {}
        self._per_level: dict[tuple[int, int], tuple[IntArray, IntArray]] = {}

    def wish(self, v: int) -> Wish:
        hit = self._wishes.get(v)
        if hit is None:
            hit = self._wishes[v] = tuple(sorted(self._population.learn_rows[v].items()))
        return hit

    def listed(self, wish: Wish) -> _Listed:
        hit = self._lists.get(wish)
        if hit is None:
            parts = [self._teaching(s, level) for s, level in wish]
            who = np.concatenate([np.empty(0, np.int64), *(w for w, _ in parts)])
            what = np.concatenate([np.empty(0, np.int64), *(s for _, s in parts)])
            room = self._slots[who] > 0
            hit = self._lists[wish] = _Listed(who[room], what[room], frozenset(who[room].tolist()))
        return hit

    def _teaching(self, skill: int, level: int) -> tuple[IntArray, IntArray]:
        """`within_gap` for one (skill, level), shared by the wishes that hold it (the skewed population at
        100,000 has 12,611 wishes made of 749 (skill, level) pairs)."""
        hit = self._per_level.get((skill, level))
        if hit is None:
            hit = self._per_level[skill, level] = within_gap(
                self._population, self._by_skill, -1, self._max_gap, {skill: level}
            )
        return hit

    def with_room(self, v: int) -> tuple[IntArray, IntArray]:
        """Everyone but v who could mentor v and has a spare slot: (person, skill), in `within_gap`'s order."""
        listed = self.listed(self.wish(v))
        who, what = listed.who, listed.what
        if v in listed.who_set:
            keep = who != v
            who, what = who[keep], what[keep]
        return who, what

    def reach(self, v: int) -> frozenset[int]:
        """The mentors with a spare slot within the gap of what v wants (v too, if v is one)."""
        return self.listed(self.wish(v)).who_set


def why_not_many(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    slots: IntArray,
    by_skill: csc_matrix,
    people: list[int],
    mentors: MentorsWithinGap | None = None,
) -> list[Unmatched]:
    """`_why_not` for many people at once (the same texts): the mentors within the gap listed once per wish, and
    whether any of them is allowed checked for everyone in a few vectorised passes (skewed population at
    102,000: 75,000 learners without a mentor, 6 s one by one)."""
    p = population
    lists = mentors or MentorsWithinGap(p, by_skill, settings.max_level_gap, slots)
    out: dict[int, Unmatched] = {}
    pending: list[tuple[int, IntArray]] = []
    skill_lists: dict[Wish, str] = {}
    for v in people:
        wanted = p.learn_rows[v]
        if not wanted:
            out[v] = _why_not(p, constraints, settings, slots, by_skill, v)
            continue
        listed = lists.listed(lists.wish(v))
        free = listed.who
        if v in listed.who_set:
            free = free[free != v]
        if len(free):  # someone other than v could mentor v
            pending.append((v, free))
        else:
            out[v] = _why_not(p, constraints, settings, slots, by_skill, v)
    step = 4_000_000
    start = 0
    while start < len(pending):
        end = start
        size = 0
        while end < len(pending) and (size == 0 or size + len(pending[end][1]) <= step):
            size += len(pending[end][1])
            end += 1
        chunk = pending[start:end]
        counts = np.array([len(f) for _, f in chunk], dtype=np.int64)
        vv = np.repeat(np.array([v for v, _ in chunk], dtype=np.int64), counts)
        ff = np.concatenate([f for _, f in chunk])
        ok = constraints.allowed(vv, ff)
        any_ok = np.add.reduceat(ok.astype(np.int64), np.concatenate([[0], np.cumsum(counts)[:-1]])) > 0
        for (v, free), fine in zip(chunk, any_ok.tolist(), strict=True):
            wish = lists.wish(v)
            skill_list = skill_lists.get(wish)
            if skill_list is None:
                skill_list = skill_lists[wish] = " or ".join(p.skills.shown[s] for s, _ in wish)
            out[v] = _taken(p, v, skill_list) if fine else _all_ruled_out(p, constraints, v, free, skill_list)
        start = end
    return [out[v] for v in people]


def _taken(population: Population, v: int, skill_list: str) -> Unmatched:
    return Unmatched(
        population.people[v].id,
        UnmatchedCode.NO_MENTOR_CAPACITY,
        f"no mentor for {skill_list} has capacity left this round: the ones who could mentor you are "
        "taken by other learners",
    )


def _all_ruled_out(
    population: Population, constraints: Constraints, v: int, free: IntArray, skill_list: str
) -> Unmatched:
    return Unmatched(
        population.people[v].id,
        UnmatchedCode.NO_COMPATIBLE_PARTNER,
        f"every mentor for {skill_list} with room this round "
        + ruled_out(constraints, np.full(len(free), v, dtype=np.int64), free),
    )


def _why_not(
    population: Population,
    constraints: Constraints,
    settings: ProgramSettings,
    slots: IntArray,
    by_skill: csc_matrix,
    v: int,
) -> Unmatched:
    """The true reason v has no mentor (or no mentee), after as many learners as possible were placed."""
    p = population
    person = p.people[v]
    wanted = p.learn_rows[v]
    gap = settings.max_level_gap
    if wanted:
        skill_list = " or ".join(p.skills.shown[s] for s in sorted(wanted))
        who, _ = within_gap(p, by_skill, v, gap)
        if len(who) == 0:
            return _out_of_reach(p, by_skill, v, gap, skill_list)
        free = who[slots[who] > 0]
        if len(free) == 0:
            return Unmatched(
                person.id,
                UnmatchedCode.NO_MENTOR_CAPACITY,
                f"every mentor for {skill_list} within {gap} level{'s' if gap > 1 else ''} of yours has no "
                "capacity or time left this round",
            )
        if constraints.allowed(np.full(len(free), v, dtype=np.int64), free).any():
            return _taken(p, v, skill_list)
        return _all_ruled_out(p, constraints, v, free, skill_list)
    if p.teach_rows[v]:
        if slots[v] <= 0:
            return Unmatched(
                person.id, UnmatchedCode.AT_CAPACITY, "your mentoring capacity is already in use"
            )
        return Unmatched(person.id, UnmatchedCode.NOT_NEEDED, "no learner needed what you teach this round")
    return Unmatched(person.id, UnmatchedCode.NOTHING_TO_MATCH, "you listed no skill to teach or learn")


def _out_of_reach(
    population: Population, by_skill: csc_matrix, v: int, gap: int, skill_list: str
) -> Unmatched:
    """Nobody teaches what v wants within the level gap: say whether the gap is the cause."""
    p = population
    person = p.people[v]
    above: list[str] = []
    for s, level in sorted(p.learn_rows[v].items()):
        levels = by_skill.data[by_skill.indptr[s] : by_skill.indptr[s + 1]]
        rows = by_skill.indices[by_skill.indptr[s] : by_skill.indptr[s + 1]]
        if ((levels > level + gap) & (rows != v)).any():
            above.append(f"{p.skills.shown[s]} (you are at level {level})")
    if above:
        return Unmatched(
            person.id,
            UnmatchedCode.LEVEL_GAP,
            f"the people who teach {' and '.join(above)} are more than {gap} level{'s' if gap > 1 else ''} "
            f"above you, and the program keeps the gap between mentor and learner to at most {gap}",
        )
    return Unmatched(
        person.id,
        UnmatchedCode.NOTHING_TO_MATCH,
        f"nobody in the program teaches {skill_list} above your level yet",
    )
