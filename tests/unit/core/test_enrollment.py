from __future__ import annotations

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import ConsentRequired, InvalidInput, InvalidTransition, NotFound
from core.model import EnrollmentStatus, PairingStatus
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def enroll_cmd(person: str = "ana", version: int | None = 1) -> commands.Enroll:
    return commands.Enroll(ORG, PROGRAM, person, accepted_code_of_conduct_version=version)


async def test_enrolling_without_consent_is_refused_and_saves_nothing(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(ConsentRequired, match="accept"):
        await bus.handle(enroll_cmd(version=None))
    assert uow.store.enrollments == {}
    assert uow.store.commits == 0


async def test_consent_to_an_outdated_code_of_conduct_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].change_code_of_conduct("Version two of the rules.")
    with pytest.raises(ConsentRequired, match="current one is version 2"):
        await bus.handle(enroll_cmd(version=1))
    assert uow.store.enrollments == {}


async def test_enrolling_records_which_code_of_conduct_was_accepted_and_when(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    created = await bus.handle(enroll_cmd())
    stored = uow.store.enrollments[created.id]
    assert (stored.consent_version, stored.consented_at, stored.status) == (
        1,
        clock.now(),
        EnrollmentStatus.ACTIVE,
    )


async def test_enrolling_in_a_program_of_another_organization_is_not_found(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(NotFound):
        await bus.handle(commands.Enroll("org-b", PROGRAM, "ana", 1))


async def test_pause_for_some_weeks_then_resume(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await bus.handle(enroll_cmd())
    [paused] = await bus.handle(commands.Pause(ORG, "ana", weeks=3))
    assert paused.status is EnrollmentStatus.PAUSED
    assert (paused.paused_until - clock.now().date()).days == 21  # type: ignore[operator]
    assert not paused.is_available_on(clock.now().date())
    [resumed] = await bus.handle(commands.Resume(ORG, "ana"))
    assert resumed.status is EnrollmentStatus.ACTIVE and resumed.paused_until is None


@pytest.mark.parametrize("weeks", [0, -1, 27])
async def test_a_pause_outside_one_to_26_weeks_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock, weeks: int
) -> None:
    await bus.handle(enroll_cmd())
    with pytest.raises(InvalidInput, match=f"'{weeks}' weeks"):
        await bus.handle(commands.Pause(ORG, "ana", weeks=weeks))


async def test_resuming_when_not_paused_is_an_invalid_transition(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await bus.handle(enroll_cmd())
    with pytest.raises(InvalidTransition, match="not paused"):
        await bus.handle(commands.Resume(ORG, "ana"))


async def test_leaving_ends_open_pairings_so_nobody_waits(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await bus.handle(enroll_cmd("ana"))
    await bus.handle(enroll_cmd("bo"))
    proposed_pairing(uow, clock, "ana", "bo")
    await bus.handle(commands.Leave(ORG, "ana"))
    assert uow.store.pairings["pair-1"].status is PairingStatus.ENDED
    with pytest.raises(InvalidTransition, match="already left"):
        await bus.handle(commands.Leave(ORG, "ana"))


async def test_pausing_before_joining_says_to_join_first(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(NotFound, match="Join one first"):
        await bus.handle(commands.Pause(ORG, "ana", weeks=2))
