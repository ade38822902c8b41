"""Welcome and consent, the channel invitation, help, and the generic answers (error, done, confirm)."""

from __future__ import annotations

from collections.abc import Sequence

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Element,
    action_set,
    bullets,
    card,
    execute,
    facts,
    heading,
    open_url,
    subheading,
    text,
)
from core.model import Program
from core.model.programs import ORGANIZATION_SCOPE

COMMANDS = (
    ("help", "what I can do"),
    ("join", "join peer learning (you read and accept the code of conduct first)"),
    ("profile", "what you can teach, want to learn, and your time"),
    ("status", "your programs, pairings and check-ins"),
    ("pause <weeks>", "take a break, e.g. 'pause 3'"),
    ("resume", "take part again"),
    ("leave", "leave the programs you are in"),
    ("find <skill>", "colleagues who teach a skill, e.g. 'find kubernetes'"),
    ("my data", "everything stored about you"),
    ("delete my data", "erase it (asks first)"),
)
FACILITATOR_COMMANDS = (
    ("setup", "set up the program (kind, cadence, group size, start)"),
    ("match now", "run a round of matching now"),
    ("report", "opt-ins, acceptance, meetings, usefulness, concerns, missing skills"),
    ("facilitator add @name", "let a colleague facilitate this program with you"),
)


def join_action(title: str = "Join", *, primary: bool = True) -> Element:
    """Join without a code-of-conduct version: the answer is the welcome card, read and accepted first."""
    return execute(title, verbs.JOIN, primary=primary)


def _who_facilitates(program: Program, facilitators: Sequence[str]) -> list[Element]:
    """Said when someone joins: who runs the program, or plainly what happens while nobody does."""
    if facilitators:
        names = " and ".join(
            [", ".join(facilitators[:-1]), facilitators[-1]] if len(facilitators) > 1 else facilitators
        )
        verb = "facilitate" if len(facilitators) > 1 else "facilitates"
        return [
            text(
                f"{names} {verb} {program.name}: they set it up and run its rounds. When the next round "
                "runs, your proposal comes here, in this chat."
            )
        ]
    who = "anyone in the organization" if program.scope_id == ORGANIZATION_SCOPE else "an owner of the team"
    return [
        text(
            f"Nobody facilitates {program.name} yet, so its rounds have not started. A facilitator sets the "
            f"program up and runs its rounds; {who} can be the one. Until someone is, nothing else happens: "
            "fill in your profile now and you are in its first round."
        ),
        action_set(
            [execute("Set it up (become its facilitator)", verbs.SETUP_OPEN, {"program_id": program.id})]
        ),
    ]


def welcome(program: Program, *, joined: bool = False, facilitators: Sequence[str] | None = None) -> Card:
    """`facilitators`: the names of who runs the program, told on joining (None: not said on this card)."""
    data = {"program_id": program.id, "version": str(program.code_of_conduct_version)}
    body = [
        heading("Welcome to peer learning"),
        text(
            f"**{program.name}** pairs you with colleagues to learn from each other: you teach what you know, "
            "learn what you want, on the time you have."
        ),
        subheading(f"Code of conduct (version {program.code_of_conduct_version})"),
        text(program.code_of_conduct),
    ]
    if joined:
        body.append(
            text("✅ You accepted the code of conduct and joined. Next: fill in your profile.", color="Good")
        )
        if facilitators is not None:
            body += _who_facilitates(program, facilitators)
        return card(
            body, [execute("Edit my profile", verbs.PROFILE_OPEN, primary=True), execute("Help", verbs.HELP)]
        )
    body.append(text("Joining means you accept this code of conduct. You can pause or leave at any time."))
    return card(
        body,
        [
            execute("I accept and join", verbs.JOIN, data, primary=True),
            execute("Help", verbs.HELP),
        ],
    )


def not_joined(message: str) -> Card:
    """A "you have not joined" answer, with the action that fixes it."""
    return card(
        [heading("You have not joined yet"), text(message)],
        [join_action(), execute("Help", verbs.HELP)],
    )


def channel_invite(program: Program) -> Card:
    """Sent to a team's channel when the app is installed there; each member's view is their own."""
    return card(
        [
            heading(f"Peer learning for {program.name}"),
            text(
                "Learn from each other: tell me what you can teach and what you want to learn, and every round "
                "I suggest a colleague to meet, with the reasons for the match."
            ),
            text(
                "Facilitators: set up the program (kind, cadence, group size, start date) first.", subtle=True
            ),
        ],
        [
            execute(
                "Join",
                verbs.JOIN,
                {"program_id": program.id, "version": str(program.code_of_conduct_version)},
                primary=True,
            ),
            execute("Set up (facilitators)", verbs.SETUP_OPEN, {"program_id": program.id}),
            execute("Help", verbs.HELP),
        ],
    )


def help_card(*, facilitator: bool, joined: bool = False, shared: bool = False) -> Card:
    """Until the person has joined, help keeps the way in: a Join button (and `join` among the commands).
    In a shared conversation the card is everyone's: Join is always there, and nothing is said about anyone."""
    body = [heading("What I can do"), text("Type one of these in our chat:"), facts(COMMANDS)]
    if facilitator:
        body += [subheading("For facilitators"), facts(FACILITATOR_COMMANDS)]
    actions = [execute("My status", verbs.STATUS), execute("Edit my profile", verbs.PROFILE_OPEN)]
    if not joined and not shared:
        body.insert(
            1, text("You have not joined yet: press Join (or type 'join') to read the code of conduct.")
        )
    if not joined or shared:
        actions.insert(0, join_action())
    return card(body, actions)


def error_card(message: str, *, title: str = "Nothing changed") -> Card:
    return card(
        [heading(title), text(message, color="Attention")],
        [execute("My status", verbs.STATUS), execute("Help", verbs.HELP)],
    )


def private_note(message: str, chat_url: str | None) -> Card:
    """The neutral answer in a shared conversation to something personal: says where it went, nothing else."""
    actions = [open_url("Open my 1:1 chat", chat_url)] if chat_url else []
    return card([text(message)], actions)


def done(title: str, message: str, *, lines: tuple[str, ...] = ()) -> Card:
    body = [heading(title), text(message)]
    if lines:
        body.append(bullets(lines))
    return card(body, [execute("My status", verbs.STATUS), execute("Help", verbs.HELP)])


def confirm_delete() -> Card:
    return card(
        [
            heading("Delete all your data?"),
            text(
                "This erases your profile, enrollments, check-ins and concerns, and ends your open pairings. "
                "Colleagues' history keeps a 'former participant' in your place. It cannot be undone."
            ),
        ],
        [
            execute("Yes, delete everything", verbs.DELETE_CONFIRM, {"confirm": "yes"}),
            execute("No, keep it", verbs.STATUS),
        ],
    )
