"""Check-in card actions posted to /api/messages by 100 concurrent clients, beside a bare botbuilder bot.

    .venv/bin/python -m benchmarks.bot.run [--requests 3000] [--clients 100] [--paced 0.5]

SQLite always; PostgreSQL too when PEERLEARN_TEST_POSTGRES_URL names a server (a database is created and
dropped). Each request is a Teams-shaped `adaptiveCard/action` invoke with its own activity id, submitting
a check-in for the sender's active pairing; the reference is a bare `ActivityHandler` on `CloudAdapter`
answering the same invoke with a fixed card, in the same process and run.

Two loads, each against every server:
- saturated: every client posts its next request as soon as the last is answered (closed loop). This gives
  the throughput; its latency is queueing (Little's law: p50 ≈ clients / throughput, for the echo bot too).
- paced: the same clients, each posting at a fixed interval so that together they offer `--paced` times the
  echo bot's saturated throughput. This gives the latency of a request when the server keeps up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.config import BotConfig
from core import commands
from core.model import Enrollment, MemberRole, Pairing, PairingMember, PairingStatus, new_id
from core.services import identity, programs
from peerlearn.app import create_app
from peerlearn.settings import Settings
from tests.conftest import _create_postgres_database, _drop_postgres_database

TENANT = "bench-tenant"


class EchoBot(ActivityHandler):  # type: ignore[misc]
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "ok"}]}
        body = AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=card
        )
        return InvokeResponse(status=200, body=body)


def echo_app() -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(BotConfig()))
    bot = EchoBot()
    app = web.Application()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    app.router.add_post("/api/messages", messages)
    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/messages"


async def seed(app: web.Application, clients: int) -> list[tuple[str, str]]:
    """One active pairing per two clients; returns (user key, pairing id) per client."""
    from peerlearn.app import RUNTIME

    runtime = app[RUNTIME]
    uow = runtime.uow_factory
    people = []
    for i in range(clients):
        org, person = await identity.resolve_teams_person(
            commands.ResolveTeamsPerson(TENANT, f"aad-{i}", f"29:u{i}", f"User {i}"), uow()
        )
        people.append(person)
    program = await programs.ensure_organization_program(org.id, uow())
    now = runtime.clock.now()
    pairs = []
    async with uow() as work:
        for person in people:
            await work.enrollments.save(Enrollment(new_id(), org.id, program.id, person.id, 1, now))
        for a, b in zip(people[::2], people[1::2], strict=False):
            pairing = Pairing(
                new_id(),
                org.id,
                program.id,
                None,
                [PairingMember(a.id, MemberRole.PEER), PairingMember(b.id, MemberRole.PEER)],
                now,
                status=PairingStatus.ACTIVE,
            )
            await work.pairings.save(pairing)
            pairs += [(str(i), pairing.id) for i in (people.index(a), people.index(b))]
        await work.commit()
    return pairs


def invoke(user: str, pairing_id: str) -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": "http://127.0.0.1:9/",
        "from": {"id": f"29:u{user}", "aadObjectId": f"aad-{user}", "name": f"User {user}"},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": f"a:u{user}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "value": {
            "action": {
                "type": "Action.Execute",
                "verb": "checkin.submit",
                "data": {"pairing_id": pairing_id, "met": "yes", "usefulness": "4", "learned": "benchmarks"},
            },
            "trigger": "manual",
        },
    }


async def load(
    url: str, clients: list[tuple[str, str]], total: int, interval: float | None = None
) -> dict[str, float]:
    """`total` requests from all clients; back to back, or each client every `interval` seconds."""
    latencies: list[float] = []
    failures = 0
    per_client = max(1, total // len(clients))

    async def client(session: aiohttp.ClientSession, user: str, pairing_id: str, count: int) -> None:
        nonlocal failures
        if interval is not None:  # spread the clients' first requests over one interval
            await asyncio.sleep(interval * (int(user) % len(clients)) / len(clients))
        for _ in range(count):
            started = time.perf_counter()
            async with session.post(url, json=invoke(user, pairing_id)) as response:
                body = await response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200 or (b"Thanks for checking in" not in body and b'"ok"' not in body):
                failures += 1
            if interval is not None:
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))

    connector = aiohttp.TCPConnector(limit=len(clients))
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm-up: every client once (its connection, and the server's first sight of each person).
        await asyncio.gather(*(client(session, u, p, 1) for u, p in clients))
        latencies.clear()
        failures = 0
        started = time.perf_counter()
        await asyncio.gather(*(client(session, u, p, per_client) for u, p in clients))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "failures": failures,
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
    }


Loads = list[tuple[str, float | None]]  # (name, interval per client, or None for back to back)


async def measure(url: str, clients: list[tuple[str, str]], total: int, loads: Loads) -> dict[str, Any]:
    return {name: await load(url, clients, total, interval) for name, interval in loads}


async def measure_peerlearn(database_url: str, clients: int, total: int, loads: Loads) -> dict[str, Any]:
    settings = Settings(_env_file=None, database_url=database_url, log_level="WARNING", log_format="text")
    app = create_app(settings)
    runner, url = await serve(app)
    try:
        pairs = await seed(app, clients)
        return await measure(url, pairs, total, loads)
    finally:
        await runner.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--paced", type=float, default=0.5, help="offered load, as a share of the echo bot's")
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    results: dict[str, dict[str, Any]] = {}
    runner, url = await serve(echo_app())
    try:
        clients = [(str(i), new_id()) for i in range(args.clients)]
        echo = await measure(url, clients, args.requests, [("saturated", None)])
        interval = args.clients / (args.paced * echo["saturated"]["throughput_rps"])
        loads: Loads = [("saturated", None), ("paced", interval)]
        echo |= await measure(url, clients, args.requests, loads[1:])
        results["echo bot (botbuilder, no storage)"] = echo
    finally:
        await runner.cleanup()
    with tempfile.TemporaryDirectory() as tmp:
        results["peerlearn, SQLite"] = await measure_peerlearn(
            f"sqlite:///{tmp}/bench.db", args.clients, args.requests, loads
        )
    admin = os.environ.get("PEERLEARN_TEST_POSTGRES_URL")
    if admin:
        url_pg = await _create_postgres_database(admin)
        try:
            results["peerlearn, PostgreSQL"] = await measure_peerlearn(
                url_pg, args.clients, args.requests, loads
            )
        finally:
            await _drop_postgres_database(admin, url_pg)
    reference = results["echo bot (botbuilder, no storage)"]
    offered = args.clients / interval
    print(f"{args.clients} clients; paced: each client every {interval:.2f} s, {offered:.1f} req/s offered")
    print(
        "| server | load | requests | failures | throughput (req/s) | share of echo | p50 (ms) | p99 (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, runs in results.items():
        for load_name, r in runs.items():
            share = f"{r['throughput_rps'] / reference[load_name]['throughput_rps']:.0%}"
            print(
                f"| {name} | {load_name} | {r['requests']} | {r['failures']} | {r['throughput_rps']} | {share} "
                f"| {r['p50_ms']} | {r['p99_ms']} |"
            )
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
