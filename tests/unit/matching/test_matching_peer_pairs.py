from __future__ import annotations

from matching import History, Participant, PastGroup, ProgramSettings, UnmatchedCode, match

PAIRS = ProgramSettings(kind="peer_pairs")


def pairs_of(result_members: list[tuple[str, ...]]) -> set[frozenset[str]]:
    return {frozenset(m) for m in result_members}


def test_people_who_can_teach_each_other_are_paired() -> None:
    people = [
        Participant("ana", "Ana", teaches={"Kubernetes": 4}, learns={"Rust": 1}, utc_offset_minutes=0),
        Participant("bo", "Bo", teaches={"Rust": 3}, learns={"Kubernetes": 2}, utc_offset_minutes=600),
        Participant("cy", "Cy", teaches={"Excel": 3}, learns={"Go": 1}, utc_offset_minutes=0),
        Participant("di", "Di", teaches={"Go": 3}, learns={"Excel": 2}, utc_offset_minutes=600),
    ]
    result = match(people, PAIRS)
    assert pairs_of([m.members for m in result.matches]) == {
        frozenset({"ana", "bo"}),
        frozenset({"cy", "di"}),
    }
    texts = [r.text for m in result.matches for r in m.reasons]
    assert "Ana teaches Kubernetes at level 4; Bo wants to learn it at level 2" in " ".join(texts)


def test_odd_participant_joins_a_trio() -> None:
    people = [Participant(f"p{k}") for k in range(5)]
    result = match(people, PAIRS)
    assert sorted(len(m.members) for m in result.matches) == [2, 3]
    assert result.unmatched == ()
    trio = next(m for m in result.matches if len(m.members) == 3)
    assert any(r.factor == "trio" for r in trio.reasons)


def test_declined_pair_within_cooldown_is_never_proposed_again() -> None:
    people = [
        Participant("ana", teaches={"Go": 4}, learns={"SQL": 1}),
        Participant("bo", teaches={"SQL": 3}, learns={"Go": 2}),
        Participant("cy"),
        Participant("di"),
    ]
    history = History(past=(PastGroup(4, frozenset({"ana", "bo"})),), current_round=6)
    result = match(people, ProgramSettings(kind="peer_pairs", cooldown_rounds=3), history)
    assert frozenset({"ana", "bo"}) not in pairs_of([m.members for m in result.matches])


def test_pair_from_before_the_cooldown_may_meet_again() -> None:
    people = [
        Participant("ana", teaches={"Go": 4}, learns={"SQL": 1}),
        Participant("bo", teaches={"SQL": 3}, learns={"Go": 2}),
        Participant("cy"),
        Participant("di"),
    ]
    history = History(past=(PastGroup(1, frozenset({"ana", "bo"})),), current_round=6)
    result = match(people, ProgramSettings(kind="peer_pairs", cooldown_rounds=3), history)
    assert frozenset({"ana", "bo"}) in pairs_of([m.members for m in result.matches])


def test_never_match_pair_is_never_matched() -> None:
    people = [
        Participant("ana", teaches={"Go": 4}, learns={"SQL": 1}),
        Participant("bo", teaches={"SQL": 3}, learns={"Go": 2}),
    ]
    people += [Participant("cy"), Participant("di")]
    history = History(never_match=frozenset({frozenset({"ana", "bo"})}))
    result = match(people, PAIRS, history)
    assert frozenset({"ana", "bo"}) not in pairs_of([m.members for m in result.matches])


def test_cross_department_pairs_are_preferred_when_the_program_asks() -> None:
    people = [
        Participant("a1", department="Sales"),
        Participant("a2", department="Sales"),
        Participant("b1", department="Legal"),
        Participant("b2", department="Legal"),
    ]
    result = match(people, ProgramSettings(kind="peer_pairs", prefer_cross_department=True))
    for m in result.matches:
        assert len({p[0] for p in m.members}) == 2
        assert any(r.text.startswith("you work in different departments") for r in m.reasons)


def test_person_who_shares_too_few_hours_with_anyone_is_told_why() -> None:
    people = [
        Participant("ana", weekly_availability=frozenset({10, 11, 12})),
        Participant("bo", weekly_availability=frozenset({10, 11, 12})),
        Participant("cy", weekly_availability=frozenset({100})),
    ]
    result = match(people, ProgramSettings(kind="peer_pairs", min_shared_hours=2))
    assert [m.members for m in result.matches] == [("ana", "bo")]
    assert [(u.participant_id, u.code) for u in result.unmatched] == [
        ("cy", UnmatchedCode.NO_COMPATIBLE_PARTNER)
    ]


def test_single_participant_is_told_nobody_else_opted_in() -> None:
    result = match([Participant("ana")], PAIRS)
    assert result.matches == ()
    assert result.unmatched[0].code == UnmatchedCode.TOO_FEW_PARTICIPANTS


def test_person_without_hours_this_month_is_not_paired() -> None:
    people = [Participant("ana", hours_per_month=0), Participant("bo"), Participant("cy")]
    result = match(people, PAIRS)
    assert [m.members for m in result.matches] == [("bo", "cy")]
    assert result.unmatched[0].participant_id == "ana"
    assert result.unmatched[0].code == UnmatchedCode.NO_TIME


def test_shared_hours_and_time_zone_are_explained() -> None:
    people = [
        Participant("ana", weekly_availability=frozenset({9, 10, 11}), utc_offset_minutes=60),
        Participant("bo", weekly_availability=frozenset({10, 11, 12}), utc_offset_minutes=180),
    ]
    texts = {r.text for r in match(people, PAIRS).matches[0].reasons}
    assert "you share 2 hours a week when you are both free" in texts
    assert "your time zones are 2 hours apart" in texts


def test_many_shared_goals_are_all_named() -> None:
    goals = frozenset(f"goal {k:02d}" for k in range(10))
    people = [Participant("ana", goals=goals), Participant("bo", goals=goals | {"extra"})]
    result = match(people, PAIRS)
    texts = [r.text for r in result.matches[0].reasons if r.factor == "goals"]
    assert texts == ["you share the goals " + ", ".join(sorted(goals)[:-1]) + " and goal 09"]
