"""Driving Microsoft's M365 Agents Playground against the real server process, as several Teams users.

Shared by the Playground tests: `run_playground` starts the server and the Playground (with a mock tenant
from a `.m365agentsplayground.yml`); `Playground` types, clicks and hears every message the bot sends.

The Playground checks every click: the conversation must exist, `from.id` must be one of its members (a
personal chat has only its owner) and `replyToId` must be a message the bot sent into that very
conversation (a post at a channel's root lives in its own thread, `<channel>;messageid=<id>`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest
import yarl
from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "tests" / "e2e" / "node" / "node_modules" / ".bin" / "agentsplayground"
CONFIG = ROOT / "tests" / "e2e" / "playground.yml"
ALEX, MEGAN = "user-id-0", "user-id-1"  # the mock users of playground.yml (Alex is its current user)
TEAM = "team-id"  # the team's General channel has the team's id
GROUP_CHAT = "group-chat"
PERSONAL_CHAT = "personal-chat"  # the current user's (Alex's) 1:1 chat with the bot, from playground.yml
BOT_ID = "00000000-0000-0000-0000-00000000000011"
CARD = "application/vnd.microsoft.card.adaptive"

NEEDS_PLAYGROUND = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the Agents Playground"),
    pytest.mark.skipif(
        not PLAYGROUND.exists(), reason="needs the Agents Playground: `npm ci` in tests/e2e/node"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            with contextlib.suppress(aiohttp.ClientError):  # not listening yet: ask again shortly
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def _spawn(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
    """Starting a process takes a moment; doing it outside the event loop's coroutines keeps ruff's ASYNC rule."""
    return subprocess.Popen(*args, **kwargs)


@dataclass(frozen=True)
class Running:
    base: str  # the Playground
    bot: str  # the bot's own server: `{bot}/api/messages`


@contextlib.asynccontextmanager
async def serve(tmp_path: Path, **settings: str) -> AsyncIterator[str]:
    """`peerlearn serve` on a free port, SQLite in `tmp_path`, no MicrosoftAppId unless `settings` set one;
    yields its base URL once `/healthz` answers."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
        "PORT": str(port),
        "LOG_FORMAT": "text",
    }
    env.pop("MicrosoftAppId", None)
    server = _spawn([sys.executable, "-m", "peerlearn.cli", "serve"], cwd=tmp_path, env=env | settings)
    try:
        await wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.asynccontextmanager
async def run_playground(
    tmp_path: Path, config: Path = CONFIG, wiretap: Wiretap | None = None
) -> AsyncIterator[Running]:
    """The server (see `serve`) and the Playground in front of it (through `wiretap`, when given)."""
    async with serve(tmp_path) as bot:
        pg_env = os.environ | {
            "TEAMSAPPTESTER_BROWSER": "none",
            "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
            "M365_AGENTS_PLAYGROUND_LOGFILE": str(tmp_path / "playground.log"),
        }
        endpoint = bot if wiretap is None else await wiretap.start(bot)
        command = [str(PLAYGROUND), "-e", f"{endpoint}/api/messages", "-c", "msteams", "-p", str(free_port())]
        tool = _spawn(
            [*command, "--disable-telemetry"], cwd=tmp_path, env=pg_env, stdout=subprocess.PIPE, text=True
        )
        try:
            assert tool.stdout is not None
            line = await asyncio.wait_for(asyncio.to_thread(tool.stdout.readline), 60)
            match = re.search(r"Listening on (\d+)", line)
            assert match, line
            base = f"http://127.0.0.1:{match.group(1)}"
            await wait_for(f"{base}/_debug/ping")
            yield Running(base=base, bot=bot)
        finally:
            tool.terminate()
            tool.wait(timeout=10)
            if tool.stdout is not None:
                tool.stdout.close()
            if wiretap is not None:
                await wiretap.stop()


@dataclass(frozen=True)
class ConnectorCall:
    """One call the bot made to the Bot Connector (the Playground's `/_connector`), as it went on the wire."""

    method: str
    path: str  # after `/_connector`, e.g. `/v3/conversations/{id}/activities/{reply to}`
    conversation: str | None  # from the path; None for `POST /v3/conversations` (a new chat)
    body: Any
    status: int
    answer: Any

    @property
    def is_message(self) -> bool:
        """A message posted or updated in a conversation (not a member look-up, not a new chat)."""
        return self.conversation is not None and self.method in ("POST", "PUT") and "/activities" in self.path

    @property
    def message_id(self) -> str:
        return str(self.answer.get("id")) if isinstance(self.answer, dict) else ""

    @property
    def shown(self) -> str:
        """Everything a reader of the conversation could see in it (text and attachments), as JSON."""
        body = self.body if isinstance(self.body, dict) else {}
        return json.dumps({"text": body.get("text"), "attachments": body.get("attachments")})


