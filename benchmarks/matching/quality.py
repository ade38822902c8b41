"""Quality figures for a set of groups, whoever formed them: our matcher or random pairing."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow

from matching import History, Participant, ProgramSettings
from matching.constraints import Constraints
from matching.group_objective import GroupObjective
from matching.mentoring import spare_slots
from matching.population import Population
from matching.scoring import BUDDY_FACTORS, MENTOR_FACTORS, PEER_FACTORS, factor_values, total


@dataclass(frozen=True)
class Quality:
    score: float
    learners: int
    learners_with_teacher: int
    repeats: int
    other_violations: int
    dropped: int
    grouped: int
    groups_with_known_hours: int = 0
    groups_sharing_an_hour: int = 0
    groups_cross_department: int = 0
    learners_with_a_possible_teacher: int = 0

    @property
    def teacher_share(self) -> float:
        return self.learners_with_teacher / self.learners if self.learners else 0.0


class Judge:
    """Scores groups (lists of positions in the population) with the program's own objective."""

    def __init__(self, people: Sequence[Participant], settings: ProgramSettings, history: History) -> None:
        self.population = Population(people)
        self.settings = settings
        self.constraints = Constraints(self.population, settings, history)
        self.objective = GroupObjective(self.population, self.constraints, settings)
        now = history.round_now()
        pos = self.population.position
        self.cooling = {
            frozenset((pos[a], pos[b]))
            for g in history.past
            if g.round_index >= now - settings.cooldown_rounds
            for a, b in itertools.combinations(sorted(g.members), 2)
        }

    def pair_weights(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The weight the program gives to pairing a[k] with b[k] (a mentors or buddies b where that matters)."""
        s, p, c = self.settings, self.population, self.constraints
        if s.kind == "mentoring":
            can = np.array(
                [
                    any(
                        1 <= lv - p.learn_rows[y].get(k, 99) <= s.max_level_gap
                        for k, lv in p.teach_rows[x].items()
                    )
                    for x, y in zip(a.tolist(), b.tolist(), strict=True)
                ],
                dtype=np.bool_,
            )
            value = total(factor_values(p, c, s, a, b, MENTOR_FACTORS), len(a))
            value += s.weights.skill + s.weights.fairness * p.unmatched_last[b]
            return np.where(can, value, 0.0)
        if s.kind == "onboarding":
            value = total(factor_values(p, c, s, a, b, BUDDY_FACTORS), len(a))
            fair: np.ndarray = value + s.weights.fairness * p.unmatched_last[b]
            return fair
        return total(factor_values(p, c, s, a, b, PEER_FACTORS), len(a))

    def judge(self, groups: Sequence[Sequence[int]], dropped: int, directed: bool) -> Quality:
        p, s = self.population, self.settings
        pairs = [(a, b) for g in groups for a, b in itertools.combinations(g, 2)]
        a = np.array([x for x, _ in pairs], dtype=np.int64)
        b = np.array([y for _, y in pairs], dtype=np.int64)
        keys = {frozenset(pair) for pair in pairs}
        repeats = len(keys & self.cooling)
        cooling = np.array([frozenset(pair) in self.cooling for pair in pairs], dtype=np.bool_)
        violations = int((~self.constraints.allowed(a, b) & ~cooling).sum()) if pairs else 0
        with_teacher = set()
        for g in groups:
            for x, y in itertools.permutations(g, 2):
                t, wanted = p.teach_rows[x], p.learn_rows[y]
                if any(1 <= t.get(k, 0) - lv <= s.max_level_gap for k, lv in wanted.items()):
                    with_teacher.add(y)
        if s.kind == "study_groups":
            score = sum(self.objective.group(list(g)) for g in groups)
        else:
            forward = dict(zip(pairs, self.pair_weights(a, b).tolist(), strict=True))
            backward = dict(zip(pairs, self.pair_weights(b, a).tolist(), strict=True))
            score = 0.0
            for g in groups:
                if len(g) == 2 and directed:
                    score += forward[(g[0], g[1])]
                    continue
                # A trio counts its best pair, as the odd one is extra to a matching.
                inside = list(itertools.combinations(g, 2))
                score += max(max(forward[e], backward[e]) for e in inside) if inside else 0.0
        learners = sum(1 for v in range(p.n) if p.learn_rows[v])
        grouped = len({m for g in groups for m in g})
        known = sharing = cross = 0
        for g in groups:
            hours = [p.avail_int[m] for m in g if p.avail_known[m]]
            if len(hours) >= 2:
                known += 1
                common = hours[0]
                for h in hours[1:]:
                    common &= h
                sharing += common != 0
            depts = {int(p.department[m]) for m in g if p.department[m] >= 0}
            cross += len(depts) >= 2
        return Quality(
            score,
            learners,
            len(with_teacher),
            repeats,
            violations,
            dropped,
            grouped,
            known,
            sharing,
            cross,
            self.possible_teacher_count(),
        )

    def possible_teacher_count(self) -> int:
        """The most learners who could have someone teaching them a wanted skill within the level gap, when each
        person teaches at most as many as their pairing can hold (1 in a pair, size - 1 in a group, spare slots
        for mentors): a maximum flow that ignores the other hard constraints, so an upper bound."""
        p, s = self.population, self.settings
        gap = s.max_level_gap
        if s.kind in ("mentoring", "onboarding"):
            cap = spare_slots(p, self.constraints, s)
        else:
            cap = np.full(p.n, 1 if s.kind == "peer_pairs" else s.group_size - 1, dtype=np.int64)
        flow = max_flow.SimpleMaxFlow()
        width = max(len(p.skills.shown), 1)
        # Nodes: people 0..n-1 as learners, n..2n-1 as teachers, then (skill, level) wanted and (skill, level) taught.
        wanted, taught = 2 * p.n, 2 * p.n + 5 * width
        source, sink = taught + 5 * width, taught + 5 * width + 1
        for v, row in enumerate(p.learn_rows):
            if row and self.constraints.has_time[v]:
                flow.add_arc_with_capacity(source, v, 1)
                for skill, level in row.items():
                    flow.add_arc_with_capacity(v, wanted + 5 * skill + level - 1, 1)
        big = p.n
        for skill in range(width):
            for level in range(1, 6):
                for above in range(level + 1, min(level + gap, 5) + 1):
                    flow.add_arc_with_capacity(
                        wanted + 5 * skill + level - 1, taught + 5 * skill + above - 1, big
                    )
        for t, row in enumerate(p.teach_rows):
            if row and cap[t] > 0 and self.constraints.has_time[t]:
                flow.add_arc_with_capacity(p.n + t, sink, int(cap[t]))
                for skill, level in row.items():
                    flow.add_arc_with_capacity(taught + 5 * skill + level - 1, p.n + t, big)
        if flow.solve(source, sink) != flow.OPTIMAL:
            raise RuntimeError("The teacher bound's maximum flow did not finish.")
        return int(flow.optimal_flow())


def random_groups(n: int, people_size: int, seed: int) -> tuple[list[list[int]], int]:
    """Random pairing or grouping as today's tools do it: shuffle, cut, drop the remainder."""
    order = np.random.default_rng(seed).permutation(n).tolist()
    cut = n - n % people_size
    groups = [order[k : k + people_size] for k in range(0, cut, people_size)]
    return groups, n - cut


def random_buddies(people: Sequence[Participant], seed: int) -> tuple[list[list[int]], int]:
    rng = np.random.default_rng(seed)
    ordered = sorted(people, key=lambda p: p.id)
    tenured = [k for k, p in enumerate(ordered) if not p.is_new_hire]
    new = [k for k, p in enumerate(ordered) if p.is_new_hire]
    if not tenured:
        return [], len(new)
    return [[int(rng.choice(tenured)), k] for k in new], 0
