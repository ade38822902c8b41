"""Where each command's answer may be shown, and whom each card answers. Written once, for every verb.

The trust model (PRODUCT.md): a person's profile, status, proposals, check-in answers, concerns, export and
delete, and a facilitator's report, appear only in that person's own 1:1 chat with the bot. Asked for in a
group chat or a channel, the bot answers there with a short neutral note and sends the content 1:1.

| policy | in a 1:1 chat | in a group chat or channel |
| --- | --- | --- |
| `SHARED` | answered | answered there (each member's view made user-specific) |
| `PRIVATE` | answered | a neutral note there; the answer goes to the person's 1:1 chat |
| `PRIVATE_ONLY` | answered | nothing changes; the person's own card for it goes to their 1:1 chat |

`PRIVATE_ONLY` verbs change personal data from a form (a profile, a check-in, a delete): in a shared
conversation a colleague could read the form, so the form itself is sent 1:1 (`OPENED_BY`) instead.

A card *addressed* to someone carries their person id as `for` in every action's data: a click by anyone
else is refused and changes nothing. Cards meant for everyone in a conversation (the team's invitation, the
help card) carry no `for`: each member then acts only for themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from adaptive_cards import verbs
from adaptive_cards.elements import Card
from bot import text_commands


class Policy(enum.Enum):
    SHARED = "shared"
    PRIVATE = "private"
    PRIVATE_ONLY = "private_only"


POLICY: Mapping[str, Policy] = {
    verbs.HELP: Policy.SHARED,
    verbs.JOIN: Policy.SHARED,
    verbs.CHANNEL_VIEW: Policy.SHARED,
    verbs.SETUP_OPEN: Policy.SHARED,  # a program's settings are the team's business; only facilitators save
    verbs.SETUP_SAVE: Policy.SHARED,
    text_commands.FACILITATOR_ADD: Policy.SHARED,
    text_commands.FIND: Policy.SHARED,  # lists only people who teach a skill, as anyone may ask
    verbs.STATUS: Policy.PRIVATE,
    verbs.PROFILE_OPEN: Policy.PRIVATE,
    verbs.RESUME: Policy.PRIVATE,
    text_commands.PAUSE: Policy.PRIVATE,
    text_commands.LEAVE: Policy.PRIVATE,
    text_commands.EXPORT: Policy.PRIVATE,
    verbs.DELETE_ASK: Policy.PRIVATE,
    verbs.EXPORT_FILE: Policy.PRIVATE,  # the file offer is made only in the 1:1 chat (bot.export_file)
    verbs.REPORT_OPEN: Policy.PRIVATE,  # holds the confidential concerns
    verbs.ROUND_RUN: Policy.PRIVATE,  # its result names who was not matched, and why
    verbs.PAIRING_VIEW: Policy.PRIVATE,
    verbs.CHECKIN_OPEN: Policy.PRIVATE,
    verbs.FACILITATOR_TAKE_OVER: Policy.PRIVATE,
    verbs.PROFILE_SAVE: Policy.PRIVATE_ONLY,
    verbs.DELETE_CONFIRM: Policy.PRIVATE_ONLY,
    verbs.CHECKIN_SUBMIT: Policy.PRIVATE_ONLY,
    verbs.PAIRING_ACCEPT: Policy.PRIVATE_ONLY,
    verbs.PAIRING_DECLINE: Policy.PRIVATE_ONLY,
    verbs.PAIRING_SOMEONE_ELSE: Policy.PRIVATE_ONLY,
    verbs.NOTE_OPEN: Policy.PRIVATE,  # a person's own learning note, private until they share it
    verbs.NOTE_SAVE: Policy.PRIVATE_ONLY,
    verbs.NOTE_SHARE: Policy.PRIVATE_ONLY,
    verbs.NOTE_UNSHARE: Policy.PRIVATE_ONLY,
    verbs.NOTE_DELETE: Policy.PRIVATE_ONLY,
    # Invokes answered outside the verb registry, stated here too:
    "application/search": Policy.SHARED,  # bot.typeahead: the organization's skill names, to whoever types
    "fileConsent/invoke": Policy.PRIVATE_ONLY,  # bot.export_file: uploads only in the person's 1:1 chat
    # bot.message_extension: findable colleagues and shared notes, which anyone in the organization may find
    "composeExtension/query": Policy.SHARED,
}

OPENED_BY: Mapping[str, str] = {
    verbs.PROFILE_SAVE: verbs.PROFILE_OPEN,
    verbs.DELETE_CONFIRM: verbs.DELETE_ASK,
    verbs.CHECKIN_SUBMIT: verbs.CHECKIN_OPEN,
    verbs.PAIRING_ACCEPT: verbs.PAIRING_VIEW,
    verbs.PAIRING_DECLINE: verbs.PAIRING_VIEW,
    verbs.PAIRING_SOMEONE_ELSE: verbs.PAIRING_VIEW,
    verbs.NOTE_SAVE: verbs.NOTE_OPEN,
    verbs.NOTE_SHARE: verbs.NOTE_OPEN,
    verbs.NOTE_UNSHARE: verbs.NOTE_OPEN,
    verbs.NOTE_DELETE: verbs.NOTE_OPEN,
    "fileConsent/invoke": verbs.EXPORT_FILE,
}
"""For a `PRIVATE_ONLY` verb used in a shared conversation: the verb whose card is sent 1:1 instead."""

ADDRESSEE = "for"
UNKNOWN_VERB_POLICY = Policy.PRIVATE  # a verb added later is personal until someone decides otherwise


def policy_of(verb: str) -> Policy:
    return POLICY.get(verb, UNKNOWN_VERB_POLICY)


def private_verb(verb: str) -> str:
    """What to run for the 1:1 answer when `verb` was used in a shared conversation."""
    return OPENED_BY.get(verb, verb)


def shared_data(verb: str, data: Mapping[str, object]) -> dict[str, object]:
    """The card data kept when a `PRIVATE_ONLY` verb is turned into its opening verb: ids, never answers."""
    if verb not in OPENED_BY:
        return dict(data)
    return {k: v for k, v in data.items() if k in ("pairing_id", "program_id")}


def addressed_to(card: Card, person_id: str) -> Card:
    """The card with `for` set in the data of every `Action.Execute` (actions, action sets, refresh)."""

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            copied = {k: visit(v) for k, v in node.items()}
            if copied.get("type") == "Action.Execute":
                copied["data"] = {**(copied.get("data") or {}), ADDRESSEE: person_id}
            return copied
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    result: Card = visit(card)
    return result


def addressee_mismatch(data: Mapping[str, object], person_id: str) -> str | None:
    """Why this card action may not go ahead for `person_id`, or None.

    Every card sent to one person names them in `for`: a click by anyone else is refused. Handlers act only
    on the person acting, so data without `for` (a card meant for everyone, a typed command) can change
    nothing but the actor's own things."""
    addressee = data.get(ADDRESSEE)
    if addressee is not None and addressee != person_id:
        return "This card is someone else's, so nothing was changed. Say 'help' to get your own."
    return None
