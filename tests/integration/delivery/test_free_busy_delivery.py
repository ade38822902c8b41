"""The first meeting the worker proposes, with Graph's free/busy (a fake Graph on 127.0.0.1): every member's
1:1 introduction from the sender and the pairing's group chat propose the same slot, one their calendars have
free, and Graph is asked once per pairing for each."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest
from aiohttp import web

from benchmarks.delivery.seed import Seeded
from bot.delivery.connector import BotConnector
from bot.delivery.graph import GraphCalendars, GraphClient, GroupChats
from bot.delivery.limits import RateLimiter
from bot.delivery.sender import Deps, SenderConfig, TenantSender
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.model import Pairing, Profile
from core.services.delivery_units import BusGraphRecords, BusProgramDirectory
from core.services.meeting_times import Slot
from core.services.rounds import run_round
from core.views.status import first_meeting, member_profiles
from storage.unit_of_work import SqlUnitOfWorkFactory

WEEKDAYS = frozenset(d * 24 + h for d in range(5) for h in range(9, 17))


class StaticToken:
    async def token(self) -> str | None:
        return "graph-token"


class FakeGraph:
    """Group chats and free/busy; `booked` maps an email to the one meeting its calendar has."""

    def __init__(self) -> None:
        self.booked: dict[str, Slot] = {}
        self.schedules: list[tuple[str, list[str]]] = []
        self.chats = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/users/{user}/calendar/getSchedule", self.get_schedule)
        app.router.add_post("/v1.0/chats", self.create_chat)
        app.router.add_post("/v1.0/chats/{chat}/installedApps", self.install_in_chat)
        return app

    async def get_schedule(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer graph-token"
        body = await request.json()
        self.schedules.append((request.match_info["user"], sorted(body["schedules"])))
        value = []
        for email in body["schedules"]:
            items = []
            if (slot := self.booked.get(email)) is not None:
                items.append(
                    {"status": "busy", "start": _graph_time(slot.start), "end": _graph_time(slot.end)}
                )
            value.append({"scheduleId": email, "scheduleItems": items, "availabilityView": ""})
        return web.json_response({"value": value})

    async def create_chat(self, request: web.Request) -> web.Response:
        self.chats += 1
        return web.json_response({"id": f"19:chat-{self.chats}@thread.v2"}, status=201)

    async def install_in_chat(self, request: web.Request) -> web.Response:
        return web.Response(status=201)


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


class RecordingConnector(BotConnector):
    def __init__(self, inner: BotConnector) -> None:
        super().__init__(inner.http, inner.tokens, inner.timeout)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        self.sent.append((conversation_id, activity))
        return await super().send(service_url, conversation_id, activity)


@dataclass
class Graph:
    fake: FakeGraph
    client: GraphClient


@pytest.fixture
async def graph(http: aiohttp.ClientSession) -> AsyncIterator[Graph]:
    fake = FakeGraph()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield Graph(
            fake, GraphClient(http, StaticToken(), f"http://127.0.0.1:{runner.addresses[0][1]}", "cat")
        )
    finally:
        await runner.cleanup()


async def _accepted_pairing(seeded: Seeded, uows: SqlUnitOfWorkFactory, deps: Deps) -> tuple[Pairing, Slot]:
    """A pairing everyone accepted, in a program with group chats, and the slot their hours alone give."""
    org = seeded.organization_id
    async with uows() as uow:
        program = await uow.programs.get(org, seeded.program_id)
        assert program is not None
        program.settings = replace(program.settings, group_chats=True)
        await uow.programs.save(program)
        for i in range(seeded.people):
            zone = "Europe/Berlin" if i % 2 else "America/New_York"
            await uow.profiles.save(org, Profile(f"p{i:05d}", timezone=zone, weekly_availability=WEEKDAYS))
        await uow.commit()
    outcome = await run_round(commands.RunRound(org, seeded.program_id, None), MessageBus(uows, deps.clock))
    pairing_id = outcome.pairings[0].id
    for member in outcome.pairings[0].member_ids():
        await MessageBus(uows, deps.clock).handle(
            commands.RespondToPairing(org, pairing_id, member, "accept")
        )
    async with uows() as uow:
        pairing = await uow.pairings.get(org, pairing_id)
        assert pairing is not None
        slot = first_meeting(pairing, await member_profiles(uow, pairing)).slot
    assert slot is not None
    return pairing, slot


def _start_times(sent: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """The proposed start of every introduction sent, by conversation, with whether calendars were read."""
    found = {}
    for conversation, activity in sent:
        card = json.dumps(activity["attachments"][0]["content"], ensure_ascii=False)
        if "You are matched: say hello" not in card:
            continue
        start = re.search(r"startTime=([^&\"]+)", card)
        assert start is not None, card
        found[conversation] = unquote(start.group(1)) + (" calendars" if "and your calendars" in card else "")
    return found


async def test_introductions_and_the_group_chat_propose_one_slot_the_members_calendars_have_free(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps, graph: Graph
) -> None:
    pairing, by_hours = await _accepted_pairing(seeded, uow_factory, deps)
    first = min(pairing.member_ids())
    graph.fake.booked[f"p{int(first[1:])}@contoso.example"] = by_hours  # the hours' slot is taken
    connector = RecordingConnector(deps.connector)
    calendars = GraphCalendars(deps.clock.now, graph.client)
    worker_deps = replace(deps, connector=connector, calendars=calendars)

    sender = TenantSender(seeded.organization_id, worker_deps, RateLimiter(30), SenderConfig("28:bot", 2.0))
    await sender.drain(lambda: True)
    chats = GroupChats(
        graph.client,
        BusGraphRecords(MessageBus(uow_factory, SystemClock())),
        worker_deps,
        SenderConfig("28:bot"),
        BusProgramDirectory(MessageBus(uow_factory, SystemClock())),
    )
    assert await chats.run() == 1

    starts = _start_times(connector.sent)
    assert len(starts) == len(pairing.members) + 1  # each member's 1:1 chat, and the group chat
    assert set(starts.values()) == {starts["19:chat-1@thread.v2"]}  # one slot on every card
    proposed = datetime.fromisoformat(starts["19:chat-1@thread.v2"].removesuffix(" calendars"))
    assert starts["19:chat-1@thread.v2"].endswith(" calendars")
    assert not (by_hours.start <= proposed < by_hours.end)  # not the time the calendar has booked
    assert proposed > by_hours.start
    emails = sorted(f"p{int(m[1:])}@contoso.example" for m in pairing.member_ids())
    assert [s for _, s in graph.fake.schedules] == [
        emails,
        emails,
    ]  # once for the 1:1 cards, once for the chat


async def test_without_calendars_the_introductions_propose_the_hours_slot(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps, graph: Graph
) -> None:
    pairing, by_hours = await _accepted_pairing(seeded, uow_factory, deps)
    connector = RecordingConnector(deps.connector)
    sender = TenantSender(
        seeded.organization_id,
        replace(deps, connector=connector),
        RateLimiter(30),
        SenderConfig("28:bot", 2.0),
    )
    await sender.drain(lambda: True)
    starts = _start_times(connector.sent)
    assert len(starts) == len(pairing.members)
    assert set(starts.values()) == {by_hours.start.isoformat()}
    assert graph.fake.schedules == []
