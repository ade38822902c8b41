"""The Bot Connector REST API, just the two calls proactive delivery needs, over aiohttp.

We call it directly rather than through botbuilder's adapter so that throttling is visible: the status,
Teams' error code and `Retry-After` come back as a `bot.delivery.retry.PeerError`."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.delivery.retry import PeerError, Transient, classify, parse_retry_after
from bot.delivery.tokens import TokenSource

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def activity_id(organization_id: str, idempotency_key: str) -> str:
    """The id every attempt of one outbox row carries, so a receiver can tell a re-send from a new message."""
    return "pl-" + hashlib.sha256(f"{organization_id}:{idempotency_key}".encode()).hexdigest()[:32]


def card_activity(card: dict[str, Any], summary: str, client_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": client_id,
        "summary": summary,
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
        "channelData": {"notification": {"alert": True}},
    }


async def _error(response: aiohttp.ClientResponse) -> PeerError:
    code, message = "", ""
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        body = None
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            code, message = str(error.get("code", "")), str(error.get("message", ""))[:500]
    return classify(response.status, code, message, parse_retry_after(response.headers.get("Retry-After")))


async def request_json(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    tokens: TokenSource,
    body: dict[str, Any] | None,
    seconds: float = 30.0,
) -> dict[str, Any]:
    """One call; a non-2xx answer, a timeout or a dropped connection raises a classified `PeerError`."""
    headers = {"Content-Type": "application/json"}
    token = await tokens.token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with http.request(
            method,
            url,
            json=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=seconds, connect=min(seconds, 10)),
        ) as response:
            if response.status >= 300:
                raise await _error(response)
            text = await response.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        # The request may or may not have reached the peer: retrying can duplicate, not retrying can lose.
        raise Transient(0, type(exc).__name__, str(exc)[:300]) from exc
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


class BotConnector:
    def __init__(self, http: aiohttp.ClientSession, tokens: TokenSource, timeout: float = 30.0) -> None:
        self.http, self.tokens, self.timeout = http, tokens, timeout

    async def create_personal_conversation(
        self, service_url: str, bot_id: str, tenant_id: str, teams_user_id: str
    ) -> str:
        """`POST /v3/conversations`: the 1:1 chat with a person (Teams returns the existing one if any)."""
        body = {
            "bot": {"id": bot_id},
            "members": [{"id": teams_user_id}],
            "isGroup": False,
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        data = await request_json(
            self.http, "POST", f"{service_url.rstrip('/')}/v3/conversations", self.tokens, body, self.timeout
        )
        conversation = str(data.get("id", ""))
        if not conversation:
            raise Transient(
                200, "NoConversationId", "The Bot Connector created a conversation without an id."
            )
        return conversation

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        """`POST /v3/conversations/{id}/activities`; returns the id Teams gave the message."""
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        data = await request_json(self.http, "POST", url, self.tokens, activity, self.timeout)
        return str(data.get("id", ""))
