from __future__ import annotations

import pytest

from core import commands
from core.errors import ConsentRequired, InvalidInput, InvalidTransition, NotFound
from core.model import EnrollmentStatus, PairingStatus
from core.services import enrollment
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def enroll_cmd(person: str = "ana", version: int | None = 1) -> commands.Enroll:
    return commands.Enroll(ORG, PROGRAM, person, accepted_code_of_conduct_version=version)


async def test_enrolling_without_consent_is_refused_and_saves_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(ConsentRequired, match="accept"):
        await enrollment.enroll(enroll_cmd(version=None), uow, clock)
    assert uow.store.enrollments == {}
    assert uow.store.commits == 0


async def test_consent_to_an_outdated_code_of_conduct_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].change_code_of_conduct("Version two of the rules.")
    with pytest.raises(ConsentRequired, match="current one is version 2"):
        await enrollment.enroll(enroll_cmd(version=1), uow, clock)
    assert uow.store.enrollments == {}


async def test_enrolling_records_which_code_of_conduct_was_accepted_and_when(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    created = await enrollment.enroll(enroll_cmd(), uow, clock)
    stored = uow.store.enrollments[created.id]
    assert (stored.consent_version, stored.consented_at, stored.status) == (
        1,
        clock.now(),
        EnrollmentStatus.ACTIVE,
    )


async def test_enrolling_in_a_program_of_another_organization_is_not_found(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(NotFound):
        await enrollment.enroll(commands.Enroll("org-b", PROGRAM, "ana", 1), uow, clock)


async def test_pause_for_some_weeks_then_resume(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    await enrollment.enroll(enroll_cmd(), uow, clock)
    [paused] = await enrollment.pause(commands.Pause(ORG, "ana", weeks=3), uow, clock)
    assert paused.status is EnrollmentStatus.PAUSED
    assert (paused.paused_until - clock.now().date()).days == 21  # type: ignore[operator]
    assert not paused.is_available_on(clock.now().date())
    [resumed] = await enrollment.resume(commands.Resume(ORG, "ana"), uow)
    assert resumed.status is EnrollmentStatus.ACTIVE and resumed.paused_until is None


@pytest.mark.parametrize("weeks", [0, -1, 27])
async def test_a_pause_outside_one_to_26_weeks_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock, weeks: int
) -> None:
    await enrollment.enroll(enroll_cmd(), uow, clock)
    with pytest.raises(InvalidInput, match=f"'{weeks}' weeks"):
        await enrollment.pause(commands.Pause(ORG, "ana", weeks=weeks), uow, clock)


async def test_resuming_when_not_paused_is_an_invalid_transition(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await enrollment.enroll(enroll_cmd(), uow, clock)
    with pytest.raises(InvalidTransition, match="not paused"):
        await enrollment.resume(commands.Resume(ORG, "ana"), uow)


async def test_leaving_ends_open_pairings_so_nobody_waits(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    await enrollment.enroll(enroll_cmd("ana"), uow, clock)
    await enrollment.enroll(enroll_cmd("bo"), uow, clock)
    proposed_pairing(uow, clock, "ana", "bo")
    await enrollment.leave(commands.Leave(ORG, "ana"), uow, clock)
    assert uow.store.pairings["pair-1"].status is PairingStatus.ENDED
    with pytest.raises(InvalidTransition, match="already left"):
        await enrollment.leave(commands.Leave(ORG, "ana"), uow, clock)


async def test_pausing_before_joining_says_to_join_first(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(NotFound, match="Join one first"):
        await enrollment.pause(commands.Pause(ORG, "ana", weeks=2), uow, clock)
