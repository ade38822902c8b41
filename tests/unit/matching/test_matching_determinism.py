from __future__ import annotations

import gc

import pytest

from matching import History, Participant, PastGroup, ProgramSettings, match


def population() -> list[Participant]:
    skills = ["Go", "Rust", "SQL", "Excel", "Figma"]
    return [
        Participant(
            f"p{k:02d}",
            teaches={skills[k % 5]: 3 + k % 3},
            learns={skills[(k + 2) % 5]: 1 + k % 2},
            department=f"d{k % 3}",
            utc_offset_minutes=60 * (k % 4),
            goals=frozenset({f"g{k % 4}"}),
            capacity=1 + k % 2,
            is_new_hire=k % 7 == 0,
        )
        for k in range(30)
    ]


@pytest.mark.parametrize("kind", ["mentoring", "peer_pairs", "onboarding", "study_groups"])
def test_same_input_and_seed_give_the_same_matches(kind: str) -> None:
    settings = ProgramSettings(kind=kind, group_size=3)  # type: ignore[arg-type]
    history = History(past=(PastGroup(0, frozenset({"p01", "p02"})),))
    first = match(population(), settings, history, seed=11)
    assert match(list(reversed(population())), settings, history, seed=11) == first


def test_duplicate_ids_are_refused_with_the_id_in_the_message() -> None:
    with pytest.raises(ValueError, match="'p1'"):
        match([Participant("p1"), Participant("p1")], ProgramSettings(kind="peer_pairs"))


def test_level_outside_one_to_five_is_refused() -> None:
    with pytest.raises(ValueError, match="level '7'"):
        match([Participant("p1", teaches={"Go": 7})], ProgramSettings(kind="mentoring"))


def test_group_size_outside_two_to_six_is_refused() -> None:
    with pytest.raises(ValueError, match="'9'"):
        ProgramSettings(kind="study_groups", group_size=9)


def test_a_round_leaves_the_garbage_collector_as_it_found_it() -> None:
    people = [Participant(f"p{k}", teaches={"Go": 3}, learns={"SQL": 1}) for k in range(6)]
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        match(people, ProgramSettings(kind="peer_pairs"))
        assert gc.isenabled()
        gc.disable()
        match(people, ProgramSettings(kind="peer_pairs"))
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize(
    ("person", "named"),
    [
        (Participant("p1", utc_offset_minutes=100_000), "UTC offset '100000'"),
        (Participant("p1", utc_offset_minutes=-721), "UTC offset '-721'"),
        (Participant("p1", hours_per_month=-3), "hours_per_month '-3'"),
        (Participant("p1", capacity=-1), "capacity '-1'"),
        (Participant("p1", learns={"Go": 0}), "level '0'"),
    ],
)
def test_values_no_person_can_have_are_refused_naming_them(person: Participant, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        match([person, Participant("p2", teaches={"Go": 4})], ProgramSettings(kind="mentoring"))


@pytest.mark.parametrize("offset", [-720, 345, 525, 840])
def test_every_offset_in_use_on_earth_is_accepted(offset: int) -> None:
    people = [
        Participant("p1", learns={"Go": 2}, utc_offset_minutes=offset),
        Participant("p2", teaches={"Go": 4}),
    ]
    assert match(people, ProgramSettings(kind="mentoring")).matches
