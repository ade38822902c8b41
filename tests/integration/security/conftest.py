"""The bot with an app id, on a real database, behind real HTTP, and a channel token issuer on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from peerlearn.app import RUNTIME, create_app
from peerlearn.settings import Settings
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams
from tests.integration.security.issuer import APP_ID, Issuer, running_issuer

APP_PASSWORD = "app-password-Zq8~never-in-a-log"


class SignedTeams(Teams):
    """Teams as the channel really posts: every activity carries a token the issuer signed for it."""

    def __init__(self, client: TestClient[Any, Any], service_url: str, issuer: Issuer) -> None:
        super().__init__(client, service_url)
        self.issuer = issuer
        self.tokens: list[str] = []

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        token = self.issuer.token(str(activity.get("serviceUrl", "")))
        self.tokens.append(token)
        response = await self.client.post(
            "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
        )
        body = await response.json() if response.content_type == "application/json" else await response.text()
        return response.status, body

    @property
    def engine(self) -> AsyncEngine:
        app: web.Application = self.client.app
        return app[RUNTIME].engine


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


@pytest.fixture
async def connector() -> AsyncIterator[tuple[FakeConnector, str]]:
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("/")).rstrip("/") + "/"
    finally:
        await server.close()


def secured_settings(database_url: str, issuer: Issuer, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        log_format="json",
        run_worker=False,
        app_id=APP_ID,
        app_password=APP_PASSWORD,
        bot_openid_metadata_url=issuer.metadata_url,
        bot_token_issuer=issuer.issuer,
        **extra,
    )


@pytest.fixture
async def signed_teams(
    database_url: str,
    issuer: Issuer,
    connector: tuple[FakeConnector, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> SignedTeams:
    app = create_app(secured_settings(database_url, issuer, max_request_bytes=64 * 1024))
    client = await aiohttp_client(app, server_kwargs={"host": "127.0.0.1"})
    return SignedTeams(client, connector[1], issuer)
