"""The facilitator dashboard's read model: program health per round under the minimum-group rule, skills wanted
against taught, who could not be reached, the settings, who may read it, and that a deleted person is in no
figure."""

from __future__ import annotations

from datetime import date

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import NotFound, PermissionDenied
from core.model import (
    CheckIn,
    Enrollment,
    EnrollmentStatus,
    Pairing,
    PairingStatus,
    Person,
    Profile,
    Program,
    ProgramKind,
    Response,
    Round,
    RoundStatus,
    ScopeKind,
    SkillLevel,
)
from core.ports.delivery import DeliveryRecords
from core.views import dashboard
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork, FakeUnitOfWorkFactory

PEOPLE = [f"p{i}" for i in range(8)]


class Records:
    """Delivery outcomes as the sender records them, for one program."""

    def __init__(self, counts: dict[str, int], unreachable: list[str]) -> None:
        self.counts, self.ids = counts, unreachable

    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        return dict(self.counts)

    async def failure_reasons(self, organization_id: str, program_id: str) -> list[tuple[str, int]]:
        return []

    async def unreachable(self, organization_id: str, program_id: str) -> list[str]:
        return list(self.ids)

    def bound(self, uow: object) -> DeliveryRecords:
        return self


def _people(uow: FakeUnitOfWork, clock: FakeClock, *ids: str) -> None:
    for person in ids:
        uow.store.persons[person] = Person(person, ORG, person.upper())
        uow.store.enrollments[person] = Enrollment(person, ORG, PROGRAM, person, 1, clock.now())


def _round(uow: FakeUnitOfWork, clock: FakeClock, index: int, *pairs: Pairing) -> None:
    uow.store.rounds[f"r{index}"] = Round(f"r{index}", ORG, PROGRAM, index, clock.now())
    for pairing in pairs:
        pairing.round_id = f"r{index}"


def _met(uow: FakeUnitOfWork, clock: FakeClock, pairing: Pairing, rating: int) -> None:
    pairing.status = PairingStatus.ACTIVE
    for m in pairing.members:
        m.response = Response.ACCEPTED
        uow.store.check_ins[m.person_id] = CheckIn(
            m.person_id, ORG, pairing.id, m.person_id, clock.now(), True, rating
        )


async def _health(
    uow: FakeUnitOfWork, actor: str = "fay", records: DeliveryRecords | None = None, min_group: int = 3
) -> dashboard.ProgramHealth:
    async with uow:
        return await dashboard.program_health(uow, ORG, PROGRAM, actor, min_group=min_group, records=records)


