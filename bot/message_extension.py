"""The search-based message extension: "find someone who can help with …" from the compose box.

Teams sends an `invoke` named `composeExtension/query` for the manifest's command `findHelp` with the
parameter `skill` (or `initialRun` when the person opens the command, before typing) and waits at most
5 seconds. The answer is a `composeExtension` result: a list of Adaptive Cards, each with a thumbnail card as
its preview in the list, or a plain message (someone peerlearn does not know yet, nothing typed, nothing
found). Results are read in one unit of work (`core.views.expert_search`): only colleagues of the asker's
own organization who chose to be findable, and shared learning notes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Attachment
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)

from adaptive_cards import notes as note_cards
from adaptive_cards.elements import Card
from bot.actions.context import Services
from bot.forms import plain
from bot.turns import actor_of
from core.ports import UnitOfWork
from core.views import expert_search

log = logging.getLogger("peerlearn.bot")

QUERY = "composeExtension/query"
COMMAND = "findHelp"
PARAMETER = "skill"
INITIAL_RUN = "initialRun"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
PREVIEW_TEXT = 120

SAY_HI = (
    "peerlearn does not know you yet. Open peerlearn in a 1:1 chat and say hi, then search again: "
    "colleagues are found within your own organization."
)
TYPE_A_SKILL = (
    "Type a skill, e.g. Kubernetes or Excel, to find colleagues who chose to help with it and what "
    "others learned about it."
)
FAILED = "The search did not work this time; nothing was changed. Try again in a moment."


def _message(text: str) -> MessagingExtensionResponse:
    return MessagingExtensionResponse(compose_extension=MessagingExtensionResult(type="message", text=text))


def _item(card: Card, title: str, text: str) -> MessagingExtensionAttachment:
    short = text if len(text) <= PREVIEW_TEXT else text[: PREVIEW_TEXT - 1].rstrip() + "…"
    preview = Attachment(content_type=THUMBNAIL, content={"title": title, "text": short})
    return MessagingExtensionAttachment(content_type=CARD_TYPE, content=card, preview=preview)


def _results(found: expert_search.Found) -> MessagingExtensionResponse:
    items = [
        _item(
            note_cards.expert_card(expert, found.skill),
            expert.display_name,
            f"{expert.skill}: level {expert.level} of 5"
            + (f" · {expert.department}" if expert.department else ""),
        )
        for expert in found.experts
    ]
    items += [
        _item(
            note_cards.shared_note_card(note),
            f"Learning note: {', '.join(note.skills)}",
            note.text,
        )
        for note in found.notes
    ]
    if not items:
        return _message(
            f"Nobody who chose to be findable teaches {found.skill} yet, and nobody shared a note about it."
        )
    return MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(type="result", attachment_layout="list", attachments=items)
    )


def _parameters(value: Mapping[str, Any]) -> dict[str, str]:
    found = value.get("parameters")
    parameters: dict[str, str] = {}
    for parameter in found if isinstance(found, list) else []:
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
            parameters[parameter["name"]] = plain(parameter.get("value")) or ""
    return parameters


def _skip(value: Mapping[str, Any]) -> int:
    options = value.get("queryOptions")
    skip = plain(options.get("skip")) if isinstance(options, dict) else None
    return int(skip) if skip is not None and skip.isdigit() else 0


class MessageExtension:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def answer(self, turn_context: TurnContext) -> InvokeResponse:
        # The response is the model object, not a dict: botbuilder 4.17.1's CloudAdapter cannot serialize a
        # dict body (see TOOLS.md), which the stock `on_teams_messaging_extension_query` path produces.
        return InvokeResponse(status=200, body=await self.on_teams_messaging_extension_query(turn_context))

    async def on_teams_messaging_extension_query(
        self, turn_context: TurnContext
    ) -> MessagingExtensionResponse:
        activity = turn_context.activity
        value: Mapping[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        command = plain(value.get("commandId")) or ""
        if command != COMMAND:
            return _message(f"peerlearn has no search called '{command[:40]}'. Use 'Find help'.")
        if _skip(value) > 0:  # one page holds every result: nothing more when Teams scrolls for more
            return MessagingExtensionResponse(
                compose_extension=MessagingExtensionResult(
                    type="result", attachment_layout="list", attachments=[]
                )
            )
        actor = actor_of(activity)
        if actor is None:
            return _message(SAY_HI)
        parameters = _parameters(value)
        text = "" if INITIAL_RUN in parameters else parameters.get(PARAMETER, "")

        async def read(uow: UnitOfWork) -> expert_search.Answer:
            return await expert_search.search(uow, actor.tenant_id, actor.aad_object_id, text)

        try:
            answer = await self.services.bus.read(read)
        except Exception:  # a search never fails the compose box: the person is told, and can retry
            log.exception("message extension search failed")
            return _message(FAILED)
        if isinstance(answer, expert_search.Unknown):
            return _message(SAY_HI)
        if isinstance(answer, expert_search.Prompt):
            return _message(f"{answer.problem} {TYPE_A_SKILL}".strip())
        return _results(answer)
