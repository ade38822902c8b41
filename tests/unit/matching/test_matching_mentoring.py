from __future__ import annotations

import random

from scipy.sparse import csc_matrix

from matching import History, Participant, ProgramSettings, Role, UnmatchedCode, match
from matching.constraints import Constraints
from matching.mentoring import spare_slots
from matching.mentoring_reach import _why_not, why_not_many
from matching.population import Population

MENTORING = ProgramSettings(kind="mentoring")


def test_mentor_is_matched_with_a_learner_on_a_skill_they_want() -> None:
    people = [
        Participant("ana", "Ana", teaches={"Kubernetes": 4}),
        Participant("bo", "Bo", learns={"Kubernetes": 2}),
    ]
    (m,) = match(people, MENTORING).matches
    assert m.members == ("ana", "bo")
    assert m.roles == (Role.MENTOR, Role.MENTEE)
    assert m.skill == "Kubernetes"
    assert m.reasons[0].text == "Ana teaches Kubernetes at level 4; Bo wants to learn it at level 2"


def test_level_gap_above_the_bound_is_never_matched() -> None:
    people = [Participant("ana", teaches={"Go": 5}), Participant("bo", learns={"Go": 1})]
    result = match(people, ProgramSettings(kind="mentoring", max_level_gap=2))
    assert result.matches == ()
    codes = {u.participant_id: u.code for u in result.unmatched}
    assert codes == {"ana": UnmatchedCode.NOT_NEEDED, "bo": UnmatchedCode.LEVEL_GAP}
    (bo,) = (u for u in result.unmatched if u.participant_id == "bo")
    assert bo.text == (
        "the people who teach Go (you are at level 1) are more than 2 levels above you, "
        "and the program keeps the gap between mentor and learner to at most 2"
    )


def test_mentor_at_or_below_the_learners_level_is_never_matched() -> None:
    people = [Participant("ana", teaches={"Go": 2}), Participant("bo", learns={"Go": 2})]
    assert match(people, MENTORING).matches == ()


def test_mentor_capacity_counts_the_mentees_already_active() -> None:
    people = [
        Participant("ana", teaches={"Rust": 4}, capacity=2, active_mentees=1),
        Participant("bo", learns={"Rust": 2}),
        Participant("cy", learns={"Rust": 3}),
    ]
    result = match(people, MENTORING)
    assert len(result.matches) == 1
    (left_out,) = result.unmatched
    assert left_out.code == UnmatchedCode.NO_MENTOR_CAPACITY
    assert left_out.text == (
        "no mentor for Rust has capacity left this round: the ones who could mentor you are taken by other learners"
    )


def test_mentor_takes_several_mentees_up_to_capacity() -> None:
    people = [Participant("ana", teaches={"Rust": 4}, capacity=3)]
    people += [Participant(f"l{k}", learns={"Rust": 3}) for k in range(4)]
    result = match(people, MENTORING)
    assert len(result.matches) == 3
    assert all(m.members[0] == "ana" for m in result.matches)


def test_learner_unmatched_last_round_goes_first() -> None:
    people = [
        Participant("ana", teaches={"Rust": 4}),
        Participant("bo", learns={"Rust": 3}),
        Participant("cy", learns={"Rust": 3}, unmatched_last_round=True),
    ]
    (m,) = match(people, MENTORING).matches
    assert m.members == ("ana", "cy")
    assert any(r.factor == "fairness" for r in m.reasons)


def test_monthly_hours_limit_how_many_mentees_a_mentor_takes() -> None:
    people = [Participant("ana", teaches={"Rust": 4}, capacity=3, hours_per_month=4)]
    people += [Participant(f"l{k}", learns={"Rust": 3}) for k in range(3)]
    result = match(people, ProgramSettings(kind="mentoring", hours_per_pairing=2))
    assert len(result.matches) == 2


def test_nobody_teaching_a_skill_is_explained() -> None:
    result = match([Participant("bo", learns={"COBOL": 1})], MENTORING)
    assert result.unmatched[0].text == "nobody in the program teaches COBOL above your level yet"


def test_skill_names_match_whatever_their_case() -> None:
    people = [Participant("ana", teaches={"kubernetes ": 4}), Participant("bo", learns={"Kubernetes": 3})]
    assert len(match(people, MENTORING).matches) == 1


def test_reasons_for_many_learners_at_once_are_the_ones_given_one_by_one() -> None:
    rng = random.Random(3)
    people = [
        Participant(
            f"p{k:03d}",
            teaches={s: rng.randint(2, 5) for s in rng.sample(["a", "b", "c"], rng.randint(0, 1))},
            learns={s: rng.randint(1, 3) for s in rng.sample(["a", "b", "c", "d"], rng.randint(0, 2))},
            capacity=rng.randint(0, 1),
            weekly_availability=frozenset(range(rng.randrange(100), 110)) if rng.random() < 0.5 else None,
        )
        for k in range(150)
    ]
    ids = [q.id for q in people]
    history = History(never_match=frozenset(frozenset(rng.sample(ids, 2)) for _ in range(300)))
    settings = ProgramSettings(kind="mentoring", min_shared_hours=3)
    p = Population(people)
    c = Constraints(p, settings, history)
    slots = spare_slots(p, c, settings)
    by_skill = csc_matrix(p.teach)
    everyone = list(range(p.n))
    assert why_not_many(p, c, settings, slots, by_skill, everyone) == [
        _why_not(p, c, settings, slots, by_skill, v) for v in everyone
    ]
