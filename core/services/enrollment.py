"""Joining a program (with consent to its code of conduct), pausing, resuming and leaving."""

from __future__ import annotations

from datetime import timedelta

from core import commands
from core.errors import ConsentRequired, InvalidInput, InvalidTransition
from core.model import Enrollment, EnrollmentStatus, Intent, Pairing, new_id
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import notify

MAX_PAUSE_WEEKS = 26


async def enroll(cmd: commands.Enroll, uow: UnitOfWork, clock: Clock) -> Enrollment:
    program = await _lookups.program(uow, cmd.organization_id, cmd.program_id)
    await _lookups.person(uow, cmd.organization_id, cmd.person_id)
    if not program.active:
        raise InvalidTransition(f"The program '{program.name}' is not running at the moment.")
    if cmd.accepted_code_of_conduct_version is None:
        raise ConsentRequired(
            "To join, read the code of conduct and accept it: every participant does before taking part."
        )
    enrollment = await uow.enrollments.get(cmd.organization_id, cmd.program_id, cmd.person_id)
    now = clock.now()
    if enrollment is None:
        enrollment = Enrollment(
            id=new_id(),
            organization_id=cmd.organization_id,
            program_id=cmd.program_id,
            person_id=cmd.person_id,
            consent_version=0,
            consented_at=now,
            role=cmd.role,
        )
    enrollment.consent(program, cmd.accepted_code_of_conduct_version, now)
    enrollment.role = cmd.role
    await uow.enrollments.save(enrollment)
    return enrollment


async def pause(cmd: commands.Pause, uow: UnitOfWork, clock: Clock) -> list[Enrollment]:
    if isinstance(cmd.weeks, bool) or not 1 <= cmd.weeks <= MAX_PAUSE_WEEKS:
        raise InvalidInput(
            "weeks", f"A pause of '{cmd.weeks}' weeks is not possible. Use 1 to {MAX_PAUSE_WEEKS} weeks."
        )
    today = clock.now().date()
    found = await _lookups.enrollments(uow, cmd.organization_id, cmd.person_id, cmd.program_id)
    changed = [e for e in found if e.status is not EnrollmentStatus.LEFT]
    if not changed:
        raise InvalidTransition("You have left every program you were in, so there is nothing to pause.")
    for enrollment in changed:
        enrollment.pause(today + timedelta(weeks=cmd.weeks), today)
        await uow.enrollments.save(enrollment)
    return changed


async def resume(cmd: commands.Resume, uow: UnitOfWork, clock: Clock) -> list[Enrollment]:
    found = await _lookups.enrollments(uow, cmd.organization_id, cmd.person_id, cmd.program_id)
    changed = [e for e in found if e.status is EnrollmentStatus.PAUSED]
    if not changed:
        raise InvalidTransition("You are not paused: you are already taking part.")
    for enrollment in changed:
        enrollment.resume()
        await uow.enrollments.save(enrollment)
    return changed


async def _end_open_pairings(uow: UnitOfWork, enrollment: Enrollment, clock: Clock) -> list[Pairing]:
    return await end_pairings_of(
        uow, clock, enrollment.organization_id, enrollment.person_id, enrollment.program_id
    )


async def end_pairings_of(
    uow: UnitOfWork, clock: Clock, organization_id: str, person_id: str, program_id: str | None = None
) -> list[Pairing]:
    """End the person's open pairings (in one program, or everywhere) and tell the other members.

    The others hear only that the pairing ended and that they take part in the next round: never why
    (leaving, deleting one's data or being removed from a team are the person's own business)."""
    ended = []
    for pairing in await uow.pairings.for_person(organization_id, person_id):
        if (program_id is None or pairing.program_id == program_id) and pairing.is_open:
            pairing.end(clock.now(), person_id)
            await uow.pairings.save(pairing)
            ended.append(pairing)
            others = [m for m in pairing.member_ids() if m != person_id]
            await notify(uow, clock, organization_id, others, Intent.PARTNER_LEFT, pairing.id)
    return ended


async def leave(cmd: commands.Leave, uow: UnitOfWork, clock: Clock) -> list[Enrollment]:
    """Leave one program (or all); open pairings in it end, so nobody waits for an answer that will not come."""
    found = await _lookups.enrollments(uow, cmd.organization_id, cmd.person_id, cmd.program_id)
    changed = [e for e in found if e.status is not EnrollmentStatus.LEFT]
    if not changed:
        raise InvalidTransition("You have already left this program.")
    for enrollment in changed:
        enrollment.leave()
        await uow.enrollments.save(enrollment)
        await _end_open_pairings(uow, enrollment, clock)
    return changed
