"""Feedback rounds: a member's check-in on their pairing, and concerns raised in confidence."""

from __future__ import annotations

from core import commands
from core.errors import InvalidInput, InvalidTransition
from core.model import CheckIn, Concern, Intent, PairingStatus, new_id
from core.model.text import clean
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import notify

MAX_TEXT = 2000


def _text(field: str, value: str) -> str:
    value = clean(value, field, what="This answer", multiline=True)
    if len(value) > MAX_TEXT:
        raise InvalidInput(field, f"This answer is {len(value)} characters long; keep it to {MAX_TEXT}.")
    return value


async def submit_check_in(cmd: commands.SubmitCheckIn, uow: UnitOfWork, clock: Clock) -> CheckIn:
    usefulness = cmd.usefulness
    if usefulness is not None and (isinstance(usefulness, bool) or not 1 <= usefulness <= 5):
        raise InvalidInput(
            "usefulness", f"Usefulness is '{usefulness}'. Choose from 1 (not useful) to 5 (very useful)."
        )
    if cmd.met and usefulness is None:
        raise InvalidInput("usefulness", "You met: say how useful it was, from 1 to 5.")
    learned, blockers = _text("learned", cmd.learned), _text("blockers", cmd.blockers)
    note = _text("confidential_note", cmd.confidential_note)
    pairing = await _lookups.pairing(uow, cmd.organization_id, cmd.pairing_id)
    pairing.member(cmd.person_id)  # only a member may check in on a pairing
    if pairing.status is not PairingStatus.ACTIVE:
        raise InvalidTransition(f"Check-ins are for active pairings; this one is {pairing.status.value}.")
    now = clock.now()
    check_in = CheckIn(
        id=new_id(),
        organization_id=cmd.organization_id,
        pairing_id=pairing.id,
        person_id=cmd.person_id,
        submitted_at=now,
        met=cmd.met,
        usefulness=usefulness if cmd.met else None,
        learned=learned,
        blockers=blockers,
    )
    await uow.check_ins.add(check_in)
    if note:
        await _raise(uow, clock, pairing.program_id, cmd.organization_id, cmd.person_id, note, pairing.id)
    return check_in


async def _raise(
    uow: UnitOfWork,
    clock: Clock,
    program_id: str,
    organization_id: str,
    person_id: str,
    text: str,
    pairing_id: str | None,
) -> Concern:
    program = await _lookups.program(uow, organization_id, program_id)
    concern = Concern(
        id=new_id(),
        organization_id=organization_id,
        program_id=program_id,
        reporter_id=person_id,
        text=text,
        created_at=clock.now(),
        pairing_id=pairing_id,
    )
    await uow.concerns.add(concern)
    # Facilitators are told a concern exists; its text is read only through the facilitator's report.
    await notify(uow, clock, organization_id, program.facilitator_ids, Intent.CONCERN_RAISED, concern.id)
    return concern


async def raise_concern(cmd: commands.RaiseConcern, uow: UnitOfWork, clock: Clock) -> Concern:
    text = _text("text", cmd.text)
    if not text:
        raise InvalidInput(
            "text", "Write a few words about your concern; only the facilitator will read them."
        )
    await _lookups.person(uow, cmd.organization_id, cmd.person_id)
    enrollment = await uow.enrollments.get(cmd.organization_id, cmd.program_id, cmd.person_id)
    if enrollment is None:
        raise InvalidTransition("You can raise a concern in a program you take part in.")
    concern = await _raise(
        uow, clock, cmd.program_id, cmd.organization_id, cmd.person_id, text, cmd.pairing_id
    )
    return concern
