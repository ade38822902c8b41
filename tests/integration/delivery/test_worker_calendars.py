"""The worker hands its sender the members' calendars when Graph is configured (so introductions propose a
time their calendars have free), and none when it is not."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from bot.delivery.graph import GraphCalendars, GraphClient
from bot.delivery.sender import Deps
from core.commands import RunRound
from core.model import RoundSummary
from peerlearn import worker
from peerlearn.settings import Settings, load_settings
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.unit.fakes import FakeClock


class StaticToken:
    async def token(self) -> str | None:
        return "graph-token"


class NoRounds:
    async def run(self, command: RunRound) -> RoundSummary:
        raise AssertionError("no round is due in an empty database")


async def _sender_deps(
    monkeypatch: pytest.MonkeyPatch, uows: SqlUnitOfWorkFactory, graph: bool
) -> tuple[Deps, GraphClient | None]:
    made: list[GraphClient] = []

    def client(settings: Settings, http: aiohttp.ClientSession) -> GraphClient | None:
        if not graph:
            return None
        made.append(GraphClient(http, StaticToken(), "http://127.0.0.1:9", "catalog"))
        return made[-1]

    captured: list[Deps] = []

    class Dispatcher:
        delivered = 0

        def __init__(self, deps: Deps, *args: Any) -> None:
            captured.append(deps)

        async def run(self, stop: asyncio.Event) -> None:
            stop.set()  # the worker stops as soon as it has started

    monkeypatch.setattr(worker, "graph_client", client)
    monkeypatch.setattr(worker, "Dispatcher", Dispatcher)
    await asyncio.wait_for(
        worker.Worker(load_settings(None), uows, FakeClock(), NoRounds()).run(asyncio.Event()), 30
    )
    [deps] = captured
    return deps, made[0] if made else None


async def test_with_graph_the_sender_reads_calendars_through_the_workers_graph_client(
    monkeypatch: pytest.MonkeyPatch, uow_factory: SqlUnitOfWorkFactory
) -> None:
    deps, client = await _sender_deps(monkeypatch, uow_factory, graph=True)
    assert isinstance(deps.calendars, GraphCalendars)
    assert client is not None and deps.calendars.client is client
    lease = load_settings(None).delivery_lease_seconds  # Graph answers well within a claim's start window
    assert deps.calendars.seconds == min(3.0, lease / 4)


async def test_without_graph_the_sender_goes_by_the_hours_people_gave(
    monkeypatch: pytest.MonkeyPatch, uow_factory: SqlUnitOfWorkFactory
) -> None:
    deps, _ = await _sender_deps(monkeypatch, uow_factory, graph=False)
    assert deps.calendars is None
