"""Turn an outbox row into the card to send, from the state of things now, or into a reason not to send it.

A row whose subject is gone (a deleted pairing, an erased person) or no longer relevant (a proposal already
answered, a pairing that ended, a check-in already given) is skipped: it ends as sent-as-skipped, never
retried, and the person is not shown something out of date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from adaptive_cards import notices
from adaptive_cards.checkin import check_in
from adaptive_cards.elements import Card
from adaptive_cards.onboarding import welcome
from adaptive_cards.pairing import closed, introduction, proposal
from bot.scopes import addressed_to
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
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.ports.teams import Calendars
from core.services.schedule import local_instant
from core.views.first_meeting import with_calendars
from core.views.status import FirstMeeting, PairingView, member_profiles, view_of


@dataclass(frozen=True)
class Rendered:
    card: Card
    summary: str
    program_id: str | None
    team_id: str | None = None  # the program's Teams team: its conversation gives the service URL
    person: Person | None = None  # the recipient, as read with the card


@dataclass(frozen=True)
class Skip:
    reason: str
    program_id: str | None = None


PAIRING_INTENTS = frozenset(
    {
        Intent.PAIRING_PROPOSED,
        Intent.PAIRING_DECLINED,
        Intent.INTRODUCTION,
        Intent.CHECK_IN,
        Intent.CHECK_IN_REMINDER,
    }
)


def _pairing_id(message: OutboxMessage) -> str:
    value = message.payload.get("pairing_id")
    return str(value) if value else message.subject_id.split(":", 1)[0]


def _for_pairing(message: OutboxMessage, view: PairingView) -> Rendered | Skip:
    status, program_id, team = view.pairing.status, view.program.id, view.program.scope_id
    if message.intent is Intent.PAIRING_PROPOSED:
        if status is not PairingStatus.PROPOSED or view.me.response is not Response.PENDING:
            return Skip("The proposal was answered or closed before it was sent.", program_id)
        return Rendered(proposal(view), "A learning match for you", program_id, team)
    if message.intent is Intent.INTRODUCTION:
        if status not in (PairingStatus.ACCEPTED, PairingStatus.ACTIVE):
            return Skip("The pairing ended before the introduction was sent.", program_id)
        return Rendered(introduction(view), "You are matched: say hello", program_id, team)
    if message.intent is Intent.PAIRING_DECLINED:
        return Rendered(closed(view), "A proposal will not go ahead", program_id, team)
    if status is not PairingStatus.ACTIVE:
        return Skip("The pairing is no longer active.", program_id)
    due = message.payload.get("due")
    if message.intent is Intent.CHECK_IN_REMINDER and isinstance(due, str):
        since = local_instant(datetime.fromisoformat(due).date(), view.program.timezone)
        if view.last_check_in is not None and view.last_check_in.submitted_at >= since:
            return Skip("The person checked in before the reminder was sent.", program_id)
        return Rendered(notices.check_in_reminder(view), "A reminder to check in", program_id, team)
    return Rendered(check_in(view), "Time to check in", program_id, team)


def group_key(message: OutboxMessage) -> str:
    """Rows rendered from one read share a key: the members of one pairing; any other row stands alone."""
    return "pairing:" + _pairing_id(message) if message.intent in PAIRING_INTENTS else "row:" + message.id


@dataclass
class _PairingRead:
    pairing: Pairing | None
    program: Program | None = None
    people: dict[str, Person] = field(default_factory=dict)
    check_ins: list[CheckIn] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)  # for the first meeting's time


async def render(message: OutboxMessage, uows: UnitOfWorkFactory) -> Rendered | Skip:
    return (await render_many([message], uows))[0]


async def render_many(
    messages: Sequence[OutboxMessage], uows: UnitOfWorkFactory, calendars: Calendars | None = None
) -> list[Rendered | Skip]:
    """Everything is read in one unit of work, so the cards show one consistent state. A pairing, its
    program, members and check-ins are read once for all the rows about that pairing.

    With `calendars`, an introduction's first meeting is checked against the members' free/busy once the
    transaction is over (see `core.views.first_meeting`), once per pairing, so every member reads the same slot."""
    reads: dict[str, _PairingRead] = {}
    results: list[Rendered | Skip] = []
    introductions: list[tuple[int, OutboxMessage, _PairingRead]] = []
    async with uows() as uow:
        for message in messages:
            org, recipient = message.organization_id, message.recipient_id
            read = await _read_pairing(uow, message, reads) if message.intent in PAIRING_INTENTS else None
            person = read.people.get(recipient) if read else None
            if person is None:
                person = await uow.persons.get(org, recipient)
            if person is None or person.erased:
                results.append(Skip("The person deleted their data."))
                continue
            result = await _render(message, uow) if read is None else _from_read(message, read)
            if isinstance(result, Rendered):  # a card sent to one person answers only them
                result = replace(result, card=addressed_to(result.card, person.id), person=person)
                if read is not None and message.intent is Intent.INTRODUCTION and calendars is not None:
                    introductions.append((len(results), message, read))
            results.append(result)
    checked: dict[str, FirstMeeting | None] = {}
    for index, message, read in introductions:
        if read.pairing is None or read.program is None:
            continue
        view = view_of(read.pairing, read.program, read.people, message.recipient_id, None, read.profiles)
        if read.pairing.id not in checked:
            asked_as = next((p.teams.aad_object_id for p in read.people.values() if p.teams), None)
            checked[read.pairing.id] = (
                await with_calendars(view, read.profiles, calendars, asked_as)
            ).first_meeting
        view = replace(view, first_meeting=checked[read.pairing.id])
        done = results[index]
        if isinstance(done, Rendered):
            results[index] = replace(done, card=addressed_to(introduction(view), message.recipient_id))
    return results


async def _read_pairing(
    uow: UnitOfWork, message: OutboxMessage, reads: dict[str, _PairingRead]
) -> _PairingRead:
    pairing_id = _pairing_id(message)
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


def _from_read(message: OutboxMessage, read: _PairingRead) -> Rendered | Skip:
    """One member's view, as `core.views.status` builds it, from the pairing's one read."""
    pairing, program, recipient = read.pairing, read.program, message.recipient_id
    if pairing is None or program is None or recipient not in pairing.member_ids():
        return Skip("The pairing no longer exists, or the person is no longer in it.")
    mine = [c for c in read.check_ins if c.person_id == recipient]
    last = max(mine, key=lambda c: (c.submitted_at, c.id), default=None)
    return _for_pairing(message, view_of(pairing, program, read.people, recipient, last, read.profiles))


async def _render(message: OutboxMessage, uow: UnitOfWork) -> Rendered | Skip:
    org, recipient = message.organization_id, message.recipient_id
    if message.intent is Intent.UNMATCHED:
        round_ = await uow.rounds.get(org, message.subject_id)
        program = await uow.programs.get(org, round_.program_id) if round_ else None
        if round_ is None or program is None:
            return Skip("The round no longer exists.")
        latest = await uow.rounds.recent(org, program.id, 1)
        if latest and latest[0].id != round_.id:
            return Skip("A newer round opened before this one's message was sent.", program.id)
        reason = str(message.payload.get("reason", ""))
        return Rendered(
            notices.unmatched(program, reason), "No match this round", program.id, program.scope_id
        )
    if message.intent is Intent.CONCERN_RAISED:
        for program in await uow.programs.for_organization(org):
            if not program.is_facilitator(recipient):
                continue
            for concern in await uow.concerns.for_program(org, program.id):
                if concern.id == message.subject_id:
                    if concern.status is not ConcernStatus.OPEN:
                        return Skip("The concern was closed before the message was sent.", program.id)
                    card = notices.concern_raised(program)
                    return Rendered(card, "A concern was raised", program.id, program.scope_id)
        return Skip("The concern no longer exists, or the person no longer facilitates its program.")
    if message.intent is Intent.PARTNER_LEFT:
        pairing = await uow.pairings.get(org, message.subject_id)
        program = await uow.programs.get(org, pairing.program_id) if pairing else None
        if program is None:
            return Skip("The pairing no longer exists.")
        return Rendered(notices.partner_left(program), "Your pairing has ended", program.id, program.scope_id)
    if message.intent is Intent.FACILITATOR_NEEDED:
        program = await uow.programs.get(org, message.subject_id)
        if program is None or not program.needs_facilitator:
            return Skip("Someone took the program over before the message was sent.")
        summary = f"{program.name} needs a facilitator"
        return Rendered(notices.facilitator_needed(program), summary, program.id, program.scope_id)
    if message.intent is Intent.WELCOME:
        program = await uow.programs.get(org, message.subject_id)
        if program is None or not program.active:
            return Skip("The program is no longer running.")
        enrollment = await uow.enrollments.get(org, program.id, recipient)
        if enrollment is not None and enrollment.has_current_consent(program):
            return Skip("The person joined before the welcome was sent.", program.id)
        return Rendered(welcome(program), f"Welcome to {program.name}", program.id, program.scope_id)
    return Skip(f"Nothing renders the intent '{message.intent.value}'.")
