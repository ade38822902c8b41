from __future__ import annotations

from datetime import timedelta

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import PermissionDenied
from core.model import (
    Enrollment,
    EnrollmentStatus,
    Intent,
    MemberRole,
    PairingStatus,
    ParticipantRole,
    Person,
    Profile,
    ProgramKind,
    ProgramOptions,
    ScopeKind,
    SkillLevel,
)
from core.services import rounds
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def enroll(
    uow: FakeUnitOfWork, clock: FakeClock, *people: str, role: ParticipantRole = ParticipantRole.EITHER
) -> None:
    for person in people:
        if person not in uow.store.persons:
            uow.store.persons[person] = Person(person, ORG, person.title())
        uow.store.enrollments[f"e-{person}"] = Enrollment(
            f"e-{person}", ORG, PROGRAM, person, 1, clock.now(), role=role
        )


def run(by: str | None = "fay") -> commands.RunRound:
    return commands.RunRound(ORG, PROGRAM, by)


def members_of(outcome: rounds.RoundOutcome) -> list[list[str]]:
    return sorted(sorted(p.member_ids()) for p in outcome.pairings)


async def test_a_round_pairs_everyone_and_tells_each_member_with_the_reasons_kept(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo", "cy", "dee")
    outcome = await rounds.run_round(run(), bus)
    assert sorted(m for pair in members_of(outcome) for m in pair) == ["ana", "bo", "cy", "dee"]
    assert all(len(p.members) == 2 and p.status is PairingStatus.PROPOSED for p in outcome.pairings)
    proposed = sorted(
        m.recipient_id for m in uow.store.outbox.values() if m.intent is Intent.PAIRING_PROPOSED
    )
    assert proposed == ["ana", "bo", "cy", "dee"]
    assert outcome.round.index == 1
    assert all(p.shared_goal for p in outcome.pairings)


async def test_an_odd_participant_joins_a_trio_instead_of_being_dropped(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo", "cy")
    outcome = await rounds.run_round(run(), bus)
    assert members_of(outcome) == [["ana", "bo", "cy"]]
    assert outcome.unmatched == []


async def test_only_the_programs_facilitators_can_run_a_round(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo")
    with pytest.raises(PermissionDenied):
        await rounds.run_round(run(by="ana"), bus)
    assert uow.store.rounds == {} and uow.store.pairings == {}


async def test_declined_pairing_is_never_proposed_again(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo")
    first = await rounds.run_round(run(), bus)
    [pairing] = first.pairings
    await bus.handle(commands.RespondToPairing(ORG, pairing.id, "bo", "someone_else"))
    for _ in range(5):
        clock.advance(days=14)
        again = await rounds.run_round(run(), bus)
        assert again.pairings == []
        assert sorted(p for p, _ in again.unmatched) == ["ana", "bo"]
        assert all(reason for _, reason in again.unmatched)


async def test_the_same_pair_is_not_proposed_again_within_the_cool_down(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo", "cy", "dee")
    seen: list[list[list[str]]] = []
    for _ in range(3):
        outcome = await rounds.run_round(run(), bus)
        seen.append(members_of(outcome))
        clock.advance(days=14)
    pairs = [tuple(pair) for round_pairs in seen for pair in round_pairs]
    assert len(pairs) == len(set(pairs)) == 6  # three rounds of four people: every possible pair once


async def test_paused_people_and_people_without_current_consent_are_not_matched(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo", "cy", "dee")
    uow.store.enrollments["e-cy"].status = EnrollmentStatus.PAUSED
    uow.store.enrollments["e-cy"].paused_until = clock.now().date() + timedelta(weeks=2)
    uow.store.programs[PROGRAM].change_code_of_conduct("New rules")
    uow.store.enrollments["e-ana"].consent_version = 2
    uow.store.enrollments["e-bo"].consent_version = 2
    outcome = await rounds.run_round(run(), bus)
    assert members_of(outcome) == [["ana", "bo"]]


async def test_a_mentors_capacity_counts_the_mentees_they_already_have(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    program = uow.store.programs[PROGRAM]
    program.kind = ProgramKind.MENTORING
    enroll(uow, clock, "ana", role=ParticipantRole.MENTOR)
    enroll(uow, clock, "bo", "cy", role=ParticipantRole.LEARNER)
    uow.store.profiles["ana"] = (
        ORG,
        Profile("ana", teaches=(SkillLevel.of("Kubernetes", 4),), mentor_capacity=1),
    )
    for learner in ("bo", "cy"):
        uow.store.profiles[learner] = (ORG, Profile(learner, learns=(SkillLevel.of("Kubernetes", 2),)))
    first = await rounds.run_round(run(), bus)
    [pairing] = first.pairings
    assert [m.role for m in pairing.members] == [MemberRole.MENTOR, MemberRole.MENTEE]
    assert pairing.skill == "Kubernetes"
    assert any("teaches Kubernetes at level 4" in r.text for r in pairing.reasons)
    for member in pairing.member_ids():
        await bus.handle(commands.RespondToPairing(ORG, pairing.id, member, "accept"))
    clock.advance(days=14)
    second = await rounds.run_round(run(), bus)
    assert second.pairings == []  # ana's one place is taken by her running pairing
    left = next(iter({"bo", "cy"} - set(pairing.member_ids())))
    reasons = dict(second.unmatched)
    assert set(reasons) == {
        "ana",
        left,
    }  # the mentor is told she is at capacity, the learner why nobody is free
    assert "capacity" in reasons[left]


async def test_course_groups_are_drafts_that_nobody_is_told_about_and_forming_again_replaces_them(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    program = uow.store.programs[PROGRAM]
    program.kind, program.scope_kind, program.group_size = ProgramKind.STUDY_GROUPS, ScopeKind.LMS_COURSE, 3
    enroll(uow, clock, "ana", "bo", "cy", "dee", "eve", "fin")
    first = await rounds.run_round(run(), bus)
    assert [len(p.members) for p in first.pairings] == [3, 3]
    assert uow.store.outbox == {}
    second = await rounds.run_round(run(), bus)
    assert set(uow.store.pairings) == {p.id for p in second.pairings}


async def test_course_sections_reach_the_matcher_so_nobody_is_the_only_one_of_their_section(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    program = uow.store.programs[PROGRAM]
    program.kind, program.scope_kind, program.group_size = ProgramKind.STUDY_GROUPS, ScopeKind.LMS_COURSE, 3
    people = ["ana", "bo", "cy", "dee", "eve", "fin"]
    sections = {"ana": "B", "bo": "B", "cy": "A", "dee": "A", "eve": "A", "fin": "A"}
    program.settings = ProgramOptions(
        isolate_rule_attributes=("section",),
        member_attributes={p: {"section": s} for p, s in sections.items()},
    )
    enroll(uow, clock, *people)
    for seed in range(5):
        outcome = await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay", seed=seed + 1), bus)
        for pairing in outcome.pairings:
            in_b = [m for m in pairing.member_ids() if sections[m] == "B"]
            assert len(in_b) != 1, f"seed {seed}: {pairing.member_ids()} isolates one member of section B"


async def test_a_groups_first_shared_goal_is_the_members_goal_closest_to_everyones(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo", "cy")
    goals = {
        "ana": "Pass the graph algorithms exam",
        "bo": "Understand dynamic programming",
        "cy": "Graph algorithms and dynamic programming practice",
    }
    for person, goal in goals.items():
        uow.store.profiles[person] = (ORG, Profile(person, goals=goal))
    [trio] = (await rounds.run_round(run(), bus)).pairings
    # The draft names nobody: it is every member's goal, and must not keep a name after a delete.
    assert trio.shared_goal == "Graph algorithms and dynamic programming practice."
