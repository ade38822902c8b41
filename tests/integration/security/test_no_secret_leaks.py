"""After a full run through both doors with every secret configured, no log line (the real JSON logging with
its redacting filter) and no response body or header carries a secret, a private key or a bearer token."""

from __future__ import annotations

import io
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from botframework.connector.auth import MicrosoftAppCredentials

from adaptive_cards import verbs
from peerlearn.app import create_app
from peerlearn.logs import configure_logging
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import User, action_data, card_text
from tests.integration.bot.test_bot_http import join
from tests.integration.security.conftest import APP_PASSWORD, SignedTeams, secured_settings
from tests.integration.security.issuer import Issuer
from tests.support.lti.flows import launch, tokens
from tests.support.lti.world import open_world

GRAPH_SECRET = "graph-secret-Qw3~never-in-a-log"
SECRET_KEY = "secret-key-for-page-sessions-never-in-a-log"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]+")
ANA, BO = User("ana"), User("bo")
SETUP = {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2", "cross_department": "true"}


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Where the real logging configuration writes (it binds to sys.stderr when configured)."""
    root = logging.getLogger()
    saved_handlers, saved_level, saved_stderr = root.handlers[:], root.level, sys.stderr
    output = io.StringIO()
    sys.stderr = output
    try:
        secrets = [APP_PASSWORD, GRAPH_SECRET, SECRET_KEY]
        configure_logging("DEBUG", "json", secrets)
        yield output
    finally:
        sys.stderr = saved_stderr
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def _recorder(seen: list[str]) -> aiohttp.TraceConfig:
    """Every response header and body chunk the client receives."""

    async def end(session: Any, context: SimpleNamespace, params: aiohttp.TraceRequestEndParams) -> None:
        seen.extend(f"{k}: {v}" for k, v in params.response.headers.items())

    async def chunk(session: Any, context: SimpleNamespace, params: Any) -> None:
        seen.append(bytes(params.chunk).decode(errors="replace"))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(end)
    trace.on_response_chunk_received.append(chunk)
    return trace


async def test_no_secret_private_key_or_token_appears_in_logs_or_responses(
    database_url: str,
    issuer: Issuer,
    connector: tuple[FakeConnector, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    log_output: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bot's outbound calls get a token as the identity platform would issue one (offline here).
    outbound = issuer.token("https://login.example/", aud="https://api.botframework.com")
    monkeypatch.setattr(
        MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: outbound
    )
    seen: list[str] = []
    settings = secured_settings(
        database_url,
        issuer,
        graph_client_id="22222222-2222-3333-4444-555555555555",
        graph_client_secret=GRAPH_SECRET,
        graph_tenant_id="33333333-2222-3333-4444-555555555555",
        secret_key=SECRET_KEY,
    )
    client = await aiohttp_client(
        create_app(settings), server_kwargs={"host": "127.0.0.1"}, trace_configs=[_recorder(seen)]
    )
    teams = SignedTeams(client, connector[1], issuer)
    fake = connector[0]

    # The Teams journey: install, join, profile, set-up, a round, an answer, a forged request.
    welcome = await join(teams, fake, ANA)
    await join(teams, fake, BO)
    program = action_data(welcome, verbs.JOIN)["program_id"]
    assert "Saved" in card_text(await teams.click(ANA, verbs.SETUP_SAVE, SETUP | {"program_id": program}))
    assert await teams.say(ANA, "match now") in (200, 201)
    refused = await client.post(
        "/api/messages", json=teams.invoke(ANA, verbs.HELP), headers={"Authorization": f"Bearer {outbound}"}
    )
    assert refused.status == 401
    await client.get("/healthz")

    # An LTI launch signed by the platform, answered with pages that carry the tool's sessions.
    async with open_world(database_url) as world:
        private_pems = [key.private_pem for key in await world.store.tool_keys()]
        async with aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), trace_configs=[_recorder(seen)]
        ) as browser:
            status, page = await launch(browser, world.platform, "teacher-1")
            assert status == 200
            await browser.post(f"{world.tool_url}/lti/course/form", data=tokens(page))
            await browser.get(f"{world.tool_url}/lti/jwks")
        private_pems += [key.private_pem for key in await world.store.tool_keys()]
    # Only the tool's answers are ours: the platform's auto-posted id_token is the platform's response.
    ours = "\n".join(s for s in seen if "id_token" not in s)
    logs = log_output.getvalue()

    assert teams.tokens and private_pems and '"event": "request"' in logs
    for name, text in (("logs", logs), ("responses", ours)):
        for secret in (APP_PASSWORD, GRAPH_SECRET, SECRET_KEY, outbound, *teams.tokens):
            assert secret not in text, f"a secret in the {name}"
        for pem in private_pems:
            body = "".join(pem.strip().splitlines()[1:-1])
            assert body[:64] not in text.replace("\n", "").replace("\\n", ""), f"a private key in the {name}"
        assert "PRIVATE KEY" not in text, f"a private key in the {name}"
        assert not JWT.search(text), f"a bearer token in the {name}: {JWT.search(text)}"
