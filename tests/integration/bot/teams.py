"""Teams-shaped activities, posted to the bot's /api/messages as Teams would."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from core.model.outbox import OutboxStatus
from peerlearn.app import RUNTIME
from storage.models import OutboxRow

TENANT = "tenant-a"


@dataclass(frozen=True)
class User:
    key: str
    tenant: str = TENANT

    @property
    def id(self) -> str:
        return f"29:{self.key}"

    @property
    def account(self) -> dict[str, Any]:
        return {"id": self.id, "aadObjectId": f"aad-{self.key}", "name": self.key.title()}

    @property
    def member(self) -> dict[str, Any]:
        return self.account | {
            "userPrincipalName": f"{self.key}@contoso.example",
            "email": f"{self.key}@contoso.example",
            "tenantId": self.tenant,
        }

    @property
    def chat(self) -> str:
        return f"a:personal-{self.id}"


BOT = {"id": "28:peerlearn-bot", "name": "peerlearn"}


class Teams:
    """Sends activities from users to the bot; `service_url` points at the fake connector."""

    def __init__(self, client: TestClient[Any, Any], service_url: str) -> None:
        self.client = client
        self.service_url = service_url

    def activity(
        self, user: User, kind: str, *, team: str | None = None, group: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        channel_data: dict[str, Any] = {"tenant": {"id": user.tenant}}
        if group is not None:
            conversation = {
                "id": group,
                "conversationType": "groupChat",
                "tenantId": user.tenant,
                "isGroup": True,
            }
        elif team is not None:
            channel_data |= {"team": {"id": team, "name": "Platform"}, "channel": {"id": team}}
            conversation = {
                "id": team,
                "conversationType": "channel",
                "tenantId": user.tenant,
                "isGroup": True,
            }
        else:
            conversation = {"id": user.chat, "conversationType": "personal", "tenantId": user.tenant}
        return {
            "type": kind,
            "id": uuid.uuid4().hex,
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": user.account,
            "recipient": BOT,
            "conversation": conversation,
            "channelData": channel_data,
            **extra,
        }

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        response = await self.client.post("/api/messages", json=activity)
        body = await response.json() if response.content_type == "application/json" else await response.text()
        return response.status, body

    async def delivered(self, seconds: float = 15.0) -> None:
        """Wait until the app's outbox sender has sent everything queued so far: a test that counts the
        cards in a chat must not race the sender still delivering an earlier turn's messages."""
        engine = self.client.app[RUNTIME].engine
        for _ in range(int(seconds / 0.1)):
            async with engine.connect() as connection:
                pending = await connection.scalar(
                    select(func.count()).where(OutboxRow.status == OutboxStatus.PENDING.value)
                )
            if not pending:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{pending} outbox messages still pending after {seconds} s")

    async def say(self, user: User, text: str, *, team: str | None = None, group: str | None = None) -> int:
        status, _ = await self.post(self.activity(user, "message", team=team, group=group, text=text))
        return status

    async def click(
        self,
        user: User,
        verb: str,
        data: dict[str, Any] | None = None,
        *,
        team: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        """An `Action.Execute`: returns the card the bot answers with."""
        status, body = await self.post(self.invoke(user, verb, data, team=team, group=group))
        assert status == 200, body
        assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
        return dict(body["value"])

    def invoke(
        self,
        user: User,
        verb: str,
        data: dict[str, Any] | None = None,
        *,
        team: str | None = None,
        group: str | None = None,
    ) -> dict[str, Any]:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data or {}}, "trigger": "manual"}
        return self.activity(user, "invoke", team=team, group=group, name="adaptiveCard/action", value=value)

    def file_consent(
        self, user: User, context: dict[str, Any], *, accept: bool = True, name: str = "my-data.json"
    ) -> dict[str, Any]:
        """The person's answer to a file consent card: on accept, Teams gives an upload URL in their OneDrive
        (here: the fake connector's `/upload/{name}`)."""
        value: dict[str, Any] = {
            "type": "fileUpload",
            "action": "accept" if accept else "decline",
            "context": context,
        }
        if accept:
            value["uploadInfo"] = {
                "name": name,
                "uploadUrl": f"{self.service_url}upload/{name}",
                "contentUrl": f"https://contoso.sharepoint.example/personal/{user.key}/{name}",
                "uniqueId": f"unique-{name}",
                "fileType": "json",
            }
        return self.activity(user, "invoke", name="fileConsent/invoke", value=value)

    def search(self, user: User, dataset: str, query: str, **options: int) -> dict[str, Any]:
        """Teams' typeahead asking for choices (`application/search`)."""
        value = {"queryText": query, "dataset": dataset, "queryOptions": {"skip": 0, "top": 15} | options}
        return self.activity(user, "invoke", name="application/search", value=value)

    async def install(self, user: User) -> int:
        status, _ = await self.post(self.activity(user, "conversationUpdate", membersAdded=[BOT]))
        return status


def card_text(card: dict[str, Any]) -> str:
    """All visible text of a card, for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label", "value", "placeholder"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(parts)


def action_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the first `Action.Execute` with this verb anywhere in the card."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute" and node.get("verb") == verb:
                found.append(node.get("data") or {})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    assert found, f"no '{verb}' action in the card:\n{card_text(card)}"
    return found[0]
