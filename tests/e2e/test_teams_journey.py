"""The whole Teams journey through Microsoft's M365 Agents Playground, against the real server process.

install → consent → profile → facilitator set-up → match now → accept on both sides → check-in → report.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
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
CHAT = "personal-chat"
ALEX, MEGAN = "user-id-0", "user-id-1"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not PLAYGROUND.exists(), reason="needs the Agents Playground: `npm ci` in tests/e2e/node"
    ),
    pytest.mark.skip(
        reason="unfinished: install and the welcome card work through the Playground; its invoke API answers "
        "'UserNotFound' for the join click (the `from` of /_conversation/v1/invoke needs more than an id?)"
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


class Chat:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base
        self.messages: list[dict[str, Any]] = []

    async def listen(self) -> None:
        async with self.session.ws_connect(
            f"{self.base.replace('http', 'ws')}/_ws_conversation/v1/conversations/stream"
        ) as ws:
            async for frame in ws:
                data = json.loads(frame.data)
                if data.get("action") == "createMessage":
                    self.messages.append(data["message"])

    async def card(self, after: int) -> tuple[str, dict[str, Any]]:
        for _ in range(100):
            for message in self.messages[after:]:
                for attachment in message.get("attachments") or []:
                    if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                        return str(message.get("messageId") or message.get("id")), attachment["content"]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no card after message {after}: {self.messages[after:]}")

    async def say(self, user: str, text: str) -> tuple[str, dict[str, Any]]:
        count = len(self.messages)
        body = {"from": {"id": user}, "text": text, "textFormat": "plain"}
        async with self.session.post(
            f"{self.base}/_conversation/v1/conversations/{CHAT}/messages", json=body
        ) as r:
            assert r.status < 300, await r.text()
        return await self.card(count)

    async def click(self, user: str, reply_to: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        body = {
            "name": "adaptiveCard/action",
            "conversation": {"id": CHAT},
            "from": {"id": user},
            "replyToId": reply_to,
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
        }
        async with self.session.post(f"{self.base}/_conversation/v1/invoke", json=body) as r:
            answer = await r.json()
        return dict(answer.get("body", answer).get("value") or answer)


def _data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    text = json.dumps(card)
    for match in re.finditer(
        r'\{"type": "Action.Execute"[^{}]*"verb": "' + re.escape(verb) + r'", "data": (\{[^{}]*\})', text
    ):
        return dict(json.loads(match.group(1)))
    raise AssertionError(f"no {verb} in {text[:2000]}")


async def test_the_journey_from_install_to_report_in_the_agents_playground(playground: str) -> None:
    async with aiohttp.ClientSession() as session:
        chat = Chat(session, playground)
        listener = asyncio.create_task(chat.listen())
        try:
            async with session.post(f"{playground}/_debug/conversation/{CHAT}/installation", json={}) as r:
                assert r.status < 300
            card_id, welcome = await chat.card(0)
            assert "Code of conduct" in json.dumps(welcome)
            join = _data(welcome, "join")
            profiles = {
                ALEX: {
                    "teach_skill_0": "Python",
                    "teach_level_0": "5",
                    "learn_skill_0": "Kubernetes",
                    "learn_level_0": "2",
                },
                MEGAN: {
                    "teach_skill_0": "Kubernetes",
                    "teach_level_0": "5",
                    "learn_skill_0": "Python",
                    "learn_level_0": "2",
                },
            }
            for user, profile in profiles.items():
                assert "You accepted" in json.dumps(await chat.click(user, card_id, "join", join))
                mistake = await chat.click(
                    user, card_id, "profile.save", profile | {"hours_per_month": "500"}
                )
                assert "is not a whole number from 0 to 80" in json.dumps(mistake)
                assert "Saved" in json.dumps(
                    await chat.click(user, card_id, "profile.save", profile | {"hours_per_month": "4"})
                )
            setup = {
                "kind": "peer_pairs",
                "cadence": "weekly",
                "group_size": "2",
                "program_id": join["program_id"],
            }
            assert "Saved" in json.dumps(await chat.click(ALEX, card_id, "setup.save", setup))
            _, result = await chat.say(ALEX, "match now")
            assert "Proposals" in json.dumps(result)
            status_id, status = await chat.say(MEGAN, "status")
            pairing = _data(status, "pairing.view")
            assert "You accepted" in json.dumps(await chat.click(ALEX, status_id, "pairing.accept", pairing))
            intro = json.dumps(await chat.click(MEGAN, status_id, "pairing.accept", pairing))
            assert "teams.microsoft.com/l/meeting/new?attendees=" in intro
            answer = pairing | {
                "met": "yes",
                "usefulness": "5",
                "learned": "Helm",
                "confidential_note": "all good",
            }
            assert "Thanks for checking in" in json.dumps(
                await chat.click(MEGAN, status_id, "checkin.submit", answer)
            )
            report = json.dumps(
                await chat.click(ALEX, status_id, "report.open", {"program_id": join["program_id"]})
            )
            assert "Meetings held" in report and "5.0 / 5" in report
        finally:
            listener.cancel()
