"""Whether a queued message is still current, read from the state of things now.

A row whose subject is gone (a deleted pairing, an erased person) or no longer relevant (a proposal already
answered, a pairing that ended, a check-in already given, a newer round) is `Stale`: the sender ends it as
sent-as-skipped, never retried, and the person is not shown something out of date. A current row comes back
with what its card is drawn from: the recipient's view of the pairing, or the program."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.model import (
    CheckIn,
    ConcernStatus,
    Intent,
    OutboxMessage,
    Pairing,
    PairingStatus,
    Person,
    Profile,
    Program,
    Response,
)
from core.ports import UnitOfWork
from core.services.schedule import local_instant
from core.views.status import PairingView, member_profiles, view_of

PAIRING_INTENTS = frozenset(
    {
        Intent.PAIRING_PROPOSED,
        Intent.PAIRING_DECLINED,
        Intent.INTRODUCTION,
        Intent.CHECK_IN,
        Intent.CHECK_IN_REMINDER,
        Intent.NOTE_INVITE,
    }
)


@dataclass(frozen=True)
class Stale:
    reason: str
    program_id: str | None = None


@dataclass(frozen=True)
class AboutPairing:
    """A current row about a pairing: the recipient's view, the members' profiles (for the first meeting) and
    `asked_as`, a member's Entra object id on whose behalf their calendars may be read."""

    message: OutboxMessage
    person: Person
    view: PairingView
    profiles: dict[str, Profile]
    asked_as: str | None = None


@dataclass(frozen=True)
class AboutProgram:
    """A current row about a program (no match this round, a concern, a partner left, a facilitator needed,
    a welcome); `reason` is why nobody was matched, for `Intent.UNMATCHED`."""

    message: OutboxMessage
    person: Person
    program: Program
    reason: str = ""


Current = AboutPairing | AboutProgram


def pairing_id_of(message: OutboxMessage) -> str:
    value = message.payload.get("pairing_id")
    return str(value) if value else message.subject_id.split(":", 1)[0]


def group_key(message: OutboxMessage) -> str:
    """Rows read together share a key: the members of one pairing; any other row stands alone."""
    return "pairing:" + pairing_id_of(message) if message.intent in PAIRING_INTENTS else "row:" + message.id


def pairing_staleness(message: OutboxMessage, view: PairingView) -> Stale | None:
    """Why a row about a pairing is out of date for its recipient (`view`), or None while it is current."""
    status, program_id = view.pairing.status, view.program.id
    if message.intent is Intent.PAIRING_PROPOSED:
        if status is not PairingStatus.PROPOSED or view.me.response is not Response.PENDING:
            return Stale("The proposal was answered or closed before it was sent.", program_id)
        return None
    if message.intent is Intent.INTRODUCTION:
        if status not in (PairingStatus.ACCEPTED, PairingStatus.ACTIVE):
            return Stale("The pairing ended before the introduction was sent.", program_id)
        return None
    if message.intent is Intent.PAIRING_DECLINED:
        return None
    if message.intent is Intent.NOTE_INVITE:
        if status is not PairingStatus.COMPLETED:
            return Stale("The pairing did not complete, so no learning note is asked for.", program_id)
        return None
    if status is not PairingStatus.ACTIVE:
        return Stale("The pairing is no longer active.", program_id)
    due = message.payload.get("due")
    if message.intent is Intent.CHECK_IN_REMINDER and isinstance(due, str):
        since = local_instant(datetime.fromisoformat(due).date(), view.program.timezone)
        if view.last_check_in is not None and view.last_check_in.submitted_at >= since:
            return Stale("The person checked in before the reminder was sent.", program_id)
    return None


@dataclass
class _PairingRead:
    pairing: Pairing | None
    program: Program | None = None
    people: dict[str, Person] = field(default_factory=dict)
    check_ins: list[CheckIn] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)