async def test_each_round_shows_acceptance_meetings_and_usefulness_only_over_enough_people(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _people(uow, clock, *PEOPLE[:6])
    first = [proposed_pairing(uow, clock, f"p{i}", f"p{i + 1}", pairing_id=f"a{i}") for i in (0, 2, 4)]
    _round(uow, clock, 1, *first)
    for pairing, rating in zip(first, (5, 4, 3), strict=True):
        _met(uow, clock, pairing, rating)
    clock.advance(days=14)
    second = proposed_pairing(uow, clock, "p0", "p3", pairing_id="b0")
    _round(uow, clock, 2, second)
    second.members[0].response = Response.DECLINED
    health = await _health(uow)
    one, two = health.rounds
    assert (one.index, one.opted_in, one.matched, one.accepted, one.declined) == (1, 6, 6, 6, 0)
    assert (one.meetings_held, one.average_usefulness, one.acceptance_rate) == (3, 4.0, 1.0)
    # Round 2: one person answered, so nothing made of answers is shown for it.
    assert (two.matched, two.accepted, two.declined, two.meetings_held, two.average_usefulness) == (
        2,
        None,
        None,
        None,
        None,
    )
    assert health.usefulness == {1: 0, 2: 0, 3: 2, 4: 2, 5: 2}
    assert health.average_usefulness == 4.0
    assert (health.opted_in, health.paused, health.left, health.min_group) == (6, 0, 0, 3)


async def test_the_rule_cannot_go_below_three_people(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _people(uow, clock, "p0", "p1")
    pairing = proposed_pairing(uow, clock, "p0", "p1")
    _round(uow, clock, 1, pairing)
    _met(uow, clock, pairing, 5)
    health = await _health(uow, min_group=1)
    assert health.min_group == 3
    assert (health.rounds[0].accepted, health.usefulness, health.average_usefulness) == (None, None, None)


async def test_a_round_still_forming_is_not_charted(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _people(uow, clock, *PEOPLE[:2])
    uow.store.rounds["r1"] = Round("r1", ORG, PROGRAM, 1, clock.now(), RoundStatus.FORMING)
    assert (await _health(uow)).rounds == []


async def test_skills_wanted_are_set_against_skills_taught(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _people(uow, clock, *PEOPLE)
    for i, person in enumerate(PEOPLE):
        learns = (SkillLevel.of("Kubernetes", 1),) + ((SkillLevel.of("Rust", 1),) if i < 2 else ())
        teaches = (SkillLevel.of("Kubernetes", 4),) if i < 3 else ()
        uow.store.profiles[person] = (ORG, Profile(person, learns=learns, teaches=teaches))
    health = await _health(uow)
    assert [(s.label, s.wanted, s.taught) for s in health.skills] == [("Kubernetes", 8, 3), ("Rust", None, 0)]


async def test_who_could_not_be_reached_is_counted_and_named_for_follow_up(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _people(uow, clock, "p0", "p1", "p2")
    records = Records({"delivered": 7, "skipped": 1, "failed": 2}, ["p2", "p0"])
    reach = (await _health(uow, records=records)).reach
    assert reach == dashboard.Reach(delivered=7, skipped=1, failed=2, unreachable=["P0", "P2"])
    assert (await _health(uow)).reach == dashboard.Reach(0, 0, 0, [])  # nothing sent yet: nothing to show


async def test_a_person_who_deleted_their_data_is_in_no_figure(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _people(uow, clock, *PEOPLE[:6])
    for person in PEOPLE[:6]:
        uow.store.profiles[person] = (ORG, Profile(person, learns=(SkillLevel.of("Go", 1),)))
    pairs = [proposed_pairing(uow, clock, f"p{i}", f"p{i + 1}", pairing_id=f"a{i}") for i in (0, 2, 4)]
    _round(uow, clock, 1, *pairs)
    for pairing in pairs:
        _met(uow, clock, pairing, 4)
    records = Records({"delivered": 6, "skipped": 0, "failed": 1}, ["p5"])
    before = await _health(uow, records=records, min_group=6)
    assert (before.rounds[0].matched, before.rounds[0].accepted, before.opted_in) == (6, 6, 6)
    assert before.skills[0].wanted == 6 and before.reach is not None and before.reach.unreachable == ["P5"]

    bus = MessageBus(FakeUnitOfWorkFactory(uow.store), clock)
    await bus.handle(commands.DeleteMyData(ORG, "p5"))

    after = await _health(uow, records=records, min_group=6)
    one = after.rounds[0]
    assert (one.opted_in, one.matched, one.accepted, one.meetings_held, one.average_usefulness) == (
        5,
        5,
        None,
        None,
        None,
    )
    assert (after.opted_in, after.usefulness, after.skills[0].wanted) == (5, None, None)
    assert after.reach is not None and after.reach.unreachable == []
    assert (await _health(uow, records=records, min_group=5)).rounds[0].accepted == 5


async def test_only_the_programs_facilitators_may_read_it(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _people(uow, clock, "ana")
    with pytest.raises(PermissionDenied, match="Only this program's facilitators"):
        await _health(uow, actor="ana")
    async with uow:
        with pytest.raises(NotFound):
            await dashboard.program_health(uow, "org-b", PROGRAM, "fay")


async def test_a_facilitator_picks_among_the_programs_they_facilitate_here(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    s = uow.store
    s.programs["guild"] = Program(
        "guild",
        ORG,
        "Guild",
        ProgramKind.MENTORING,
        ScopeKind.TEAMS_TEAM,
        "19:other",
        facilitator_ids=["fay"],
    )
    s.programs["not-mine"] = Program(
        "not-mine",
        ORG,
        "Another",
        ProgramKind.MENTORING,
        ScopeKind.TEAMS_TEAM,
        "19:third",
        facilitator_ids=["bo"],
    )
    async with uow:
        in_team = await dashboard.programs_to_pick(uow, ORG, "fay", "19:team")
        in_chat = await dashboard.programs_to_pick(uow, ORG, "fay", None)
        for_member = await dashboard.programs_to_pick(uow, ORG, "ana", "19:team")
        elsewhere = await dashboard.programs_to_pick(uow, ORG, "fay", "19:third")
    assert [p.id for p in in_team] == [PROGRAM]
    assert [p.id for p in in_chat] == ["guild", PROGRAM]  # by name: Guild, Platform guild
    assert for_member == [] and elsewhere == []


def test_the_settings_show_the_program_never_a_members_attributes(uow: FakeUnitOfWork) -> None:
    program = uow.store.programs[PROGRAM]
    program.settings = program.settings.with_member_attributes("ana", {"section": "B"})
    rows = dict(dashboard.program_settings(program))
    assert rows["Kind"] == "peer pairs" and rows["Group size"] == "2" and rows["Status"] == "running"
    assert rows["Group chat for each pairing"] == "no"
    assert "section" not in repr(rows) and "ana" not in repr(rows)


def test_a_course_shows_its_grouping_criteria(uow: FakeUnitOfWork) -> None:
    program = uow.store.programs[PROGRAM]
    program.scope_kind = ScopeKind.LMS_COURSE
    program.settings = program.settings.with_criteria({"similar_goals": True})
    rows = dict(dashboard.program_settings(program))
    assert "similar goals" in rows["Grouping criteria"]


async def test_paused_and_left_people_are_counted_apart(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _people(uow, clock, "p0", "p1", "p2")
    uow.store.enrollments["p1"].status = EnrollmentStatus.PAUSED
    uow.store.enrollments["p2"].status = EnrollmentStatus.LEFT
    health = await _health(uow)
    assert (health.opted_in, health.paused, health.left) == (2, 1, 1)


def test_the_settings_say_when_rounds_started_as_people_write_dates(uow: FakeUnitOfWork) -> None:
    program = uow.store.programs[PROGRAM]
    program.starts_on = date(2026, 8, 3)
    assert dict(dashboard.program_settings(program))["Rounds"] == "biweekly, from 3 August 2026"
