"""A pairing from one member's side: the proposal with its reasons, then the introduction."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Element,
    bullets,
    card,
    execute,
    facts,
    heading,
    open_url,
    subheading,
    text,
)
from core.model import PairingStatus, Response
from core.services.meeting_times import Slot
from core.services.rounds import reasons_for
from core.views.status import FirstMeeting, MemberView, PairingView

ROLE_NAMES = {
    "mentor": "mentor",
    "mentee": "learner",
    "peer": "peer",
    "buddy": "buddy",
    "newcomer": "newcomer",
}


def _people(view: PairingView) -> Element:
    return facts((m.display_name, ROLE_NAMES.get(m.role.value, m.role.value)) for m in view.others)


def chat_link(emails: list[str]) -> str:
    return "https://teams.microsoft.com/l/chat/0/0?users=" + ",".join(quote(e, safe="@") for e in emails)


def meeting_link(emails: list[str], subject: str, slot: Slot | None = None) -> str:
    """Teams' scheduling form, filled in: attendees, subject and, when a slot is known, its start and end
    (long ISO 8601 with an offset, as Teams' deep-link documentation asks)."""
    link = (
        "https://teams.microsoft.com/l/meeting/new?attendees="
        + ",".join(quote(e, safe="@") for e in emails)
        + "&subject="
        + quote(subject, safe="")
    )
    if slot is not None:
        link += "&startTime=" + quote(slot.start.isoformat(), safe="")
        link += "&endTime=" + quote(slot.end.isoformat(), safe="")
    return link


def zone_name(timezone: str) -> str:
    """'Europe/Berlin' → 'Berlin', 'America/Argentina/Buenos_Aires' → 'Buenos Aires': the city people know."""
    return timezone.rsplit("/", 1)[-1].replace("_", " ")


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def when(slot: Slot, timezone: str) -> str:
    """'Tuesday 3 November, 10:00–10:30 (Berlin, UTC+01:00)': the slot on the clock of `timezone`."""
    start, end = slot.local(timezone)
    return (
        f"{start:%A} {start.day} {start:%B}, {start:%H:%M}–{end:%H:%M} "
        f"({zone_name(timezone)}, {_offset(start)})"
    )


def _and_calendars(meeting: FirstMeeting) -> str:
    return " and your calendars" if meeting.from_calendars else ""


def _first_meeting(
    meeting: FirstMeeting | None, viewer: MemberView | None, members: list[MemberView]
) -> list[Element]:
    if meeting is None:
        return [
            text("Pick a time for a first meeting together this week, and work on a real task.", subtle=True)
        ]
    if meeting.slot is None:
        why = (
            "I cannot propose a time yet: not everyone has said when they are free. Pick one together, and "
            "add the hours you are free to your profile so that I can next time."
            if meeting.someone_has_no_hours
            else f"Your free hours{_and_calendars(meeting)} do not meet in the next two weeks, so I cannot "
            "propose a time: pick one together."
        )
        return [subheading("A first meeting"), text(why)]
    slot = meeting.slot
    if viewer is not None:
        shown = [text(f"**{when(slot, viewer.timezone or 'UTC')}**, your time.")]
    else:  # a shared chat: the slot on each of the members' clocks, by place, never saying whose is whose
        zones = sorted(
            {m.timezone or "UTC" for m in members}, key=lambda z: (slot.local(z)[0].utcoffset(), z)
        )
        shown = [bullets(when(slot, zone) for zone in zones)]
    return [
        subheading("A first meeting"),
        *shown,
        text(
            f"Everyone is free then, by the hours you gave{_and_calendars(meeting)}. Book it below, or agree "
            "another time.",
            subtle=True,
        ),
    ]


def _sentence(value: str) -> str:
    return value[:1].upper() + value[1:]


def _why(size: int) -> str:
    return {2: "Why you two", 3: "Why you three"}.get(size, "Why your group")


def proposal(view: PairingView) -> Card:
    pairing, data = view.pairing, {"pairing_id": view.pairing.id}
    body: list[Element] = [
        heading("A learning match for you"),
        text(f"In **{view.program.name}** I suggest you meet:"),
        _people(view),
    ]
    if pairing.skill:
        body.append(text(f"Skill: **{pairing.skill}**"))
    reasons = reasons_for(pairing, view.viewer_id)
    found = [_sentence(r.text) for r in reasons if r.factor != "caution"]
    cautions = [_sentence(r.text) for r in reasons if r.factor == "caution"]
    if found:
        body += [subheading(_why(len(pairing.members))), bullets(found)]
    body += [text(c, color="Warning") for c in cautions]  # cautions as cautions, after the reasons
    if pairing.shared_goal:
        body += [subheading("A goal to start from"), text(pairing.shared_goal)]
    me = view.me
    if me.response is Response.ACCEPTED:
        body.append(
            text("✅ You accepted. I will introduce you as soon as everyone has answered.", color="Good")
        )
        return card(body, [execute("My status", verbs.STATUS)])
    body.append(text("Asking for someone else is fine: nobody is told why.", subtle=True))
    return card(
        body,
        [
            execute("Accept", verbs.PAIRING_ACCEPT, data, primary=True),
            execute("Decline", verbs.PAIRING_DECLINE, data),
            execute("Someone else, please", verbs.PAIRING_SOMEONE_ELSE, data),
        ],
    )


def introduction(view: PairingView) -> Card:
    """Written to its reader; in a shared chat (no member is the viewer) the meeting time is shown on the
    clocks of the places the members are in."""
    pairing = view.pairing
    goal = pairing.shared_goal or (
        f"Learn {pairing.skill} together" if pairing.skill else "Learn from each other"
    )
    emails = [m.email for m in view.members if m.email]
    viewer = next((m for m in view.members if m.is_viewer), None)
    meeting = view.first_meeting
    body: list[Element] = [
        heading("You are matched: say hello"),
        text(
            f"Everyone accepted. In **{view.program.name}** you are with:"
            if viewer is not None
            else f"Everyone accepted. In **{view.program.name}**, this is your group:"
        ),
        _people(view),
        subheading("Shared goal"),
        text(goal),
        *_first_meeting(meeting, viewer, view.members),
    ]
    actions = [execute("Check in", verbs.CHECKIN_OPEN, {"pairing_id": pairing.id})]
    if meeting is not None and meeting.someone_has_no_hours and viewer is not None:
        actions.append(execute("Edit my profile", verbs.PROFILE_OPEN))
    if len(emails) == len(view.members):
        slot = meeting.slot if meeting is not None else None
        book = "Book this time in Teams" if slot is not None else "Book a Teams meeting"
        actions = [
            open_url("Chat together", chat_link(emails)),
            open_url(book, meeting_link(emails, goal, slot)),
            *actions,
        ]
    else:
        body.append(
            text("Some members have no Teams address on record; find them by name in Teams.", subtle=True)
        )
    return card(body, actions)


def closed(view: PairingView) -> Card:
    status = view.pairing.status
    message = {
        PairingStatus.DECLINED: "This proposal will not go ahead. You will get a new suggestion in the next round.",
        PairingStatus.ENDED: "This pairing has ended.",
        PairingStatus.COMPLETED: "This pairing is complete. Thank you for learning together.",
    }.get(status, f"This pairing is {status.value}.")
    return card([heading("Pairing closed"), text(message)], [execute("My status", verbs.STATUS)])


def pairing_card(view: PairingView) -> Card:
    """The card that fits the pairing's current state (what a refresh shows)."""
    status = view.pairing.status
    if status is PairingStatus.PROPOSED:
        return proposal(view)
    if status in (PairingStatus.ACCEPTED, PairingStatus.ACTIVE):
        return introduction(view)
    return closed(view)
