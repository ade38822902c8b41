"""A first meeting at a time everyone's calendar is free: the introductions the outbox sends are checked
against Graph's free/busy (`POST /users/{id}/calendar/getSchedule`, a fake Graph on 127.0.0.1), the same
slot for every member; without every calendar, the hours people gave decide alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.delivery.graph import GraphCalendars, GraphClient
from bot.delivery.render import Rendered, render_many
from core import commands
from core.bus import MessageBus
from core.model import Intent, Profile
from tests.unit import conftest as unit
from tests.unit.conftest import ORG, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork, FakeUnitOfWorkFactory

MONDAY = 0


class StaticToken:
    async def token(self) -> str | None:
        return "graph-token"


class FakeGraph:
    """Ana has a meeting on Monday 2 November 14:00–15:00 UTC; Bo's calendar is empty; `hidden` cannot be read."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.hidden: set[str] = set()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/users/{user}/calendar/getSchedule", self.get_schedule)
        return app

    async def get_schedule(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer graph-token"
        body = await request.json()
        self.requests.append((request.match_info["user"], body))
        value = []
        for email in body["schedules"]:
            if email in self.hidden:
                value.append({"scheduleId": email, "error": {"message": "no access"}})
                continue
            items = []
            if email == "ana@contoso.example":
                items.append(
                    {
                        "status": "busy",
                        "start": {"dateTime": "2026-11-02T14:00:00.0000000", "timeZone": "UTC"},
                        "end": {"dateTime": "2026-11-02T15:00:00.0000000", "timeZone": "UTC"},
                    }
                )
            value.append({"scheduleId": email, "scheduleItems": items, "availabilityView": ""})
        return web.json_response({"value": value})


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """The unit tests' fake store: one organization, a program facilitated by 'fay', ana, bo, cy, fay."""
    made: FakeUnitOfWork = unit.uow.__wrapped__()  # type: ignore[attr-defined]
    return made


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def calendars() -> AsyncIterator[tuple[FakeGraph, GraphCalendars]]:
    fake = FakeGraph()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    async with aiohttp.ClientSession() as http:
        client = GraphClient(http, StaticToken(), f"http://127.0.0.1:{runner.addresses[0][1]}", "catalog")
        try:
            yield fake, GraphCalendars(lambda: datetime.now(UTC), client)
        finally:
            await runner.cleanup()


async def _introduced(uow: FakeUnitOfWork, clock: FakeClock) -> list[Any]:
    both = frozenset({MONDAY * 24 + 15, MONDAY * 24 + 16})  # Monday 15:00–17:00 Berlin, 09:00–11:00 New York
    new_york = frozenset({MONDAY * 24 + 9, MONDAY * 24 + 10})
    uow.store.profiles["ana"] = (ORG, Profile("ana", timezone="Europe/Berlin", weekly_availability=both))
    uow.store.profiles["bo"] = (ORG, Profile("bo", timezone="America/New_York", weekly_availability=new_york))
    proposed_pairing(uow, clock, "ana", "bo")
    for who in ("ana", "bo"):
        await MessageBus(FakeUnitOfWorkFactory(uow.store), clock).handle(
            commands.RespondToPairing(ORG, "pair-1", who, "accept")
        )
    return [m for m in uow.store.outbox.values() if m.intent is Intent.INTRODUCTION]


def _cards(rendered: list[Any]) -> dict[str, str]:
    return {
        r.person.id: json.dumps(r.card, ensure_ascii=False)
        for r in rendered
        if isinstance(r, Rendered) and r.person is not None
    }


async def test_the_introduction_skips_a_slot_a_calendar_has_booked_and_says_calendars_were_read(
    uow: FakeUnitOfWork, clock: FakeClock, calendars: tuple[FakeGraph, GraphCalendars]
) -> None:
    fake, graph = calendars
    intros = await _introduced(uow, clock)  # Monday 2 November, 09:00 UTC
    cards = _cards(
        await render_many(intros, MessageBus(FakeUnitOfWorkFactory(uow.store), FakeClock()), graph)
    )
    # 15:00 Berlin (14:00 UTC) is Ana's meeting: 16:00 Berlin, 10:00 New York, for both of them.
    assert "Monday 2 November, 16:00–16:30 (Berlin, UTC+01:00)" in cards["ana"]
    assert "Monday 2 November, 10:00–10:30 (New York, UTC-05:00)" in cards["bo"]
    assert "startTime=2026-11-02T15%3A00%3A00%2B00%3A00" in cards["ana"]
    assert "by the hours you gave and your calendars" in cards["bo"]
    [(asked_as, body)] = fake.requests  # one read for the pairing, on behalf of one of its members
    assert asked_as in ("aad-ana", "aad-bo")
    assert sorted(body["schedules"]) == ["ana@contoso.example", "bo@contoso.example"]
    assert body["startTime"]["timeZone"] == "UTC"


async def test_a_calendar_graph_cannot_read_leaves_the_hours_to_decide(
    uow: FakeUnitOfWork, clock: FakeClock, calendars: tuple[FakeGraph, GraphCalendars]
) -> None:
    fake, graph = calendars
    fake.hidden.add("bo@contoso.example")
    intros = await _introduced(uow, clock)
    cards = _cards(
        await render_many(intros, MessageBus(FakeUnitOfWorkFactory(uow.store), FakeClock()), graph)
    )
    assert "Monday 2 November, 15:00–15:30 (Berlin, UTC+01:00)" in cards["ana"]  # by the hours alone
    assert "and your calendars" not in cards["ana"]
