"""A pairing from one member's side: the proposal with its reasons, then the introduction."""

from __future__ import annotations

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
from core.services.status import PairingView

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


def meeting_link(emails: list[str], subject: str) -> str:
    return (
        "https://teams.microsoft.com/l/meeting/new?attendees="
        + ",".join(quote(e, safe="@") for e in emails)
        + "&subject="
        + quote(subject, safe="")
    )


def proposal(view: PairingView) -> Card:
    pairing, data = view.pairing, {"pairing_id": view.pairing.id}
    body: list[Element] = [
        heading("A learning match for you"),
        text(f"In **{view.program.name}** I suggest you meet:"),
        _people(view),
    ]
    if pairing.skill:
        body.append(text(f"Skill: **{pairing.skill}**"))
    if pairing.reasons:
        body += [subheading("Why you two"), bullets(r.text for r in pairing.reasons)]
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
    pairing = view.pairing
    goal = pairing.shared_goal or (
        f"Learn {pairing.skill} together" if pairing.skill else "Learn from each other"
    )
    emails = [m.email for m in view.members if m.email]
    body: list[Element] = [
        heading("You are matched: say hello"),
        text(f"Everyone accepted. In **{view.program.name}** you are with:"),
        _people(view),
        subheading("Shared goal"),
        text(goal),
        text(
            "Book a first meeting this week at a time both calendars share, and work on a real task.",
            subtle=True,
        ),
    ]
    actions = [execute("Check in", verbs.CHECKIN_OPEN, {"pairing_id": pairing.id})]
    if len(emails) == len(view.members):
        actions = [
            open_url("Chat together", chat_link(emails)),
            open_url("Book a Teams meeting", meeting_link(emails, f"Peer learning: {goal}"[:200])),
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