async def current(messages: Sequence[OutboxMessage], uow: UnitOfWork) -> list[Current | Stale]:
    """Each row, current or stale, in order, read inside `uow` so every card shows one consistent state. A
    pairing, its program, members and check-ins are read once for all the rows about that pairing."""
    reads: dict[str, _PairingRead] = {}
    results: list[Current | Stale] = []
    for message in messages:
        org, recipient = message.organization_id, message.recipient_id
        read = await _read_pairing(uow, message, reads) if message.intent in PAIRING_INTENTS else None
        person = read.people.get(recipient) if read else None
        if person is None:
            person = await uow.persons.get(org, recipient)
        if person is None or person.erased:
            results.append(Stale("The person deleted their data."))
            continue
        results.append(
            await _about(message, person, uow) if read is None else _from_read(message, person, read)
        )
    return results


async def _read_pairing(
    uow: UnitOfWork, message: OutboxMessage, reads: dict[str, _PairingRead]
) -> _PairingRead:
    pairing_id = pairing_id_of(message)
    read = reads.get(pairing_id)
    if read is None:
        org = message.organization_id
        read = reads[pairing_id] = _PairingRead(await uow.pairings.get(org, pairing_id))
        if read.pairing is not None:
            read.program = await uow.programs.get(org, read.pairing.program_id)
            members = await uow.persons.many(org, read.pairing.member_ids())
            read.people = {p.id: p for p in members}
            read.check_ins = await uow.check_ins.for_pairing(org, pairing_id)
            read.profiles = await member_profiles(uow, read.pairing)
    return read


def _from_read(message: OutboxMessage, person: Person, read: _PairingRead) -> Current | Stale:
    """One member's view, as `core.views.status` builds it, from the pairing's one read."""
    pairing, program, recipient = read.pairing, read.program, message.recipient_id
    if pairing is None or program is None or recipient not in pairing.member_ids():
        return Stale("The pairing no longer exists, or the person is no longer in it.")
    mine = [c for c in read.check_ins if c.person_id == recipient]
    last = max(mine, key=lambda c: (c.submitted_at, c.id), default=None)
    view = view_of(pairing, program, read.people, recipient, last, read.profiles)
    asked_as = next((p.teams.aad_object_id for p in read.people.values() if p.teams), None)
    return pairing_staleness(message, view) or AboutPairing(message, person, view, read.profiles, asked_as)


async def _about(message: OutboxMessage, person: Person, uow: UnitOfWork) -> Current | Stale:
    org, recipient = message.organization_id, message.recipient_id
    if message.intent is Intent.UNMATCHED:
        round_ = await uow.rounds.get(org, message.subject_id)
        program = await uow.programs.get(org, round_.program_id) if round_ else None
        if round_ is None or program is None:
            return Stale("The round no longer exists.")
        latest = await uow.rounds.recent(org, program.id, 1)
        if latest and latest[0].id != round_.id:
            return Stale("A newer round opened before this one's message was sent.", program.id)
        return AboutProgram(message, person, program, str(message.payload.get("reason", "")))
    if message.intent is Intent.CONCERN_RAISED:
        for program in await uow.programs.for_organization(org):
            if not program.is_facilitator(recipient):
                continue
            for concern in await uow.concerns.for_program(org, program.id):
                if concern.id == message.subject_id:
                    if concern.status is not ConcernStatus.OPEN:
                        return Stale("The concern was closed before the message was sent.", program.id)
                    return AboutProgram(message, person, program)
        return Stale("The concern no longer exists, or the person no longer facilitates its program.")
    if message.intent is Intent.PARTNER_LEFT:
        pairing = await uow.pairings.get(org, message.subject_id)
        program = await uow.programs.get(org, pairing.program_id) if pairing else None
        if program is None:
            return Stale("The pairing no longer exists.")
        return AboutProgram(message, person, program)
    if message.intent is Intent.FACILITATOR_NEEDED:
        program = await uow.programs.get(org, message.subject_id)
        if program is None or not program.needs_facilitator:
            return Stale("Someone took the program over before the message was sent.")
        return AboutProgram(message, person, program)
    if message.intent is Intent.WELCOME:
        program = await uow.programs.get(org, message.subject_id)
        if program is None or not program.active:
            return Stale("The program is no longer running.")
        enrollment = await uow.enrollments.get(org, program.id, recipient)
        if enrollment is not None and enrollment.has_current_consent(program):
            return Stale("The person joined before the welcome was sent.", program.id)
        return AboutProgram(message, person, program)
    return Stale(f"Nothing renders the intent '{message.intent.value}'.")