@dataclass(frozen=True)
class InvokeCall:
    """A card action the Playground sent to the bot, and the card the bot answered with (shown in place)."""

    activity: dict[str, Any]
    status: int
    answer: Any

    @property
    def conversation(self) -> str:
        return str((self.activity.get("conversation") or {}).get("id"))

    @property
    def sender(self) -> str:
        return str((self.activity.get("from") or {}).get("id"))

    @property
    def shown(self) -> str:
        return json.dumps(self.answer)


@dataclass(frozen=True)
class Typed:
    """A message someone typed, as it reached the bot."""

    activity: dict[str, Any]

    @property
    def conversation(self) -> str:
        return str((self.activity.get("conversation") or {}).get("id"))

    @property
    def sender(self) -> str:
        return str((self.activity.get("from") or {}).get("id"))

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")


_CONVERSATION_PATH = re.compile(r"^/v3/conversations/([^/]+)(/.*)?$")


class Wiretap:
    """A proxy between the Playground and the bot that records where every answer of the bot went.

    The Playground's own log names the conversation only when the bot's activity carries one, and the
    delivery worker's proactive messages do not (the Bot Connector takes it from the URL). So activities to
    the bot get this proxy as their `serviceUrl`; every call the bot makes to the connector then passes here
    on its way to the Playground and is recorded with its URL: nothing the bot sends can go unseen."""

    def __init__(self) -> None:
        self.calls: list[ConnectorCall] = []
        self.invokes: list[InvokeCall] = []
        self.typed: list[Typed] = []
        self.events: list[ConnectorCall | InvokeCall | Typed] = []  # all three, in the order they happened
        self._connector = ""  # the Playground's, from the first activity
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self, bot: str) -> str:
        """Listens on a free port and forwards to `bot`; returns its own base URL."""
        self._bot = bot
        self._session = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=1 << 24)
        app.router.add_route("*", "/_connector/{tail:.*}", self._to_connector)
        app.router.add_route("*", "/{tail:.*}", self._to_bot)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _to_bot(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        raw = await request.read()
        activity: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                activity = json.loads(raw)
        if isinstance(activity, dict) and isinstance(activity.get("serviceUrl"), str):
            self._connector = self._connector or activity["serviceUrl"].rstrip("/")
            activity["serviceUrl"] = f"{self.base}/_connector"
            raw = json.dumps(activity).encode()
        if isinstance(activity, dict) and activity.get("type") == "message":
            self.typed.append(Typed(activity))
            self.events.append(self.typed[-1])
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "authorization")}
        try:
            async with self._session.request(
                request.method, f"{self._bot}{request.path_qs}", data=raw or None, headers=headers
            ) as r:
                body = await r.read()
                status, content_type = r.status, r.headers.get("Content-Type")
        except aiohttp.ClientError as error:  # the bot is shutting down
            return web.Response(status=502, text=type(error).__name__)
        if isinstance(activity, dict) and activity.get("type") == "invoke":
            self.invokes.append(InvokeCall(activity, status, _json_or_text(body)))
            self.events.append(self.invokes[-1])
        return web.Response(body=body, status=status, headers={"Content-Type": content_type or "text/plain"})

    async def _to_connector(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None and self._connector
        raw = await request.read()
        path = request.raw_path.removeprefix("/_connector")  # as the bot encoded it, query included
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "authorization")}
        try:
            async with self._session.request(
                request.method,
                yarl.URL(f"{self._connector}{path}", encoded=True),
                data=raw or None,
                headers=headers,
            ) as r:
                body = await r.read()
                status, content_type = r.status, r.headers.get("Content-Type")
        except aiohttp.ClientError as error:  # the Playground is shutting down
            return web.Response(status=502, text=type(error).__name__)
        match = _CONVERSATION_PATH.match(path.partition("?")[0])
        conversation = unquote(match.group(1)) if match else None
        self.calls.append(
            ConnectorCall(request.method, path, conversation, _json_or_text(raw), status, _json_or_text(body))
        )
        self.events.append(self.calls[-1])
        return web.Response(body=body, status=status, headers={"Content-Type": content_type or "text/plain"})

    def messages(self, after: int = 0) -> list[ConnectorCall]:
        """What the bot posted or updated in a conversation, after the first `after` calls."""
        return [c for c in self.calls[after:] if c.is_message]


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


