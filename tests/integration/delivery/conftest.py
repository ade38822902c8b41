from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from benchmarks.delivery.fake_connector import FakeTeams, serve
from benchmarks.delivery.seed import Seeded, seed
from bot.delivery.connector import BotConnector
from bot.delivery.sender import Deps
from bot.delivery.tokens import NoToken
from core.bus import MessageBus
from core.clock import SystemClock
from core.services.delivery_units import BusOutboxQueue
from storage.unit_of_work import SqlUnitOfWorkFactory


@pytest.fixture
def fake() -> FakeTeams:
    return FakeTeams(tenant_per_second=30)


@pytest.fixture
async def connector_url(fake: FakeTeams) -> AsyncIterator[str]:
    runner: web.AppRunner
    runner, url = await serve(fake)
    try:
        yield url
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def deps(uow_factory: SqlUnitOfWorkFactory, http: aiohttp.ClientSession) -> Deps:
    return Deps(
        queue=BusOutboxQueue(MessageBus(uow_factory, SystemClock())),
        uows=uow_factory,
        connector=BotConnector(http, NoToken(), timeout=10),
        clock=SystemClock(),
    )


@pytest.fixture
async def seeded(uow_factory: SqlUnitOfWorkFactory, connector_url: str) -> Seeded:
    return await seed(uow_factory, connector_url, 8)
