"""The whole Teams journey through Microsoft's M365 Agents Playground, against the real server process.

install → consent → profile → facilitator set-up → match now → accept on both sides → check-in → report.

Alex (the Playground's current user) installs the app in the team and so facilitates it; he acts on the
channel's cards and @mentions the bot there. Megan joins the team, which makes the bot open a 1:1 chat with
her through the Bot Connector; she acts there. The Playground checks every click: the conversation must
exist, `from.id` must be one of its members (a personal chat has only its owner) and `replyToId` must be a
message the bot sent into that very conversation (a post at a channel's root lives in its own thread,
`<channel>;messageid=<id>`).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "tests" / "e2e" / "node" / "node_modules" / ".bin" / "agentsplayground"
CONFIG = ROOT / "tests" / "e2e" / "playground.yml"
ALEX, MEGAN = "user-id-0", "user-id-1"  # the mock users of playground.yml (Alex is its current user)
TEAM = "team-id"  # the team's General channel has the team's id
BOT_ID = "00000000-0000-0000-0000-00000000000011"
CARD = "application/vnd.microsoft.card.adaptive"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the Agents Playground"),
    pytest.mark.skipif(
        not PLAYGROUND.exists(), reason="needs the Agents Playground: `npm ci` in tests/e2e/node"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_for(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def _spawn(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
    """Starting a process takes a moment; doing it outside the event loop's coroutines keeps ruff's ASYNC rule."""
    return subprocess.Popen(*args, **kwargs)


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[str]:
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
        "PORT": str(port),
        "LOG_FORMAT": "text",
    }
    env.pop("MicrosoftAppId", None)
    server = _spawn([sys.executable, "-m", "peerlearn.cli", "serve"], cwd=tmp_path, env=env)
    pg_env = os.environ | {
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(CONFIG),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(tmp_path / "playground.log"),
    }
    command = [
        str(PLAYGROUND),
        "-e",
        f"http://127.0.0.1:{port}/api/messages",
        "-c",
        "msteams",
        "-p",
        str(_free_port()),
    ]
    tool = _spawn(
        [*command, "--disable-telemetry"], cwd=tmp_path, env=pg_env, stdout=subprocess.PIPE, text=True
    )
    try:
        await _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert tool.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(tool.stdout.readline), 60)
        match = re.search(r"Listening on (\d+)", line)
        assert match, line
        base = f"http://127.0.0.1:{match.group(1)}"
        await _wait_for(f"{base}/_debug/ping")
        yield base
    finally:
        for process in (tool, server):
            process.terminate()
            process.wait(timeout=10)
        if tool.stdout is not None:
            tool.stdout.close()


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

    async def say(self, user: str, conversation: str, text: str) -> tuple[str, str, dict[str, Any]]:
        """Type into a chat; in a channel the bot must be @mentioned, and it answers in the new thread."""
        count = len(self.cards)
        body: dict[str, Any] = {"from": {"id": user}, "text": text, "textFormat": "plain"}
        if conversation == TEAM:
            body |= {
                "text": f"<at>peerlearn</at> {text}",
                "mentions": [{"mentioned": {"id": BOT_ID}, "text": "<at>peerlearn</at>"}],
            }
        async with self.session.post(
            f"{self.base}/_conversation/v1/conversations/{conversation}/messages", json=body
        ) as r:
            assert r.status < 300, await r.text()
            where = str((await r.json()).get("postConversationId") or conversation)
        return await self.card(where, count)

    async def click(
        self, user: str, conversation: str, message_id: str, verb: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """An `Action.Execute` button pressed on the card message `message_id`; returns the refreshed card."""
        body = {
            "name": "adaptiveCard/action",
            "conversation": {"id": conversation},
            "from": {"id": user},
            "replyToId": message_id,
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
        }
        async with self.session.post(f"{self.base}/_conversation/v1/invoke", json=body) as r:
            answer = await r.json()
            assert r.status == 200, answer
        assert answer.get("type") == CARD, answer
        return dict(answer["value"])

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


def _data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    text = json.dumps(card)
    for match in re.finditer(
        r'\{"type": "Action.Execute"[^{}]*"verb": "' + re.escape(verb) + r'", "data": (\{[^{}]*\})', text
    ):
        return dict(json.loads(match.group(1)))
    raise AssertionError(f"no {verb} in {text[:2000]}")


def _text(card: dict[str, Any]) -> str:
    return json.dumps(card)


async def test_the_journey_from_install_to_report_in_the_agents_playground(playground: str) -> None:
    async with aiohttp.ClientSession() as session:
        pg = Playground(session, playground)
        listener = asyncio.create_task(pg.listen())
        try:
            # Alex installs the app in the team: he becomes the facilitator; the channel gets the invitation.
            async with session.post(f"{playground}/_debug/conversation/{TEAM}/installation", json={}) as r:
                assert r.status < 300
            channel, invite_id, invite = await pg.card(TEAM)
            join = _data(invite, "join")
            program = {"program_id": join["program_id"]}

            # Megan joins the team: the bot opens a 1:1 chat with her and welcomes her there.
            await pg.add_to_team(MEGAN)
            megan_chat = await pg.chat_created_with(MEGAN)
            _, welcome_id, welcome = await pg.card(megan_chat)
            assert "Code of conduct" in _text(welcome)
            assert _data(welcome, "join") == join

            # Consent and profile: Alex on the channel's card, Megan in her chat. A mistake comes back first.
            places = {ALEX: (channel, invite_id), MEGAN: (megan_chat, welcome_id)}
            profiles = {
                ALEX: {"teach_skill_0": "Python", "teach_level_0": "5", "learn_skill_0": "Kubernetes"},
                MEGAN: {"teach_skill_0": "Kubernetes", "teach_level_0": "5", "learn_skill_0": "Python"},
            }
            for user, profile in profiles.items():
                where, message = places[user]
                profile |= {"learn_level_0": "2"}
                assert "You accepted" in _text(await pg.click(user, where, message, "join", join))
                mistake = await pg.click(
                    user, where, message, "profile.save", profile | {"hours_per_month": "500"}
                )
                assert "is not a whole number from 0 to 80" in _text(mistake)
                assert "500" in _text(mistake)  # what was typed is kept
                saved = await pg.click(
                    user, where, message, "profile.save", profile | {"hours_per_month": "4"}
                )
                assert "Saved" in _text(saved)

            # Facilitator set-up of the team's program; Megan may not.
            setup = program | {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
            refused = await pg.click(MEGAN, megan_chat, welcome_id, "setup.save", setup)
            assert "Not allowed" in _text(refused)
            assert "Saved" in _text(await pg.click(ALEX, channel, invite_id, "setup.save", setup))

            # `match now`, typed in the channel with an @mention.
            _, _, result = await pg.say(ALEX, TEAM, "match now")
            assert "Proposals" in _text(result), _text(result)

            # Both accept, each from their own status card, refreshed in place into the proposal.
            answers = {}
            for user, where in ((ALEX, TEAM), (MEGAN, megan_chat)):
                thread, status_id, status = await pg.say(user, where, "status")
                view = _data(status, "pairing.view")
                proposal = await pg.click(user, thread, status_id, "pairing.view", view)
                assert "A learning match for you" in _text(proposal) and "Why you two" in _text(proposal)
                accept = _data(proposal, "pairing.accept")
                answers[user] = _text(await pg.click(user, thread, status_id, "pairing.accept", accept))
                again = await pg.click(user, thread, status_id, "pairing.accept", accept)
                assert "Nothing changed" in _text(again)  # a second click on Accept
            assert "You accepted" in answers[ALEX]
            assert "You are matched" in answers[MEGAN]
            assert "teams.microsoft.com/l/meeting/new?attendees=" in answers[MEGAN]
            assert "alexw%40example.com" in answers[MEGAN] or "alexw@example.com" in answers[MEGAN]

            # Megan checks in from her status card.
            thread, status_id, status = await pg.say(MEGAN, megan_chat, "status")
            check_in = await pg.click(MEGAN, thread, status_id, "checkin.open", _data(status, "checkin.open"))
            filled = _data(check_in, "checkin.submit") | {
                "met": "yes",
                "usefulness": "5",
                "learned": "Helm",
                "confidential_note": "all good",
            }
            thanks = await pg.click(MEGAN, thread, status_id, "checkin.submit", filled)
            assert "Thanks for checking in" in _text(thanks)

            # Alex reads the report in the channel; Megan may not open it.
            _, _, report = await pg.say(ALEX, TEAM, "report")
            assert "Meetings held" in _text(report) and "5.0 / 5" in _text(report), _text(report)
            assert "Not allowed" in _text(
                await pg.click(MEGAN, megan_chat, welcome_id, "report.open", program)
            )
        finally:
            listener.cancel()
