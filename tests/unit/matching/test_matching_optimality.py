"""Mentoring and onboarding reach the exact optimum of their own score (issue 15, point 2).

The optimum is OR-Tools' min-cost flow over every allowed (giver, seeker) pair: the most seekers placed first,
then the highest total score, the same order of aims as `match`.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from ortools.graph.python import min_cost_flow

from matching import History, Participant, PastGroup, ProgramSettings, match
from matching.constraints import Constraints
from matching.mentoring import _scored as mentor_scores
from matching.mentoring import spare_slots
from matching.onboarding import _scored as buddy_scores
from matching.population import Population

SKILLS = ["python", "sql", "go", "rust", "ml", "excel"]
GOALS = ["public speaking", "leadership", "career growth", "writing", "data"]
SCALE = 1_000_000


def organisation(rng: random.Random, n: int) -> list[Participant]:
    people = []
    for k in range(n):
        teaches = {s: rng.randint(2, 5) for s in rng.sample(SKILLS, rng.randint(0, 3))}
        learns = {s: rng.randint(1, 4) for s in rng.sample(SKILLS, rng.randint(0, 2)) if s not in teaches}
        start = rng.randrange(0, 160)
        department = rng.randrange(6)
        people.append(
            Participant(
                f"p{k:04d}",
                teaches=teaches,
                learns=learns,
                goals=frozenset(rng.sample(GOALS, rng.randint(0, 2))),
                department=f"d{department}",
                team=f"d{department}t{rng.randrange(3)}",
                utc_offset_minutes=rng.choice([-480, -300, 0, 60, 330, 540]),
                weekly_availability=frozenset(range(start, start + rng.randint(2, 8)))
                if rng.random() < 0.7
                else None,
                capacity=rng.randint(0, 3),
                is_new_hire=rng.random() < 0.25,
                unmatched_last_round=rng.random() < 0.1,
            )
        )
    return people


def history(rng: random.Random, people: list[Participant]) -> History:
    ids = [p.id for p in people]
    pairs = [frozenset(rng.sample(ids, 2)) for _ in range(len(ids))]
    return History(
        past=tuple(PastGroup(4, pair) for pair in pairs[::2]),
        never_match=frozenset(pairs[1::2]),
        current_round=6,
    )


def exact_optimum(people: list[Participant], hist: History, settings: ProgramSettings) -> tuple[float, int]:
    """(best total score among the assignments placing the most seekers, how many that is) over every pair."""
    p = Population(people)
    c = Constraints(p, settings, hist)
    slots = spare_slots(p, c, settings)
    g, s = (a.ravel().astype(np.int64) for a in np.meshgrid(np.arange(p.n), np.arange(p.n), indexing="ij"))
    fits = (g != s) & (slots[g] > 0) & c.has_time[s]
    if settings.kind == "mentoring":
        fits &= p.teachable(g, s, settings.max_level_gap)
    else:
        new = np.array([q.is_new_hire for q in people_sorted(people)])
        fits &= new[s] & ~new[g]
    fits &= c.allowed(g, s)
    g, s = g[fits], s[fits]
    scored = mentor_scores if settings.kind == "mentoring" else buddy_scores
    w, _ = scored(p, c, settings, g, s)
    seekers, givers = np.unique(s), np.unique(g)
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 2 * p.n, 2 * p.n + 1
    tails = np.concatenate([np.full(len(seekers), source), s, givers + p.n])
    heads = np.concatenate([seekers, g + p.n, np.full(len(givers), sink)])
    caps = np.concatenate([np.ones(len(seekers)), np.ones(len(g)), slots[givers]])
    costs = np.concatenate([np.zeros(len(seekers)), -np.round(w * SCALE), np.zeros(len(givers))])
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64), heads.astype(np.int64), caps.astype(np.int64), costs.astype(np.int64)
    )
    flow.set_node_supply(source, len(seekers))
    flow.set_node_supply(sink, -len(seekers))
    assert flow.solve_max_flow_with_min_cost() == flow.OPTIMAL
    return -flow.optimal_cost() / SCALE, int(flow.maximum_flow())


def people_sorted(people: list[Participant]) -> list[Participant]:
    return sorted(people, key=lambda q: q.id)


@pytest.mark.parametrize("kind", ["mentoring", "onboarding"])
@pytest.mark.parametrize("seed", range(4))
def test_mentoring_and_onboarding_reach_the_exact_optimum_of_their_score(kind: str, seed: int) -> None:
    rng = random.Random(seed)
    people = organisation(rng, 400)
    hist = history(rng, people)
    settings = ProgramSettings(
        kind=kind,  # type: ignore[arg-type]
        prefer_cross_department=kind == "mentoring",
        min_shared_hours=1,
    )
    result = match(people, settings, hist, seed)
    best, most = exact_optimum(people, hist, settings)
    assert len(result.matches) == most
    assert sum(m.score for m in result.matches) == pytest.approx(best, rel=1e-6, abs=1e-3)