@dataclass(frozen=True)
class Sent:
    """One activity the bot sent through the Bot Connector, as the Playground logged it."""

    conversation: str  # a post at a channel's root: `<channel>;messageid=<id>`
    message_id: str
    kind: str  # message, updateActivity, createConversation, …
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """Everything a reader could see: the text and every attachment, as JSON."""
        return json.dumps({"text": self.body.get("text"), "attachments": self.body.get("attachments")})


class Playground:
    """Drives the Playground's API as Teams users would, and hears every message the bot sends.

    The conversation stream (`/_ws_conversation/...`) only carries what the Playground's *current* user sees.
    The log stream carries every activity in both directions, so it is where another user's 1:1 chat (created
    by the bot through the Bot Connector) and the ids of the bot's card messages in it can be read.
    """

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base
        self.cards: list[tuple[str, str, dict[str, Any]]] = []  # (conversation id, message id, card)
        self.created: dict[str, str] = {}  # member id → the conversation the bot created with them
        self.sent: list[Sent] = []  # everything the bot sent, in order

    async def listen(self) -> None:
        async with self.session.ws_connect(f"{self.base.replace('http', 'ws')}/_ws/log/stream") as ws:
            async for frame in ws:
                entry = json.loads(frame.data).get("log") or {}
                if entry.get("from") != "User Application":  # the bot's side of the conversation
                    continue
                request = (entry.get("request") or {}).get("body") or {}
                response = (entry.get("response") or {}).get("body") or {}
                if entry.get("activityName") == "createConversation":
                    self.created[request["members"][0]["id"]] = response["id"]
                where, message_id = str(entry.get("conversationId")), str(entry.get("messageId"))
                if where == TEAM:  # a post at a channel's root starts a thread: its own conversation
                    where = f"{TEAM};messageid={message_id}"
                if isinstance(request, dict):
                    self.sent.append(Sent(where, message_id, str(entry.get("activityName")), request))
                for attachment in request.get("attachments") or []:
                    if entry.get("activityName") == "message" and attachment.get("contentType") == CARD:
                        self.cards.append((where, message_id, attachment["content"]))

    async def card(self, conversation: str, after: int = 0) -> tuple[str, str, dict[str, Any]]:
        """The first card the bot sent into `conversation` (or a thread of it) after the first `after` cards:
        where it is, its message id, and the card."""
        for _ in range(150):
            for where, message_id, content in self.cards[after:]:
                if where == conversation or where.startswith(f"{conversation};"):
                    return where, message_id, content
            await asyncio.sleep(0.1)
        raise AssertionError(f"no card in {conversation} after {after}: {self.cards[after:]}")

    async def chat_created_with(self, user: str) -> str:
        for _ in range(150):
            if user in self.created:
                return self.created[user]
            await asyncio.sleep(0.1)
        raise AssertionError(f"the bot never opened a chat with {user}")

    async def post(self, user: str, conversation: str, text: str) -> str:
        """Type into a chat; in a channel or group chat the bot hears only an @mention, so it is @mentioned.
        Returns where the bot is to answer (a channel post starts its own thread)."""
        body: dict[str, Any] = {"from": {"id": user}, "text": text, "textFormat": "plain"}
        if conversation in (TEAM, GROUP_CHAT):
            body |= {
                "text": f"<at>peerlearn</at> {text}",
                "mentions": [{"mentioned": {"id": BOT_ID}, "text": "<at>peerlearn</at>"}],
            }
        async with self.session.post(
            f"{self.base}/_conversation/v1/conversations/{conversation}/messages", json=body
        ) as r:
            assert r.status < 300, await r.text()
            return str((await r.json()).get("postConversationId") or conversation)

    async def say(self, user: str, conversation: str, text: str) -> tuple[str, str, dict[str, Any]]:
        """Type into a chat and wait for the bot's first card there (in a channel: in the new thread)."""
        count = len(self.cards)
        where = await self.post(user, conversation, text)
        return await self.card(where, count)

    async def user(self, user: str) -> dict[str, Any]:
        """A mock user of the Playground's config (its current user included)."""
        async with self.session.get(f"{self.base}/_internal/v1/config") as r:
            config = (await r.json())["config"]
        return dict(next(u for u in [config["currentUser"], *config["users"]] if u["id"] == user))

    async def type_as(
        self, user: dict[str, Any], conversation: str, text: str, *, tenant: str | None = None
    ) -> None:
        """Someone other than the Playground's current user types into a chat.

        The Playground's message API always sends as its current user (Alex), so another member's message
        is the activity Teams would send, posted through the Playground's custom-activity API (from its own
        template: same service URL, conversation and recipient), @mentioning the bot outside a 1:1 chat.
        The bot's answers go back through the Playground's connector like any other."""
        async with self.session.get(
            f"{self.base}/_internal/v1/customActivities/template", params={"conversationId": conversation}
        ) as r:
            activity: dict[str, Any] = await r.json()
            assert r.status < 300, activity
        assert activity["conversation"].get("conversationType") != "channel", "a channel post: use post()"
        tenant = tenant or str(activity["conversation"]["tenantId"])
        personal = activity["conversation"].get("conversationType") == "personal"
        mention = {"type": "mention", "mentioned": {"id": BOT_ID, "name": "peerlearn"}}
        activity |= {
            "type": "message",
            "id": str(uuid.uuid4()),
            "text": text if personal else f"<at>peerlearn</at> {text}",
            "textFormat": "plain",
            "locale": "en-US",
            "from": {"id": user["id"], "name": user["name"], "aadObjectId": user["aadObjectId"]},
            "entities": [] if personal else [mention | {"text": "<at>peerlearn</at>"}],
            "channelData": {"tenant": {"id": tenant}},
        }
        activity["conversation"]["tenantId"] = tenant
        async with self.session.post(f"{self.base}/_internal/v1/customActivities", json=activity) as r:
            assert r.status < 300, await r.text()

    async def click(
        self,
        user: str,
        conversation: str,
        message_id: str,
        verb: str,
        data: dict[str, Any],
        *,
        trigger: str = "manual",
    ) -> dict[str, Any]:
        """An `Action.Execute` button pressed on the card message `message_id` (or, with `trigger="automatic"`,
        the card's refresh as Teams runs it for a user in `refresh.userIds`); returns the card shown instead."""
        body = {
            "name": "adaptiveCard/action",
            "conversation": {"id": conversation},
            "from": {"id": user},
            "replyToId": message_id,
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": trigger},
        }
        async with self.session.post(f"{self.base}/_conversation/v1/invoke", json=body) as r:
            answer = await r.json()
            assert r.status == 200, answer
        assert answer.get("type") == CARD, answer
        return dict(answer["value"])

    async def install(self, conversation: str) -> None:
        """The app added to a chat or team, as Teams announces it (installationUpdate + membersAdded)."""
        async with self.session.post(
            f"{self.base}/_debug/conversation/{conversation}/installation", json={}
        ) as r:
            assert r.status < 300, await r.text()

    async def add_to_team(self, user: str) -> None:
        """A member joins the team: the conversationUpdate Teams sends, from the Playground's own template."""
        async with self.session.get(f"{self.base}/_internal/v1/config") as r:
            users = (await r.json())["config"]["users"]
        member = next(u for u in users if u["id"] == user)
        async with self.session.get(
            f"{self.base}/_internal/v1/customActivities/template",
            params={"conversationId": TEAM, "type": "userAdded"},
        ) as r:
            activity = await r.json()
        activity["membersAdded"] = [{"id": member["id"], "aadObjectId": member["aadObjectId"]}]
        async with self.session.post(f"{self.base}/_internal/v1/customActivities", json=activity) as r:
            assert r.status < 300, await r.text()


def card_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the card's first `Action.Execute` with this verb."""
    text = json.dumps(card)
    for match in re.finditer(
        r'\{"type": "Action.Execute"[^{}]*"verb": "' + re.escape(verb) + r'", "data": (\{[^{}]*\})', text
    ):
        return dict(json.loads(match.group(1)))
    raise AssertionError(f"no {verb} in {text[:2000]}")


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card)
