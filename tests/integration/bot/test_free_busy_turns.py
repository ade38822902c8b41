"""The bot's own answer proposes the first meeting the members' calendars have free, as the introductions
the sender delivers do: the real app (`create_app`) over HTTP, its `calendars` pointed at a fake Graph on
127.0.0.1 where Ana's calendar is booked for the first day after everyone accepts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from adaptive_cards import verbs
from bot.app import BOT
from bot.delivery.graph import GraphCalendars, GraphClient
from peerlearn.app import create_app
from peerlearn.settings import Settings
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text

ANA, BO = User("ana"), User("bo")
EVERY_DAY = {
    "available_days": "mon,tue,wed,thu,fri,sat,sun",
    "available_from": "09:00",
    "available_to": "17:00",
}
PROFILES = {
    "ana": {
        "teach_skill_0": "Python",
        "teach_level_0": "5",
        "learn_skill_0": "Kubernetes",
        "learn_level_0": "2",
    },
    "bo": {
        "teach_skill_0": "Kubernetes",
        "teach_level_0": "5",
        "learn_skill_0": "Python",
        "learn_level_0": "2",
    },
}


class StaticToken:
    async def token(self) -> str | None:
        return "graph-token"


class FakeGraph:
    """Ana's calendar is booked for the first 24 hours of any window asked for; Bo's is empty."""

    def __init__(self) -> None:
        self.windows: list[datetime] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/users/{user}/calendar/getSchedule", self.get_schedule)
        return app

    async def get_schedule(self, request: web.Request) -> web.Response:
        body = await request.json()
        start = datetime.fromisoformat(body["startTime"]["dateTime"]).replace(tzinfo=UTC)
        self.windows.append(start)
        until = start + timedelta(hours=24)
        value = []
        for email in body["schedules"]:
            items = []
            if email == "ana@contoso.example":
                items.append(
                    {
                        "status": "busy",
                        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
                        "end": {"dateTime": until.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
                    }
                )
            value.append({"scheduleId": email, "scheduleItems": items, "availabilityView": ""})
        return web.json_response({"value": value})


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    fake = FakeGraph()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield fake, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def calendar_teams(
    database_url: str,
    connector: tuple[FakeConnector, str],
    graph: tuple[FakeGraph, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> AsyncIterator[Teams]:
    settings = Settings(_env_file=None, database_url=database_url, log_format="text")
    app = create_app(settings)
    async with aiohttp.ClientSession() as http:
        bot = app[BOT]
        client = GraphClient(http, StaticToken(), graph[1], "catalog-app-id")
        bot.services = replace(bot.services, calendars=GraphCalendars(lambda: datetime.now(UTC), client))
        test_client = await aiohttp_client(app, server_kwargs={"host": "127.0.0.1"})
        yield Teams(test_client, connector[1])


async def _join(teams: Teams, fake: FakeConnector, user: User) -> str:
    fake.members.append(user.member)
    assert await teams.install(user) in (200, 201)
    welcome = fake.cards(user.chat)[-1]
    joined = await teams.click(user, verbs.JOIN, action_data(welcome, verbs.JOIN))
    assert "You accepted the code of conduct" in card_text(joined)
    profile = {"timezone": "Europe/Berlin", "hours_per_month": "6"} | EVERY_DAY | PROFILES[user.key]
    assert "Saved" in card_text(await teams.click(user, verbs.PROFILE_SAVE, profile))
    return str(action_data(welcome, verbs.JOIN)["program_id"])


def _proposed_start(card: dict[str, Any]) -> datetime:
    link = next(a["url"] for a in card["actions"] if a.get("title") == "Book this time in Teams")
    return datetime.fromisoformat(parse_qs(urlsplit(link).query)["startTime"][0])


async def test_the_last_member_to_accept_is_proposed_a_time_after_what_the_calendars_have_booked(
    calendar_teams: Teams, connector: tuple[FakeConnector, str], graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = connector
    program = await _join(calendar_teams, fake, ANA)
    await _join(calendar_teams, fake, BO)
    setup = {"program_id": program, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in card_text(await calendar_teams.click(ANA, verbs.SETUP_SAVE, setup))
    assert await calendar_teams.say(ANA, "match now") in (200, 201)
    await calendar_teams.say(BO, "status")
    pairing = action_data(fake.cards(BO.chat)[-1], verbs.PAIRING_VIEW)
    await calendar_teams.click(ANA, verbs.PAIRING_ACCEPT, {k: v for k, v in pairing.items() if k != "for"})
    assert graph[0].windows == []  # nothing to propose while someone has not answered
    intro = await calendar_teams.click(BO, verbs.PAIRING_ACCEPT, pairing)
    assert "You are matched" in card_text(intro)
    assert "by the hours you gave and your calendars" in card_text(intro)
    [window] = graph[0].windows
    assert _proposed_start(intro) >= window + timedelta(hours=24)  # after Ana's booked day
