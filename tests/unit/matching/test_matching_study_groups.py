from __future__ import annotations

import itertools

import numpy as np

from matching import History, Participant, PastGroup, ProgramSettings, group_sizes, match
from matching.constraints import Constraints
from matching.group_objective import GroupObjective
from matching.population import Population
from matching.scoring import GROUP_FACTORS, factor_values, total


def test_group_sizes_differ_by_at_most_one_and_cover_everyone() -> None:
    for size in range(2, 7):
        for n in range(2, 60):
            sizes = group_sizes(n, size)
            assert sum(sizes) == n
            assert max(sizes) - min(sizes) <= 1
            assert min(sizes) >= 2


def test_learners_with_the_same_goal_study_together() -> None:
    people = [Participant(f"ml{k}", goals=frozenset({"machine learning"})) for k in range(3)]
    people += [Participant(f"ux{k}", goals=frozenset({"ux writing"})) for k in range(3)]
    result = match(people, ProgramSettings(kind="study_groups", group_size=3))
    assert {frozenset(m.members) for m in result.matches} == {
        frozenset({"ml0", "ml1", "ml2"}),
        frozenset({"ux0", "ux1", "ux2"}),
    }


def test_no_group_isolates_a_single_member_of_an_attribute() -> None:
    people = [Participant(f"f{k}", attributes={"gender": "f"}) for k in range(4)]
    people += [Participant(f"m{k}", attributes={"gender": "m"}) for k in range(4)]
    settings = ProgramSettings(kind="study_groups", group_size=4, isolate_rule_attributes=("gender",))
    for seed in range(5):
        for m in match(people, settings, seed=seed).matches:
            counts = [sum(1 for x in m.members if x.startswith(g)) for g in "fm"]
            assert 1 not in counts


def test_previous_groupmates_are_split_up() -> None:
    people = [Participant(f"p{k}") for k in range(8)]
    before = History(past=(PastGroup(0, frozenset({"p0", "p1", "p2", "p3"})),), current_round=10)
    result = match(people, ProgramSettings(kind="study_groups", group_size=4), before)
    for m in result.matches:
        assert len(set(m.members) & {"p0", "p1", "p2", "p3"}) <= 2


def test_groupmates_within_the_cooldown_are_never_together_again() -> None:
    people = [Participant(f"p{k}") for k in range(6)]
    recent = History(past=(PastGroup(9, frozenset({"p0", "p1", "p2"})),), current_round=10)
    result = match(people, ProgramSettings(kind="study_groups", group_size=3), recent)
    for m in result.matches:
        assert len(set(m.members) & {"p0", "p1", "p2"}) <= 1


def test_the_local_search_scores_pairs_like_the_vectorised_scorer() -> None:
    rng = np.random.default_rng(0)
    people = [
        Participant(
            f"p{k}",
            department=str(rng.integers(0, 3)),
            utc_offset_minutes=int(rng.choice([0, 60, 330])),
            weekly_availability=frozenset(int(s) for s in rng.choice(168, 20)) if k % 3 else None,
            goals=frozenset(str(g) for g in rng.choice(5, 2)),
        )
        for k in range(12)
    ]
    history = History(past=(PastGroup(0, frozenset({"p0", "p1"})),), current_round=10)
    settings = ProgramSettings(kind="study_groups", prefer_cross_department=True)
    population = Population(people)
    constraints = Constraints(population, settings, history)
    objective = GroupObjective(population, constraints, settings)
    i, j = (np.array(v, dtype=np.int64) for v in zip(*itertools.combinations(range(12), 2), strict=True))
    expected = total(factor_values(population, constraints, settings, i, j, GROUP_FACTORS), len(i))
    got = np.array([objective.pair(int(a), int(b)) for a, b in zip(i, j, strict=True)])
    assert np.allclose(got, expected)
