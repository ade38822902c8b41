"""Graph against a fake on 127.0.0.1: installing the app for people the bot cannot reach, group chats."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import update

from benchmarks.delivery.fake_connector import FakeTeams
from benchmarks.delivery.seed import Seeded
from bot.delivery.connector import BotConnector
from bot.delivery.graph import GraphClient, GraphInstaller, GroupChats
from bot.delivery.limits import RateLimiter
from bot.delivery.sender import Deps, SenderConfig, TenantSender
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.model import OutboxStatus, Profile
from core.services.delivery_units import BusGraphRecords, BusProgramDirectory
from core.services.rounds import run_round
from storage.models import OutboxRow
from storage.unit_of_work import SqlUnitOfWorkFactory

CATALOG = "11111111-2222-3333-4444-555555555555"


class StaticToken:
    async def token(self) -> str | None:
        return "graph-token"


class FakeGraph:
    def __init__(self, teams: FakeTeams) -> None:
        self.teams, self.calls, self.chats = teams, list[tuple[str, dict[str, Any]]](), 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self.install_for_user)
        app.router.add_post("/v1.0/chats", self.create_chat)
        app.router.add_post("/v1.0/chats/{chat}/installedApps", self.install_in_chat)
        return app

    async def install_for_user(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer graph-token"
        body = await request.json()
        self.calls.append((request.path, body))
        user = request.match_info["user"]
        self.teams.not_installed.discard("29:user-" + user.removeprefix("aad-"))
        return web.Response(status=201)

    async def create_chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append((request.path, body))
        self.chats += 1
        return web.json_response({"id": f"19:chat-{self.chats}@thread.v2"}, status=201)

    async def install_in_chat(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, await request.json()))
        return web.json_response({"error": {"code": "Conflict", "message": "already installed"}}, status=409)


@pytest.fixture
async def graph(fake: FakeTeams, http: aiohttp.ClientSession) -> AsyncIterator[tuple[FakeGraph, GraphClient]]:
    fake_graph = FakeGraph(fake)
    runner = web.AppRunner(fake_graph.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield fake_graph, GraphClient(http, StaticToken(), url, CATALOG)
    finally:
        await runner.cleanup()


async def test_people_the_bot_cannot_reach_get_the_app_installed_and_then_their_message(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    deps: Deps,
    fake: FakeTeams,
    graph: tuple[FakeGraph, GraphClient],
) -> None:
    fake_graph, client = graph
    fake.not_installed = {"29:user-00001", "29:user-00003"}  # no 1:1 chat stored, app not installed
    deps.installer = GraphInstaller(
        client, BusGraphRecords(MessageBus(uow_factory, SystemClock())), deps.clock
    )
    await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    sender = TenantSender(seeded.organization_id, deps, RateLimiter(30), SenderConfig("28:bot", 2.0))
    await sender.drain(lambda: True)
    assert fake.delivered == seeded.people - 2
    installs = [path for path, _ in fake_graph.calls if path.endswith("/teamwork/installedApps")]
    assert sorted(installs) == [
        "/v1.0/users/aad-00001/teamwork/installedApps",
        "/v1.0/users/aad-00003/teamwork/installedApps",
    ]
    assert fake_graph.calls[0][1] == {"teamsApp@odata.bind": f"{client.base}/appCatalogs/teamsApps/{CATALOG}"}
    async with uow_factory.sessions() as session:  # the retry waits for Teams to set the chat up
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.PENDING.value)
            .values(next_attempt_at=deps.clock.now() - timedelta(seconds=1))
        )
        await session.commit()
    await sender.drain(lambda: True)
    assert (fake.delivered, fake.duplicates) == (seeded.people, 0)


async def test_a_program_with_group_chats_gets_one_chat_per_pairing_with_the_app_and_an_introduction(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    deps: Deps,
    fake: FakeTeams,
    graph: tuple[FakeGraph, GraphClient],
) -> None:
    fake_graph, client = graph
    async with uow_factory() as uow:
        program = await uow.programs.get(seeded.organization_id, seeded.program_id)
        assert program is not None
        program.settings = replace(program.settings, group_chats=True)
        await uow.programs.save(program)
        await uow.commit()
    outcome = await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    pairing = outcome.pairings[0]
    for member in pairing.member_ids():
        await MessageBus(uow_factory, deps.clock).handle(
            commands.RespondToPairing(seeded.organization_id, pairing.id, member, "accept")
        )
    records = BusGraphRecords(MessageBus(uow_factory, SystemClock()))
    chats = GroupChats(
        client,
        records,
        deps,
        SenderConfig("28:bot"),
        BusProgramDirectory(MessageBus(uow_factory, SystemClock())),
    )
    assert await chats.run() == 1
    assert await chats.run() == 0  # done once
    created = next(body for path, body in fake_graph.calls if path == "/v1.0/chats")
    assert created["chatType"] == "group"
    assert sorted(m["user@odata.bind"].rsplit("'", 2)[1] for m in created["members"]) == sorted(
        f"aad-{m.removeprefix('p')}" for m in pairing.member_ids()
    )
    assert [path for path, _ in fake_graph.calls].count("/v1.0/chats/19:chat-1@thread.v2/installedApps") == 1
    assert fake.conversations["19:chat-1@thread.v2"] == 1
    chat = await records.chat(seeded.organization_id, pairing.id)
    assert chat is not None
    assert (chat.status, chat.chat_id) == ("introduced", "19:chat-1@thread.v2")


class RecordingConnector(BotConnector):
    """The Bot Connector, with every activity sent kept for the test to read."""

    def __init__(self, inner: BotConnector) -> None:
        super().__init__(inner.http, inner.tokens, inner.timeout)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        self.sent.append((conversation_id, activity))
        return await super().send(service_url, conversation_id, activity)


async def test_the_group_chat_introduction_proposes_the_first_meeting_on_each_members_clock(
    seeded: Seeded,
    uow_factory: SqlUnitOfWorkFactory,
    deps: Deps,
    graph: tuple[FakeGraph, GraphClient],
) -> None:
    _, client = graph
    weekdays = frozenset(d * 24 + h for d in range(5) for h in range(9, 17))
    async with uow_factory() as uow:
        program = await uow.programs.get(seeded.organization_id, seeded.program_id)
        assert program is not None
        program.settings = replace(program.settings, group_chats=True)
        await uow.programs.save(program)
        for i in range(seeded.people):
            zone = "Europe/Berlin" if i % 2 else "America/New_York"
            await uow.profiles.save(
                seeded.organization_id, Profile(f"p{i:05d}", timezone=zone, weekly_availability=weekdays)
            )
        await uow.commit()
    outcome = await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    pairing = outcome.pairings[0]
    for member in pairing.member_ids():
        await MessageBus(uow_factory, deps.clock).handle(
            commands.RespondToPairing(seeded.organization_id, pairing.id, member, "accept")
        )
    connector = RecordingConnector(deps.connector)
    chats = GroupChats(
        client,
        BusGraphRecords(MessageBus(uow_factory, SystemClock())),
        replace(deps, connector=connector),
        SenderConfig("28:bot"),
        BusProgramDirectory(MessageBus(uow_factory, SystemClock())),
    )
    assert await chats.run() == 1
    [(chat, activity)] = connector.sent
    card = json.dumps(activity["attachments"][0]["content"])
    assert chat == "19:chat-1@thread.v2"
    assert "A first meeting" in card and "Everyone is free then" in card
    zones = {("Berlin" if int(m[1:]) % 2 else "New York") for m in pairing.member_ids()}
    assert all(f"({zone}, UTC" in card for zone in zones)
    assert "startTime=" in card and "endTime=" in card  # the booking link carries the proposed slot
