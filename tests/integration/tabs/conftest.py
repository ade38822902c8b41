"""The whole app over real HTTP on 127.0.0.1, its tabs signed in against a local OpenID issuer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from peerlearn.app import RUNTIME, create_app
from tests.integration.security.issuer import Issuer, running_issuer
from tests.support.tabs import seed, tab_settings


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


@pytest.fixture
async def client(issuer: Issuer, database_url: str, tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(tab_settings(issuer, database_url, tmp_path))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        await seed(app[RUNTIME].uow_factory)
        yield client
