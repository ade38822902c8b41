"""Reasons written to each member (issue 15, point 5, on the matcher's side)."""

from __future__ import annotations

from matching import Participant, ProgramSettings, match
from matching.explain_members import local_ranges


def texts(result_match: object, member: str) -> list[str]:
    return [r.text for r in result_match.reasons_for(member)]  # type: ignore[attr-defined]


def test_a_mentor_and_a_learner_each_read_the_match_from_their_side() -> None:
    people = [
        Participant("alex", "Alex Wilber", teaches={"Python": 5}),
        Participant("megan", "Megan Bowen", learns={"Python": 3}),
    ]
    (m,) = match(people, ProgramSettings(kind="mentoring")).matches
    assert texts(m, "alex")[0] == "You teach Python at level 5; Megan Bowen wants to learn it at level 3"
    assert texts(m, "megan")[0] == "Alex Wilber teaches Python at level 5; you want to learn it at level 3"
    assert not any("Alex Wilber" in t for t in texts(m, "alex"))


def test_people_who_teach_each_other_are_told_so() -> None:
    people = [
        Participant("a", "Ana", teaches={"Python": 4}, learns={"Kubernetes": 2}),
        Participant("b", "Bo", teaches={"Kubernetes": 4}, learns={"Python": 2}),
    ]
    (m,) = match(people, ProgramSettings(kind="peer_pairs")).matches
    assert texts(m, "a")[0].endswith("you and Bo can teach each other")


def test_the_third_member_of_a_trio_gets_a_reason_of_their_own_and_the_group_is_you_three() -> None:
    people = [Participant(x, x.upper(), department=x, goals=frozenset({"machine learning"})) for x in "abc"]
    (m,) = match(people, ProgramSettings(kind="peer_pairs", prefer_cross_department=True)).matches
    third = next(
        x for x in m.members if any(r.factor == "trio" and "you join" in r.text for r in m.reasons_for(x))
    )
    others = [x for x in m.members if x != third]
    assert all(any(f"{third.upper()} joins you as a third" in t for t in texts(m, o)) for o in others)
    assert any(t.startswith("you three work in different departments") for t in texts(m, third))
    assert any("“machine learning”" in t for t in texts(m, third))


def test_far_apart_time_zones_are_a_caution_with_shared_hours_in_the_readers_time() -> None:
    people = [
        Participant(
            "a", utc_offset_minutes=-300, weekly_availability=frozenset({36, 37})
        ),  # Tue 12:00-14:00 UTC
        Participant("b", utc_offset_minutes=420, weekly_availability=frozenset({36, 37, 38})),
    ]
    (m,) = match(people, ProgramSettings(kind="peer_pairs")).matches
    (caution_a,) = (r for r in m.reasons_for("a") if r.factor == "caution")
    assert (
        caution_a.text
        == "heads-up: you are 12 hours apart; your shared hours include Tue 07:00–09:00 your time"
    )
    (caution_b,) = (r for r in m.reasons_for("b") if r.factor == "caution")
    assert caution_b.text.endswith("Tue 19:00–21:00 your time")
    assert not any(r.factor == "timezone" for r in m.reasons_for("a"))


def test_half_hour_offsets_show_in_local_time() -> None:
    assert local_ranges(1 << 36, 330) == ["Tue 17:30–18:30"]


def test_the_default_level_gap_is_three_an_expert_at_5_teaches_level_2_not_level_1() -> None:
    assert ProgramSettings(kind="mentoring").max_level_gap == 3
    people = [
        Participant("expert", "Eve", teaches={"Python": 5}, capacity=2),
        Participant("two", "Tia", learns={"Python": 2}),
        Participant("one", "Oli", learns={"Python": 1}),
    ]
    result = match(people, ProgramSettings(kind="mentoring"))
    assert [m.members for m in result.matches] == [("expert", "two")]
    (left,) = result.unmatched
    assert left.participant_id == "one"
    assert left.code == "level_gap"
    assert "more than 3 levels above you" in left.text
    assert "at most 3" in left.text


def test_the_issues_pair_who_teach_each_other_at_5_and_2_are_paired_and_told_so() -> None:
    people = [
        Participant("a", "Ana", teaches={"Python": 5}, learns={"Kubernetes": 2}),
        Participant("b", "Bo", teaches={"Kubernetes": 5}, learns={"Python": 2}),
        Participant("c", "Cy"),
        Participant("d", "Di"),
    ]
    result = match(people, ProgramSettings(kind="peer_pairs"))
    (m,) = [m for m in result.matches if "a" in m.members]
    assert m.members == ("a", "b")
    assert texts(m, "a")[0] == (
        "You teach Python at level 5; Bo wants to learn it at level 2; Bo teaches Kubernetes at level 5; "
        "you want to learn it at level 2 — you and Bo can teach each other"
    )


def test_every_member_of_a_round_of_more_than_twenty_thousand_people_gets_their_own_reasons() -> None:
    """Rounds past 20,000 people used to go without (the sentences cost ~1 s per 10,000 pairings inside
    `match`); now each match writes them when first read, so size no longer decides whether a card says "you"."""
    skills = [f"skill {k}" for k in range(40)]
    people = [
        Participant(
            f"p{k:05d}",
            f"Person {k}",
            teaches={skills[k % 40]: 4 + k % 2},
            learns={skills[(k * 7 + 3) % 40]: 1 + k % 2},
            department=f"dept {k % 50}",
        )
        for k in range(20_100)
    ]
    result = match(people, ProgramSettings(kind="peer_pairs", max_level_gap=3))
    assert sum(len(m.members) for m in result.matches) >= 20_000
    for m in result.matches[::97]:  # every 97th match, all of its members
        for member in m.members:
            own = m.reasons_for(member)
            assert own != m.reasons and any("you" in r.text.lower().split() for r in own), (member, own)
            name = next(q.display_name for q in people if q.id == member)
            assert not any(name in r.text for r in own), (
                member,
                own,
            )  # never their own name in the third person
    assert m.member_reasons is m.member_reasons  # written once, then kept
