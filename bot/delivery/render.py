"""Turn an outbox row into the card to send, from the state of things now, or into a reason not to send it.

Whether a row is still current (its subject still there and still relevant) is `core.views.outbox`'s to say;
a stale row ends as sent-as-skipped, never retried. Here a current one becomes its card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial

from adaptive_cards import notices
from adaptive_cards.checkin import check_in
from adaptive_cards.elements import Card
from adaptive_cards.notes import note_form
from adaptive_cards.onboarding import welcome
from adaptive_cards.pairing import closed, introduction, proposal
from bot.scopes import addressed_to
from core.bus import MessageBus
from core.model import Intent, OutboxMessage, Person
from core.ports.teams import Calendars
from core.views import outbox
from core.views.first_meeting import with_calendars
from core.views.notes import suggested_skills
from core.views.status import FirstMeeting


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


def group_key(message: OutboxMessage) -> str:
    """Rows rendered from one read share a key: the members of one pairing; any other row stands alone."""
    return outbox.group_key(message)


def note_invite(about: outbox.AboutPairing) -> Card:
    """A member of a completed pairing is asked for a learning note, pre-filled with the pairing's skills."""
    view = about.view
    return note_form(
        pairing_id=view.pairing.id,
        program_name=view.program.name,
        others=[m.display_name for m in view.others],
        skills=suggested_skills(view.pairing, about.profiles),
    )


def _card(about: outbox.Current) -> Rendered:
    intent = about.message.intent
    if isinstance(about, outbox.AboutPairing):
        view = about.view
        program_id, team = view.program.id, view.program.scope_id
        if intent is Intent.PAIRING_PROPOSED:
            return Rendered(proposal(view), "A learning match for you", program_id, team)
        if intent is Intent.INTRODUCTION:
            return Rendered(introduction(view), "You are matched: say hello", program_id, team)
        if intent is Intent.PAIRING_DECLINED:
            return Rendered(closed(view), "A proposal will not go ahead", program_id, team)
        if intent is Intent.NOTE_INVITE:
            return Rendered(note_invite(about), "What did you learn?", program_id, team)
        if intent is Intent.CHECK_IN_REMINDER and isinstance(about.message.payload.get("due"), str):
            return Rendered(notices.check_in_reminder(view), "A reminder to check in", program_id, team)
        return Rendered(check_in(view), "Time to check in", program_id, team)
    program = about.program
    program_id, team = program.id, program.scope_id
    if intent is Intent.UNMATCHED:
        return Rendered(notices.unmatched(program, about.reason), "No match this round", program_id, team)
    if intent is Intent.CONCERN_RAISED:
        return Rendered(notices.concern_raised(program), "A concern was raised", program_id, team)
    if intent is Intent.PARTNER_LEFT:
        return Rendered(notices.partner_left(program), "Your pairing has ended", program_id, team)
    if intent is Intent.FACILITATOR_NEEDED:
        summary = f"{program.name} needs a facilitator"
        return Rendered(notices.facilitator_needed(program), summary, program_id, team)
    return Rendered(welcome(program), f"Welcome to {program.name}", program_id, team)


async def render(message: OutboxMessage, bus: MessageBus) -> Rendered | Skip:
    return (await render_many([message], bus))[0]


async def render_many(
    messages: Sequence[OutboxMessage], bus: MessageBus, calendars: Calendars | None = None
) -> list[Rendered | Skip]:
    """Everything is read in one unit of work, so the cards show one consistent state (see
    `core.views.outbox.current`).

    With `calendars`, an introduction's first meeting is checked against the members' free/busy once the
    transaction is over (see `core.views.first_meeting`), once per pairing, so every member reads the same
    slot."""
    found = await bus.read(partial(outbox.current, messages))
    results: list[Rendered | Skip] = []
    checked: dict[str, FirstMeeting | None] = {}
    for about in found:
        if isinstance(about, outbox.Stale):
            results.append(Skip(about.reason, about.program_id))
            continue
        if (
            calendars is not None
            and isinstance(about, outbox.AboutPairing)
            and about.message.intent is Intent.INTRODUCTION
        ):
            pairing_id = about.view.pairing.id
            if pairing_id not in checked:
                checked[pairing_id] = (
                    await with_calendars(about.view, about.profiles, calendars, about.asked_as)
                ).first_meeting
            about = replace(about, view=replace(about.view, first_meeting=checked[pairing_id]))
        rendered = _card(about)  # a card sent to one person answers only them
        results.append(
            replace(rendered, card=addressed_to(rendered.card, about.person.id), person=about.person)
        )
    return results
