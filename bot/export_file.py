"""The full `my data` export as a file, through Teams' file consent flow in the person's 1:1 chat.

The bot offers the file (a file consent card naming its size); Teams asks the person, and on "Allow" sends
a `fileConsent/invoke` with an upload URL in their OneDrive. The bot then builds the export again from
storage (the card carries no data, only whom it is for), uploads it there, and shows the saved file.
The manifest's bot declares `supportsFiles`, without which Teams offers no file consent at all."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Attachment

from bot.actions.context import Services
from bot.scopes import ADDRESSEE
from bot.turns import actor_of, is_personal, replay_key
from core import commands

log = logging.getLogger("peerlearn.bot")

FILE_CONSENT = "fileConsent/invoke"
CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT = 60
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def file_name(at: datetime) -> str:
    return f"peer-learning-my-data-{at.date().isoformat()}.json"


def export_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


def consent_card(person_id: str, size: int, at: datetime) -> Attachment:
    """Teams' file offer: accepting it lets the bot write the file to the person's OneDrive."""
    context = {ADDRESSEE: person_id}
    return Attachment(
        content_type=CONSENT_CARD,
        name=file_name(at),
        content={
            "description": "Everything peer learning stores about you, as JSON.",
            "sizeInBytes": size,
            "acceptContext": context,
            "declineContext": context,
        },
    )


def _upload_target(url: str) -> bool:
    """Where a file may be written: over https (OneDrive), or plain http on this machine (tests)."""
    parsed = urlsplit(url)
    return parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in LOOPBACK)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def _say(turn_context: TurnContext, message: str) -> InvokeResponse:
    await turn_context.send_activity(MessageFactory.text(message))
    return InvokeResponse(status=200)


async def on_consent(turn_context: TurnContext, services: Services) -> InvokeResponse:
    """The person's answer to the file offer. Only in their own 1:1 chat, only for the person it was offered
    to, and once per activity (Teams retries): the upload is the export as it is now."""
    activity = turn_context.activity
    value = activity.value if isinstance(activity.value, dict) else {}
    actor, key = actor_of(activity), replay_key(activity)
    if actor is None or key is None or not is_personal(activity):
        return InvokeResponse(status=200)
    async with services.bus.unit() as work:
        if not await work.handle(commands.ClaimActivity(key)):
            return InvokeResponse(status=200)
        organization, person = await work.handle(
            commands.ResolveTeamsPerson(actor.tenant_id, actor.aad_object_id, actor.teams_user_id, actor.name)
        )
    context = value.get("context")
    if not isinstance(context, dict) or context.get(ADDRESSEE) != person.id:
        return await _say(turn_context, "That file offer was not yours, so nothing was sent.")
    if value.get("action") != "accept":
        return await _say(turn_context, "I did not send the file. Say 'my data' whenever you want it.")
    found = value.get("uploadInfo")
    upload: dict[str, object] = found if isinstance(found, dict) else {}
    url = _text(upload.get("uploadUrl"))
    if not _upload_target(url):
        return await _say(turn_context, "Teams gave no place to save the file. Say 'my data' to try again.")
    data = await services.bus.handle(commands.ExportMyData(organization.id, person.id))
    body = export_bytes(data)
    headers = {"Content-Range": f"bytes 0-{len(body) - 1}/{len(body)}", "Content-Type": "application/json"}
    try:
        timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.put(url, data=body, headers=headers) as response,
        ):
            stored = response.status in (200, 201)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("export upload failed", extra={"error": type(error).__name__})
        stored = False
    if not stored:
        return await _say(
            turn_context, "Saving the file to your OneDrive failed. Say 'my data' to try again."
        )
    info = Attachment(
        content_type=FILE_INFO_CARD,
        name=_text(upload.get("name")) or file_name(services.clock.now()),
        content_url=_text(upload.get("contentUrl")),
        content={
            "uniqueId": _text(upload.get("uniqueId")),
            "fileType": _text(upload.get("fileType")) or "json",
        },
    )
    await turn_context.send_activity(MessageFactory.attachment(info))
    return InvokeResponse(status=200)
