"""Learning note cards: the invitation when a pairing completes (a short form), the saved note with its
choices (share with my name, share anonymously, keep private, delete), and the message extension's results.

Every card here is personal: sent 1:1 and addressed to its person (`bot.scopes`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Element,
    Errors,
    card,
    choice_set,
    error_banner,
    execute,
    facts,
    heading,
    input_text,
    open_url,
    text,
)
from core.model.notes import MAX_TAGS, MAX_TEXT, Sharing
from core.views.expert_search import FoundExpert
from core.views.notes import MyNote, SharedNote

SHARING_CHOICES = (
    (Sharing.PRIVATE.value, "Keep it private (only I can read it)"),
    (Sharing.ATTRIBUTED.value, "Share with colleagues, with my name"),
    (Sharing.ANONYMOUS.value, "Share with colleagues, anonymously"),
)
WHO_READS = {
    Sharing.PRIVATE: "Only you can read it.",
    Sharing.ATTRIBUTED: "Colleagues can find it by skill, with your name.",
    Sharing.ANONYMOUS: "Colleagues can find it by skill; it does not name you.",
}
LEVELS = {1: "beginner", 2: "some experience", 3: "confident", 4: "advanced", 5: "expert"}
CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0"


def _with(others: Sequence[str]) -> str:
    if not others:
        return "your group"
    return others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]


def note_form(
    *,
    pairing_id: str,
    program_name: str,
    others: Sequence[str],
    skills: Sequence[str],
    note_text: str = "",
    sharing: Sharing = Sharing.PRIVATE,
    values: Mapping[str, str] | None = None,
    errors: Errors | None = None,
) -> Card:
    """The invitation and the form: what did you learn, tagged by skill, and who may read it."""
    values, errors = values or {}, errors or {}
    body = [
        heading("What did you learn?"),
        text(
            f"Your time with {_with(others)} in **{program_name}** has come to an end. Write a short note "
            "about what you learned: keep it for yourself, or share it so colleagues can find it by skill."
        ),
        text("Each of you chooses for yourself: your name is shown only if you choose it.", subtle=True),
        *error_banner(errors),
        *input_text(
            "text",
            "What I learned",
            values.get("text", note_text),
            max_length=MAX_TEXT,
            multiline=True,
            placeholder="e.g. How we roll out a Kubernetes change without downtime",
            errors=errors,
        ),
        *input_text(
            "skills",
            f"Skills (comma-separated, up to {MAX_TAGS})",
            values.get("skills", ", ".join(skills)),
            max_length=MAX_TAGS * 62,
            errors=errors,
        ),
        *choice_set(
            "sharing",
            "Who can read it?",
            SHARING_CHOICES,
            values.get("sharing", sharing.value),
            expanded=True,
            errors=errors,
        ),
    ]
    return card(body, [execute("Save my note", verbs.NOTE_SAVE, {"pairing_id": pairing_id}, primary=True)])


def note_saved(note: MyNote) -> Card:
    """The person's note as saved, with what they can change."""
    ids = {"pairing_id": note.pairing_id, "note_id": note.note_id}
    actions: list[Element] = []
    if note.sharing is not Sharing.ATTRIBUTED:
        actions.append(execute("Share with my name", verbs.NOTE_SHARE, ids | {"attributed": "true"}))
    if note.sharing is not Sharing.ANONYMOUS:
        actions.append(execute("Share anonymously", verbs.NOTE_SHARE, ids | {"attributed": "false"}))
    if note.sharing is not Sharing.PRIVATE:
        actions.append(execute("Keep it private", verbs.NOTE_UNSHARE, ids))
    actions += [
        execute("Edit", verbs.NOTE_OPEN, {"pairing_id": note.pairing_id}),
        execute("Delete", verbs.NOTE_DELETE, ids),
    ]
    return card(
        [
            heading("Your learning note"),
            text(note.text),
            facts([("Skills", ", ".join(note.skills)), ("Who can read it", WHO_READS[note.sharing])]),
        ],
        actions,
    )


def note_deleted() -> Card:
    return card(
        [heading("Note deleted"), text("Your learning note is gone; nobody can find it any more.")],
        [execute("My status", verbs.STATUS)],
    )


# The message extension's results (`bot.message_extension`): cards a person inserts into a message.


def chat_link(upn: str, message: str = "") -> str:
    link = f"{CHAT_LINK}?users={quote(upn, safe='@')}"
    return f"{link}&message={quote(message)}" if message else link


def expert_card(expert: FoundExpert, skill: str) -> Card:
    level = LEVELS.get(expert.level, str(expert.level))
    body = [
        heading(expert.display_name),
        facts(
            [("Skill", f"{expert.skill}: {level} ({expert.level}/5)")]
            + ([("Department", expert.department)] if expert.department else [])
        ),
    ]
    actions: list[Element] = []
    if expert.upn:
        ask = f"Hi {expert.display_name}, could we set up a short learning session about {skill}?"
        actions = [
            open_url("Start a chat", chat_link(expert.upn)),
            open_url("Ask for a session", chat_link(expert.upn, ask)),
        ]
    else:
        body.append(
            text("Teams has not told peerlearn their address yet: search for them in Teams.", subtle=True)
        )
    return card(body, actions)


def shared_note_card(note: SharedNote) -> Card:
    by = ", ".join(note.authors) if note.authors else "a colleague (anonymous)"
    return card(
        [
            heading("What a colleague learned"),
            text(note.text),
            facts([("Skills", ", ".join(note.skills)), ("Written by", by)]),
        ]
    )


def message_card(title: str, message: str) -> Card:
    return card([heading(title), text(message)])
