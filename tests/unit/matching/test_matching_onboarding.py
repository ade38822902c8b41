from __future__ import annotations

from matching import History, Participant, ProgramSettings, Role, UnmatchedCode, match

ONBOARDING = ProgramSettings(kind="onboarding")


def test_new_hire_gets_a_buddy_from_their_own_team() -> None:
    people = [
        Participant("new", is_new_hire=True, department="Eng", team="Platform", tenure_days=3),
        Participant("other", department="Sales", team="EMEA", tenure_days=900),
        Participant("mate", department="Eng", team="Platform", tenure_days=400),
        Participant("near", department="Eng", team="Mobile", tenure_days=400),
    ]
    result = match(people, ONBOARDING)
    (m,) = result.matches
    assert m.members == ("mate", "new")
    assert m.roles == (Role.BUDDY, Role.NEWCOMER)
    assert "you are on the same team (Platform)" in {r.text for r in m.reasons}


def test_new_hire_is_never_the_buddy_of_another_new_hire() -> None:
    people = [
        Participant("n1", is_new_hire=True, tenure_days=2),
        Participant("n2", is_new_hire=True, tenure_days=5),
    ]
    result = match(people, ONBOARDING)
    assert result.matches == ()
    assert {u.code for u in result.unmatched} == {UnmatchedCode.NO_BUDDY_AVAILABLE}


def test_colleague_below_the_minimum_tenure_is_not_a_buddy() -> None:
    people = [Participant("n1", is_new_hire=True), Participant("junior", tenure_days=30)]
    result = match(people, ProgramSettings(kind="onboarding", min_buddy_tenure_days=90))
    assert result.matches == ()


def test_buddy_capacity_is_respected() -> None:
    people = [Participant("senior", tenure_days=800, capacity=1)]
    people += [Participant(f"n{k}", is_new_hire=True) for k in range(2)]
    result = match(people, ONBOARDING)
    assert len(result.matches) == 1
    assert [u.code for u in result.unmatched] == [UnmatchedCode.NO_BUDDY_AVAILABLE]


def test_new_hire_ruled_out_by_a_hard_constraint_is_told_so_not_that_capacity_ran_out() -> None:
    people = [
        Participant("new", is_new_hire=True, tenure_days=3),
        Participant("senior", tenure_days=800, capacity=2),
    ]
    history = History(never_match=frozenset({frozenset({"new", "senior"})}))
    result = match(people, ONBOARDING, history)
    assert result.matches == ()
    (why,) = [u for u in result.unmatched if u.participant_id == "new"]
    assert why.code == UnmatchedCode.NO_COMPATIBLE_PARTNER
    assert why.text == (
        "every tenured colleague with buddy capacity this round "
        "is not to be matched with you again (after an earlier match was declined)"
    )
