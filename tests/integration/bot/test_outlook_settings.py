"""A first profile takes the time zone and working hours from the person's Outlook settings when Graph is
configured (`GET /users/{id}/mailboxSettings`, against a fake Graph on 127.0.0.1), Teams' `clientInfo` when not.

The bot is the real app (`create_app`); its `calendars` are pointed at the fake Graph."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

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
from tests.integration.bot.teams import Teams, User

ANA, BO = User("ana"), User("bo")
BERLIN_DEVICE = {"type": "clientInfo", "locale": "en-US", "timezone": "Europe/Berlin", "platform": "Web"}


class StaticToken:
    async def token(self) -> str | None:
        return "graph-token"


class FakeGraph:
    """Ana's mailbox is in Pacific time, Monday to Thursday 08:30–16:00; Bo's cannot be read (403)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1.0/users/{user}/mailboxSettings", self.mailbox_settings)
        return app

    async def mailbox_settings(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer graph-token"
        user = request.match_info["user"]
        self.asked.append(user)
        if user != "aad-ana":
            error = {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}
            return web.json_response(error, status=403)
        return web.json_response(
            {
                "timeZone": "Pacific Standard Time",
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday"],
                    "startTime": "08:30:00.0000000",
                    "endTime": "16:00:00.0000000",
                    "timeZone": {"name": "Pacific Standard Time"},
                },
            }
        )


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
async def outlook_teams(
    database_url: str,
    connector: tuple[FakeConnector, str],
    graph: tuple[FakeGraph, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> AsyncIterator[Teams]:
    settings = Settings(_env_file=None, database_url=database_url, log_format="text")  # type: ignore[call-arg]
    app = create_app(settings)
    async with aiohttp.ClientSession() as http:
        bot = app[BOT]
        client = GraphClient(http, StaticToken(), graph[1], "catalog-app-id")
        bot.services = replace(bot.services, calendars=GraphCalendars(lambda: datetime.now(UTC), client))
        test_client = await aiohttp_client(app, server_kwargs={"host": "127.0.0.1"})
        yield Teams(test_client, connector[1])


async def _profile(teams: Teams, fake: FakeConnector, user: User) -> dict[str, Any]:
    status, _ = await teams.post(teams.activity(user, "message", text="profile", entities=[BERLIN_DEVICE]))
    assert status in (200, 201)
    return fake.cards(user.chat)[-1]


def _field(card: dict[str, Any], field_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == field_id:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found[0]


async def test_a_first_profile_takes_time_zone_and_working_hours_from_outlook(
    outlook_teams: Teams, connector: tuple[FakeConnector, str], graph: tuple[FakeGraph, str]
) -> None:
    card = await _profile(outlook_teams, connector[0], ANA)
    assert _field(card, "timezone")["value"].startswith("Los Angeles (UTC-0")  # over the device's Berlin
    assert _field(card, "available_days")["value"] == "mon,tue,wed,thu"
    assert (_field(card, "available_from")["value"], _field(card, "available_to")["value"]) == (
        "09:00",
        "16:00",
    )
    assert "come from your Outlook settings" in json.dumps(card)
    saved = await outlook_teams.click(
        ANA,
        verbs.PROFILE_SAVE,
        {
            "teach_skill_0": "Python",
            "teach_level_0": "4",
            "timezone": _field(card, "timezone")["value"],
            "available_days": "mon,tue,wed,thu",
            "available_from": "09:00",
            "available_to": "16:00",
        },
    )
    assert "Saved" in json.dumps(saved)
    again = await _profile(outlook_teams, connector[0], ANA)  # a stored profile is never overwritten
    assert "Outlook" not in json.dumps(again) and graph[0].asked == ["aad-ana"]


async def test_without_the_permission_teams_clock_fills_in_and_graph_is_not_asked_again(
    outlook_teams: Teams, connector: tuple[FakeConnector, str], graph: tuple[FakeGraph, str]
) -> None:
    card = await _profile(outlook_teams, connector[0], BO)
    assert _field(card, "timezone")["value"].startswith("Berlin (UTC+0")
    assert "Outlook" not in json.dumps(card) and "value" not in _field(card, "available_days")
    await _profile(outlook_teams, connector[0], BO)
    assert graph[0].asked == ["aad-bo"]  # refused once: not asked again on every card
