"""`POST /api/messages`: refuse what the Bot Framework would never send, then hand the activity to botbuilder.

| what arrives | answer |
| --- | --- |
| no, or a malformed, `Authorization` header (with an app id) | 401 before the body is read |
| a token the channel did not sign for us (see `bot.auth`) | 401 before the body is parsed |
| not `application/json` | 415 |
| larger than `MAX_REQUEST_BYTES` | 413 (aiohttp's `client_max_size`) |
| not JSON (nested too deep included), not an object, not an activity, no `type` | 400 |
| a field of the wrong type in `from`, `recipient`, `conversation`, `channelData` | 400 |
| a token for another `serviceUrl` or channel than the activity's | 401 |
| the channel's keys cannot be fetched | 503 |
| an invoke no handler claims (botbuilder's 501) | 400 |

Each refusal is one warning in the log with its reason, never the token, and nothing reaches the bot.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)

from bot.auth import ChannelTokenValidator, KeysUnavailable, Unauthorized

log = logging.getLogger("peerlearn.bot.http")
ACCOUNTS = ("from", "recipient", "conversation")
TEXT_FIELDS = ("id", "channelId", "serviceUrl", "name", "text", "locale", "replyToId", "timestamp")
ACCOUNT_TEXT = ("id", "name", "aadObjectId", "role", "conversationType", "tenantId")
CHANNEL_DATA_OBJECTS = ("tenant", "team", "channel", "settings", "eventType")


def _shape_error(payload: dict[str, Any]) -> str | None:
    """Why the activity's nested objects are not what Teams sends, or None. Code downstream reads
    `from.aadObjectId` or `channelData.tenant.id` as text: a number or a list there must stop at the door."""
    for name in ACCOUNTS:
        account = payload[name]
        for key in ACCOUNT_TEXT:
            if account.get(key) is not None and not isinstance(account[key], str):
                return f"the activity's '{name}.{key}' is not text"
        if account.get("isGroup") is not None and not isinstance(account["isGroup"], bool):
            return f"the activity's '{name}.isGroup' is not true or false"
    channel_data = payload.get("channelData")
    if channel_data is None:
        return None
    if not isinstance(channel_data, dict):
        return "the activity's 'channelData' is not an object"
    for key in CHANNEL_DATA_OBJECTS:
        value = channel_data.get(key)
        if key == "eventType":
            if value is not None and not isinstance(value, str):
                return "the activity's 'channelData.eventType' is not text"
            continue
        if value is None:
            continue
        if not isinstance(value, dict):
            return f"the activity's 'channelData.{key}' is not an object"
        if value.get("id") is not None and not isinstance(value["id"], str):
            return f"the activity's 'channelData.{key}.id' is not text"
    entities = payload.get("entities")
    if entities is not None and (
        not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities)
    ):
        return "the activity's 'entities' is not a list of objects"
    return None


def _refuse(request: web.Request, status: int, reason: str, message: str) -> web.Response:
    log.warning(
        "bot request refused",
        extra={"status": status, "reason": reason, "remote": request.remote or ""},
    )
    return web.json_response({"error": message}, status=status)


def _unauthorized(request: web.Request, reason: str) -> web.Response:
    response = _refuse(
        request, 401, reason, "This endpoint only accepts requests signed by the Bot Framework."
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="peerlearn"'
    return response


async def _activity(request: web.Request) -> Activity | str:
    """The posted activity, or why the body is not one."""
    if request.content_type != "application/json":
        return f"content type '{request.content_type[:60]}' is not application/json"
    body = await request.read()  # over client_max_size: HTTPRequestEntityTooLarge, a 413
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "the body is not JSON"
    except RecursionError:
        return "the body is nested too deeply to be an activity"
    if not isinstance(payload, dict):
        return "the body is not a JSON object"
    if not isinstance(payload.get("type"), str) or not payload["type"]:
        return "the activity has no type"
    # msrest would turn a number or an object into text here; an activity never carries one.
    for name in TEXT_FIELDS:
        if payload.get(name) is not None and not isinstance(payload[name], str):
            return f"the activity's '{name}' is not text"
    for name in ("channelId", "serviceUrl"):
        if not payload.get(name):
            return f"the activity has no '{name}'"
    for name in ACCOUNTS:  # the channel always says who speaks, to whom, and where
        account = payload.get(name)
        if not isinstance(account, dict) or not isinstance(account.get("id"), str) or not account["id"]:
            return f"the activity's '{name}' has no id"
    shape = _shape_error(payload)
    if shape is not None:
        return shape
    try:
        activity: Activity = Activity().deserialize(payload)
    except Exception:  # msrest raises several kinds (RecursionError too) for values of the wrong type
        return "the body is not a Bot Framework activity"
    return activity


class MessagesEndpoint:
    def __init__(
        self,
        adapter: CloudAdapter,
        bot: Bot,
        authentication: BotFrameworkAuthentication,
        gate: ChannelTokenValidator | None,
        caller_id: str | None,
    ) -> None:
        self.adapter, self.bot, self.authentication = adapter, bot, authentication
        self.gate, self.caller_id = gate, caller_id

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        verified = None
        if self.gate is not None:
            try:
                verified = await self.gate.verify(header)
            except Unauthorized as refused:
                return _unauthorized(request, refused.reason)
            except KeysUnavailable:
                return web.json_response(
                    {"error": "The bot cannot check who is calling right now; try again shortly."}, status=503
                )
        activity = await _activity(request)
        if isinstance(activity, str):
            status = 415 if activity.startswith("content type") else 400
            return _refuse(request, status, activity, f"This is not a Bot Framework activity: {activity}.")
        auth: str | AuthenticateRequestResult = header
        if self.gate is not None and verified is not None:
            try:
                claims = self.gate.bind(verified, activity.channel_id or "", activity.service_url or "")
            except Unauthorized as refused:
                return _unauthorized(request, refused.reason)
            auth = self._authenticated(claims)
        invoke_response = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        if invoke_response and invoke_response.status == 501:
            # botbuilder's answer to an invoke no handler claims: the client asked for something this bot
            # does not do, which is not a server error.
            name = activity.name if isinstance(activity.name, str) else ""
            return web.json_response(
                {"error": f"This bot does not handle '{name[:60]}' invokes."}, status=400
            )
        if invoke_response:
            return web.json_response(
                data=serializer_helper(invoke_response.body), status=invoke_response.status
            )
        return web.Response(status=201)

    def _authenticated(self, claims: dict[str, Any]) -> AuthenticateRequestResult:
        """What botbuilder's own `authenticate_request` returns for a channel token, without re-checking it."""
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self.authentication.get_originating_audience()
        result.caller_id = self.caller_id
        result.connector_factory = self.authentication.create_connector_factory(identity)
        return result
