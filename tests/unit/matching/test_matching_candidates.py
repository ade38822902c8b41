"""Candidate pairs built from shared free hours (`candidates.shared_hour_edges`)."""

from __future__ import annotations

import numpy as np

from matching import Participant
from matching.candidates import shared_hour_edges
from matching.population import Population


def _crowd(size: int) -> list[Participant]:
    """`size` people in one time zone with the same goal, each free in two hours of their own."""
    return [
        Participant(
            f"p{k:03d}",
            goals=frozenset({"cloud"}),
            utc_offset_minutes=60,
            weekly_availability=frozenset({(2 * k) % 100, (2 * k + 1) % 100}),
        )
        for k in range(size)
    ]


def _linked(population: Population, a: str, b: str, k: int) -> bool:
    people = np.arange(population.n, dtype=np.int64)
    i, j = shared_hour_edges(population, people, np.random.default_rng(0).random(population.n), k)
    x, y = population.position[a], population.position[b]
    return bool(((i == x) & (j == y)).any() or ((i == y) & (j == x)).any())


def test_two_people_free_at_the_same_hours_are_candidates_however_big_the_crowd_around_them() -> None:
    week = frozenset(range(120, 130))
    ana = Participant("ana", goals=frozenset({"cloud"}), utc_offset_minutes=60, weekly_availability=week)
    bo = Participant("bo", goals=frozenset({"cloud"}), utc_offset_minutes=60, weekly_availability=week)
    population = Population([*_crowd(600), ana, bo])
    assert _linked(population, "ana", "bo", 1)


def test_every_pair_linked_by_shared_hours_shares_a_free_hour() -> None:
    rng = np.random.default_rng(3)
    people = [
        Participant(
            f"p{k:03d}",
            goals=frozenset({f"goal-{int(g)}" for g in rng.integers(0, 4, int(rng.integers(0, 3)))}),
            utc_offset_minutes=int(rng.choice([-300, 0, 330, 345])),
            weekly_availability=(
                None if rng.random() < 0.2 else frozenset(int(h) for h in rng.integers(0, 168, 5))
            ),
        )
        for k in range(300)
    ]
    population = Population(people)
    everyone = np.arange(population.n, dtype=np.int64)
    i, j = shared_hour_edges(population, everyone, rng.random(population.n), 2)
    i, j = i[i != j], j[i != j]
    assert len(i) > 0
    assert (population.shared_hours(i, j) > 0).all()
