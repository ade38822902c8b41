"""The facilitator's report per round: people's own answers, the minimum-group rule per round, and readiness."""

from __future__ import annotations

from datetime import timedelta

from core import commands
from core.bus import MessageBus
from core.model import (
    CheckIn,
    Enrollment,
    EnrollmentStatus,
    PairingStatus,
    Profile,
    Response,
    Round,
    SkillLevel,
)
from core.views import reports
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork

PEOPLE = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"]


def _enrol(uow: FakeUnitOfWork, clock: FakeClock, *people: str) -> None:
    for person in people:
        uow.store.enrollments[person] = Enrollment(person, ORG, PROGRAM, person, 1, clock.now())


async def test_one_yes_counts_at_once_even_before_the_partner_answers(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _enrol(uow, clock, *PEOPLE[:6])
    for i in range(3):
        proposed_pairing(uow, clock, PEOPLE[2 * i], PEOPLE[2 * i + 1], pairing_id=f"pair-{i}")
    for i in range(3):  # one member of each pair accepts; the pairs are still waiting for the other
        await bus.handle(commands.RespondToPairing(ORG, f"pair-{i}", PEOPLE[2 * i], "accept"))
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u, min_group=3))
    assert (report.accepted, report.declined, report.acceptance_rate) == (3, 0, 1.0)
    assert report.waiting == 3
    await bus.handle(commands.RespondToPairing(ORG, "pair-0", "p1", "someone_else"))
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u, min_group=3))
    assert (report.accepted, report.declined) == (3, 1)


async def test_per_round_figures_withhold_a_round_with_too_few_answers(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    s = uow.store
    _enrol(uow, clock, *PEOPLE[:4])
    s.rounds["r1"] = Round("r1", ORG, PROGRAM, 1, clock.now())
    first = [
        proposed_pairing(uow, clock, "p0", "p1", pairing_id="a"),
        proposed_pairing(uow, clock, "p2", "p3", pairing_id="b"),
    ]
    clock.advance(days=14)
    _enrol(uow, clock, *PEOPLE[4:])
    s.rounds["r2"] = Round("r2", ORG, PROGRAM, 2, clock.now())
    second = [proposed_pairing(uow, clock, "p4", "p5", pairing_id="c")]
    for pairing in first:
        pairing.round_id = "r1"
        pairing.status = PairingStatus.ACTIVE
        for m in pairing.members:
            m.response = Response.ACCEPTED
    second[0].round_id = "r2"
    second[0].members[0].response = Response.ACCEPTED
    for person, pairing_id in (("p0", "a"), ("p1", "a"), ("p2", "b")):
        s.check_ins[person] = CheckIn(person, ORG, pairing_id, person, clock.now(), person != "p2", 4)
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u, min_group=3))
    one, two = report.rounds
    assert (one.index, one.opted_in, one.matched, one.accepted, one.declined) == (1, 4, 4, 4, 0)
    assert one.meetings_held == 1  # three people checked in; only pair "a" said they met
    # Round 2: one person answered; the rule is applied to the round, not to the program as a whole.
    assert (two.index, two.opted_in, two.matched, two.accepted, two.meetings_held) == (2, 8, 2, None, None)


async def test_usefulness_is_a_distribution_shown_only_over_enough_raters(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _enrol(uow, clock, *PEOPLE[:6])
    pairing = proposed_pairing(uow, clock, *PEOPLE[:6])
    pairing.status = PairingStatus.ACTIVE
    for person, rating in zip(PEOPLE[:4], (5, 5, 4, 2), strict=True):
        uow.store.check_ins[person] = CheckIn(person, ORG, pairing.id, person, clock.now(), True, rating)
    assert (await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u))).usefulness is None
    uow.store.check_ins["p4"] = CheckIn("p4", ORG, pairing.id, "p4", clock.now(), True, 1)
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u))
    assert report.usefulness == {1: 1, 2: 1, 3: 0, 4: 1, 5: 2}


async def test_skills_wanted_against_taught_show_zero_but_withhold_small_counts(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _enrol(uow, clock, *PEOPLE)
    for i, person in enumerate(PEOPLE):
        learns = (SkillLevel.of("Kubernetes", 1),) + ((SkillLevel.of("Rust", 1),) if i < 2 else ())
        teaches = (SkillLevel.of("Rust", 4),) if i == 7 else ()
        uow.store.profiles[person] = (ORG, Profile(person, learns=learns, teaches=teaches))
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u))
    assert [(s.label, s.wanted, s.taught) for s in report.skills] == [
        ("Kubernetes", 8, 0),
        ("Rust", None, None),
    ]
    assert report.anyone_wants_to_learn


async def test_readiness_counts_who_a_round_could_match_now(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    assert await bus.read(lambda u: reports.readiness(ORG, PROGRAM, u, clock)) == reports.Readiness(0, 0)
    _enrol(uow, clock, "ana", "bo", "cy")
    uow.store.enrollments["bo"].status = EnrollmentStatus.PAUSED
    uow.store.enrollments["bo"].paused_until = (clock.now() + timedelta(days=7)).date()
    uow.store.enrollments["cy"].status = EnrollmentStatus.LEFT
    ready = await bus.read(lambda u: reports.readiness(ORG, PROGRAM, u, clock))
    assert ready == reports.Readiness(2, 1) and not ready.enough
    uow.store.enrollments["bo"].status = EnrollmentStatus.ACTIVE
    assert (await bus.read(lambda u: reports.readiness(ORG, PROGRAM, u, clock))).enough


async def test_the_report_names_a_scheduled_round_skipped_for_too_few_people(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _enrol(uow, clock, "p0")
    uow.store.programs[PROGRAM].starts_on = clock.now().date() - timedelta(days=14)  # a round is due
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u, now=clock.now()))
    assert report.round_skipped is not None and report.round_skipped <= clock.now()
    assert report.ready == 1
    _enrol(uow, clock, "p1")  # two can be matched: the round is not skipped, it is about to open
    report = await bus.read(lambda u: reports.facilitator_report(ORG, PROGRAM, "fay", u, now=clock.now()))
    assert report.round_skipped is None
