"""The large-round local search plans a block's moves in numpy: the plans must be exactly the moves a
person-by-person search finds, to the last bit of every sum, and a plan undone by the block's own moves must be
tried again."""

from __future__ import annotations

import numpy as np
import pytest

from matching import History, Participant, PastGroup, ProgramSettings, Weights, group_improve
from matching.candidates import general_edges
from matching.constraints import Constraints
from matching.group_improve import _best_move, _Padded, _planned_moves, groups_to_try, improve
from matching.group_objective import GroupObjective
from matching.group_search import cut, total
from matching.population import Population
from matching.study_groups import candidate_partners

SKILLS = ["python", "sql", "go", "rust"]
GOALS = ["data science", "web", "ml", "security", "cloud"]


def large_round(
    seed: int, n: int = 240, balanced: bool = False
) -> tuple[GroupObjective, list[int], dict[int, list[int]], list[int]]:
    """A round with forbidden pairs, earlier groupmates and weights that are not powers of two (so that adding
    in another order rounds differently); returns the objective, everyone, candidate partners and group sizes."""
    rng = np.random.default_rng(seed)
    people = [
        Participant(
            f"p{k:03d}",
            teaches={str(s): int(rng.integers(3, 6)) for s in rng.choice(SKILLS, int(rng.integers(0, 3)))},
            learns={str(rng.choice(SKILLS)): int(rng.integers(1, 4))},
            department=str(rng.integers(0, 6)),
            utc_offset_minutes=int(rng.choice([0, 60, 330, -300, 585])),
            weekly_availability=frozenset(int(s) for s in rng.choice(60, 12)) if rng.random() < 0.8 else None,
            goals=frozenset(str(g) for g in rng.choice(GOALS, int(rng.integers(0, 4)), replace=False)),
            attributes={"gender": str(rng.choice(["f", "m"], p=[0.3, 0.7]))},
        )
        for k in range(n)
    ]
    ids = [p.id for p in people]
    pairs = [frozenset(str(x) for x in rng.choice(ids, 2, replace=False)) for _ in range(n)]
    history = History(
        past=tuple(PastGroup(int(rng.integers(0, 9)), p) for p in pairs),
        never_match=frozenset(pairs[: n // 8]),
        current_round=10,
    )
    weights = Weights(skill=3.3, goals=1.7, cross_department=0.7, timezone=0.9, availability=1.3)
    settings = ProgramSettings(
        kind="study_groups",
        group_size=4,
        prefer_cross_department=True,
        min_shared_hours=1,
        cooldown_rounds=2,
        weights=weights,
        isolate_rule_attributes=("gender",) if balanced else (),
    )
    population = Population(people)
    constraints = Constraints(population, settings, history)
    objective = GroupObjective(population, constraints, settings)
    everyone = np.arange(n, dtype=np.int64)
    i, j = general_edges(population, everyone, rng.random(n), reach=3, max_gap=3, skill_k=1)
    return (
        objective,
        everyone.tolist(),
        candidate_partners(objective, i, j),
        [5] * (n // 10) + [4] * (n // 8),
    )  # half in groups of five: moves open


def random_groups(seed: int, everyone: list[int], sizes: list[int]) -> list[list[int]]:
    """Everyone in groups of 4 and 5 (so moves as well as swaps are open), at random."""
    order = np.random.default_rng(seed + 100).permutation(everyone).tolist()
    return cut(order, sizes)


def test_moves_planned_for_a_block_are_the_moves_each_person_finds_alone() -> None:
    kinds: set[str] = set()
    for seed in range(4):
        objective, everyone, neighbours, sizes = large_round(seed)
        groups = random_groups(seed, everyone, sizes)
        low, high = min(sizes), max(sizes)
        where = {m: g for g, members in enumerate(groups) for m in members}
        block = sorted(where)
        tries = [[where[a], *groups_to_try(a, where[a], neighbours, where)] for a in block]
        planned = _planned_moves(objective, block, tries, _Padded(groups, high), low, high)

        def inner(
            g: int, groups: list[list[int]] = groups, objective: GroupObjective = objective
        ) -> dict[int, float]:
            members = groups[g]
            return {m: objective.sum_to(m, [x for x in members if x != m]) for m in members}

        alone = [
            _best_move(objective, groups, a, t[0], t[1:], inner, low, high)
            for a, t in zip(block, tries, strict=True)
        ]
        assert planned == alone  # the same moves, with the very same gains (floats equal to the last bit)
        moves = [move for _, move in alone]
        assert sum(move is not None for move in moves) > len(block) // 4  # many people have a move to take
        kinds |= {"stay" if m is None else "swap" if m[1] >= 0 else "move" for m in moves}
    assert kinds == {"stay", "swap", "move"}


@pytest.mark.parametrize("seed", range(4))
def test_moves_undone_within_a_block_are_tried_again_so_any_block_size_finds_the_same_groups(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With blocks of one, every move is planned on the groups as they are (the person-by-person search, by the
    # test above); with one block for everyone, most plans are undone by earlier moves and tried again.
    found = []
    for block in (1, 7, 10_000):
        objective, everyone, neighbours, sizes = large_round(seed)
        groups = random_groups(seed, everyone, sizes)
        monkeypatch.setattr(group_improve, "BLOCK", block)
        improve(objective, groups, neighbours, seed)
        found.append(groups)
    assert found[0] == found[1] == found[2]
    assert found[0] != random_groups(seed, everyone, sizes)  # the search moved people


@pytest.mark.parametrize("seed", range(2))
def test_a_round_under_a_balancing_rule_is_searched_person_by_person_and_only_gains(seed: int) -> None:
    objective, everyone, neighbours, sizes = large_round(seed, balanced=True)
    groups = random_groups(seed, everyone, sizes)
    before = total(objective, groups)
    improve(objective, groups, neighbours, seed)
    assert sorted(m for g in groups for m in g) == everyone  # everyone still in exactly one group
    assert total(objective, groups) > before + 1.0
    assert all(min(sizes) <= len(g) <= max(sizes) for g in groups)
