"""A big round runs in a worker process: the real server keeps answering health checks and card actions.

`peerlearn serve` runs in its own process on a database seeded with thousands of people in study groups of
six (seconds of matching on this machine). The facilitator clicks "Match now"; while that card action is
outstanding, other clients keep asking `/healthz` and clicking `help`. Before matching left the event loop,
none of them was answered until the round was stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from benchmarks.serving_during_round import traffic
from benchmarks.serving_during_round.seed import seed
from core.model import ProgramKind
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import card_text

PEOPLE = 3000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def connector() -> AsyncIterator[str]:
    server = TestServer(FakeConnector().app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/")).rstrip("/") + "/"
    finally:
        await server.close()


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    await seed(database_url, PEOPLE, ProgramKind.STUDY_GROUPS)
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "RUN_WORKER": "false",
        "DATA_DIR": str(tmp_path / "var"),
    }
    env.pop("MicrosoftAppId", None)
    process = subprocess.Popen(  # noqa: ASYNC220 - started once; nothing else runs on this loop yet
        [sys.executable, "-m", "peerlearn.cli", "serve"], cwd=tmp_path, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                with contextlib.suppress(aiohttp.ClientError):  # not listening yet
                    async with http.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            break
                assert process.poll() is None, "the server stopped during start-up"
                await asyncio.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_health_checks_and_card_actions_are_answered_while_a_big_round_matches(
    server: str, connector: str
) -> None:
    health, helps = traffic.Probe("healthz"), traffic.Probe("help")
    stop = asyncio.Event()
    async with aiohttp.ClientSession() as http:
        # Each person's first card action also creates their 1:1 chat row: done before the clock starts.
        for person in range(1, 4):
            async with http.post(
                f"{server}/api/messages", json=traffic.invoke(person, "help", {}, connector)
            ) as response:
                assert response.status == 200, await response.text()
        probes = [
            asyncio.create_task(health.run(http, traffic.health(server), stop, every=0.05)),
            asyncio.create_task(
                helps.run(http, traffic.helps(server, connector, range(1, 4)), stop, every=0.1)
            ),
        ]
        started = time.perf_counter()
        async with http.post(f"{server}/api/messages", json=traffic.match_now(connector)) as response:
            assert response.status == 200, await response.text()
            answer = await response.json()
        finished = time.perf_counter()
        stop.set()
        await asyncio.gather(*probes)

    text = card_text(answer["value"])
    assert "Round 1 of Everyone learns" in text and str(PEOPLE) in text, text  # everyone placed
    during_health = health.between(started, finished)
    during_help = helps.between(started, finished)
    # Answered, not merely sent: before, no request was answered until the round was stored.
    assert len(during_health) >= 3, (finished - started, [a.ms for a in health.answers])
    assert len(during_help) >= 1, (finished - started, [a.ms for a in helps.answers])
    assert all(a.status == 200 for a in during_health + during_help)
