"""Quality figures for a set of groups, whoever formed them: our matcher or random pairing."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching import History, Participant, ProgramSettings
from matching.constraints import Constraints
from matching.group_objective import GroupObjective
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

    def pair_weight(self, a: int, b: int) -> float:
        """The weight the program gives to pairing a and b (a teaches/mentors b where that matters)."""
        s, p, c = self.settings, self.population, self.constraints
        i, j = np.array([a]), np.array([b])
        if s.kind == "mentoring":
            if not any(
                1 <= lv - p.learn_rows[b].get(k, 99) <= s.max_level_gap for k, lv in p.teach_rows[a].items()
            ):
                return 0.0
            parts = factor_values(p, c, s, i, j, MENTOR_FACTORS)
            extra = s.weights.skill + s.weights.fairness * float(p.unmatched_last[b])
            return float(total(parts, 1)[0]) + extra
        if s.kind == "onboarding":
            parts = factor_values(p, c, s, i, j, BUDDY_FACTORS)
            return float(total(parts, 1)[0]) + s.weights.fairness * float(p.unmatched_last[b])
        return float(total(factor_values(p, c, s, i, j, PEER_FACTORS), 1)[0])

    def judge(self, groups: Sequence[Sequence[int]], dropped: int, directed: bool) -> Quality:
        p, s = self.population, self.settings
        score = 0.0
        repeats = violations = 0
        with_teacher = set()
        for g in groups:
            for a, b in itertools.combinations(g, 2):
                if frozenset((a, b)) in self.cooling:
                    repeats += 1
                elif not self.constraints.allowed_one(a, b):
                    violations += 1
            for a, b in itertools.permutations(g, 2):
                t, wanted = p.teach_rows[a], p.learn_rows[b]
                if any(1 <= t.get(k, 0) - lv <= s.max_level_gap for k, lv in wanted.items()):
                    with_teacher.add(b)
            score += self.group_score(g, directed)
        learners = sum(1 for v in range(p.n) if p.learn_rows[v])
        grouped = len({m for g in groups for m in g})
        return Quality(
            score, learners, len(with_teacher & set(range(p.n))), repeats, violations, dropped, grouped
        )

    def group_score(self, g: Sequence[int], directed: bool) -> float:
        """Pairs: the weight of the pair (a trio counts its best pair, as the odd one is extra). Groups: objective.

        `directed`: the first member is the mentor or buddy; otherwise the better direction counts.
        """
        if self.settings.kind == "study_groups":
            return self.objective.group(list(g))
        if len(g) == 2 and directed:
            return self.pair_weight(g[0], g[1])
        return max(self.pair_weight(a, b) for a, b in itertools.permutations(g, 2))


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
