"""One server under test, in its own process: the bare botbuilder echo bot, or peerlearn on a database.

    python -m benchmarks.bot.server echo
    python -m benchmarks.bot.server peerlearn DATABASE_URL CLIENTS

It listens on 127.0.0.1 (a free port), seeds what the clients need, then prints one JSON line on stdout:
`{"url": ..., "clients": [[user, pairing id], ...]}`. Each line the driver writes to its stdin is answered
with the CPU seconds the server has used so far (`{"cpu_seconds": ...}`), so the driver can tell the
server's cost per request apart from its own; it stops when its stdin closes. The driver runs in another process, as Teams would be on another
machine: on this 2-core host the load generator then does not take the server's event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import sys
import uuid
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.config import BotConfig
from core import commands
from core.bus import MessageBus
from core.model import Enrollment, MemberRole, Pairing, PairingMember, PairingStatus, new_id
from peerlearn.app import RUNTIME, create_app
from peerlearn.settings import Settings

TENANT = "bench-tenant"


class EchoBot(ActivityHandler):  # type: ignore[misc]
    """botbuilder's own path and nothing else: the invoke is answered with a fixed card."""

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


async def seed(app: web.Application, clients: int) -> list[tuple[str, str]]:
    """One active pairing per two clients; returns (user key, pairing id) per client."""
    runtime = app[RUNTIME]
    uow = runtime.uow_factory
    bus = MessageBus(uow, runtime.clock)
    people = []
    for i in range(clients):
        org, person = await bus.handle(
            commands.ResolveTeamsPerson(TENANT, f"aad-{i}", f"29:u{i}", f"User {i}")
        )
        people.append(person)
    program = await bus.handle(commands.EnsureOrganizationProgram(org.id))
    now = runtime.clock.now()
    pairs = []
    async with uow() as work:
        for person in people:
            await work.enrollments.save(Enrollment(new_id(), org.id, program.id, person.id, 1, now))
        for a, b in zip(people[::2], people[1::2], strict=False):
            members = [PairingMember(a.id, MemberRole.PEER), PairingMember(b.id, MemberRole.PEER)]
            pairing = Pairing(new_id(), org.id, program.id, None, members, now, status=PairingStatus.ACTIVE)
            await work.pairings.save(pairing)
            pairs += [(str(i), pairing.id) for i in (people.index(a), people.index(b))]
        await work.commit()
    return pairs


def invoke(user: str, pairing_id: str) -> dict[str, Any]:
    """A Teams-shaped `adaptiveCard/action` invoke submitting a check-in, with a fresh activity id."""
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


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def main(argv: list[str]) -> None:
    logging.disable(logging.WARNING)
    kind = argv[0]
    if kind == "echo":
        app, clients = echo_app(), int(argv[1]) if len(argv) > 1 else 100
    else:
        database_url, clients = argv[1], int(argv[2])
        settings = Settings(_env_file=None, database_url=database_url, log_level="WARNING", log_format="text")
        app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    pairs = [(str(i), new_id()) for i in range(clients)] if kind == "echo" else await seed(app, clients)
    print(json.dumps({"url": f"http://127.0.0.1:{port}/api/messages", "clients": pairs}), flush=True)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):  # "" once the driver closes stdin
        print(json.dumps({"cpu_seconds": _cpu_seconds()}), flush=True)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
