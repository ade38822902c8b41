"""What people type in the chat, turned into the verb (and data) a card button would send."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from adaptive_cards import verbs

PAUSE = "pause"
LEAVE = "leave"
FIND = "find"
EXPORT = "export"
FACILITATOR_ADD = (
    "facilitator.add"  # `facilitator add @name` (or an email): the mention is read from the activity
)

_MENTION = re.compile(r"<at>[^<]*</at>")
_EXACT = {
    "help": verbs.HELP,
    "?": verbs.HELP,
    "profile": verbs.PROFILE_OPEN,
    "status": verbs.STATUS,
    "resume": verbs.RESUME,
    "leave": LEAVE,
    "my data": EXPORT,
    "export": EXPORT,
    "delete my data": verbs.DELETE_ASK,
    "setup": verbs.SETUP_OPEN,
    "set up": verbs.SETUP_OPEN,
    "match now": verbs.ROUND_RUN,
    "report": verbs.REPORT_OPEN,
    "join": verbs.JOIN,
}


@dataclass(frozen=True)
class TextCommand:
    verb: str
    data: dict[str, str] = field(default_factory=dict)
    understood: bool = True


def parse(text: str | None) -> TextCommand:
    """Mentions are dropped and case and spacing ignored; anything unknown asks for help (not silence)."""
    cleaned = " ".join(_MENTION.sub(" ", text or "").split()).casefold().strip(" .!")
    if cleaned in _EXACT:
        return TextCommand(_EXACT[cleaned])
    word, _, rest = cleaned.partition(" ")
    if word == "pause":
        weeks = rest.removesuffix("weeks").removesuffix("week").strip()
        return TextCommand(PAUSE, {"weeks": weeks or "1"})
    if word == "find" and rest:
        return TextCommand(FIND, {"skill": rest[:60]})
    if word in ("facilitator", "facilitators") and rest.partition(" ")[0] == "add":
        return TextCommand(FACILITATOR_ADD, {"who": rest.partition(" ")[2][:254]})
    return TextCommand(verbs.HELP, understood=False)
