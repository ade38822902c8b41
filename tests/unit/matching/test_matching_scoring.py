from __future__ import annotations

import itertools

import numpy as np
import pytest

from matching import History, Participant, ProgramSettings, Weights
from matching.constraints import Constraints
from matching.population import Population
from matching.scoring import (
    BUDDY_FACTORS,
    GROUP_FACTORS,
    MENTOR_FACTORS,
    PEER_FACTORS,
    factor_values,
    pair_scores,
    total,
)


def people(seed: int) -> list[Participant]:
    rng = np.random.default_rng(seed)
    skills = ["python", "sql", "go", "rust"]
    return [
        Participant(
            f"p{k:02d}",
            teaches={str(s): int(rng.integers(2, 6)) for s in rng.choice(skills, int(rng.integers(0, 3)))},
            learns={str(s): int(rng.integers(1, 4)) for s in rng.choice(skills, int(rng.integers(0, 2)))},
            department=None if rng.random() < 0.2 else str(rng.integers(0, 3)),
            team=None if rng.random() < 0.3 else str(rng.integers(0, 4)),
            utc_offset_minutes=int(rng.choice([-300, 0, 330, 345, 600])),
            weekly_availability=frozenset(int(s) for s in rng.choice(60, 12)) if rng.random() < 0.7 else None,
            goals=frozenset(
                str(g) for g in rng.choice(["web", "ml", "data science", "ops"], int(rng.integers(0, 4)))
            ),
            unmatched_last_round=bool(rng.random() < 0.3),
        )
        for k in range(16)
    ]


@pytest.mark.parametrize(
    ("kind", "factors"),
    [
        ("peer_pairs", PEER_FACTORS),
        ("study_groups", GROUP_FACTORS),
        ("mentoring", MENTOR_FACTORS),
        ("onboarding", BUDDY_FACTORS),
    ],
)
def test_scores_summed_factor_by_factor_are_the_very_floats_of_the_summed_factors(
    kind: str, factors: tuple[str, ...]
) -> None:
    # Weights that are not powers of two, so that adding the factors in another order rounds differently.
    weights = Weights(
        skill=3.3,
        goals=1.7,
        cross_department=0.7,
        same_department=1.1,
        same_team=0.3,
        timezone=0.9,
        availability=1.3,
        fairness=2.9,
        previous_groupmate=1.1,
    )
    for seed in range(4):
        population = Population(people(seed))
        settings = ProgramSettings(kind=kind, prefer_cross_department=True, weights=weights)  # type: ignore[arg-type]
        constraints = Constraints(population, settings, History())
        pairs = list(itertools.permutations(range(population.n), 2))
        i = np.array([a for a, _ in pairs], dtype=np.int64)
        j = np.array([b for _, b in pairs], dtype=np.int64)
        summed = total(factor_values(population, constraints, settings, i, j, factors), len(i))
        assert pair_scores(population, constraints, settings, i, j, factors).tolist() == summed.tolist()
        assert len(set(summed.tolist())) > 20  # many distinct values: the factors all took part
