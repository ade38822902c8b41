from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from peerlearn.app import create_app
from peerlearn.settings import Settings
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("/")).rstrip("/") + "/"
    finally:
        await server.close()


@pytest.fixture
async def teams(
    database_url: str,
    connector: tuple[FakeConnector, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> Teams:
    settings = Settings(_env_file=None, database_url=database_url, log_format="text")  # type: ignore[call-arg]
    client = await aiohttp_client(create_app(settings), server_kwargs={"host": "127.0.0.1"})
    return Teams(client, connector[1])
