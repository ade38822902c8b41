"""Forged requests to /api/messages, with an app id configured and the channel's keys on 127.0.0.1: each is a
401 and one warning without the token, and nothing changes; the channel's own token is accepted."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from adaptive_cards import verbs
from tests.integration.bot.teams import User
from tests.integration.security.conftest import SignedTeams
from tests.integration.security.invariants import row_counts, violations
from tests.integration.security.issuer import Issuer, new_key

ANA = User("ana")
EVIL = "https://evil.example/"
HOUR = 3600

Forge = Callable[[Issuer, str], str]


def _none_alg(issuer: Issuer, url: str) -> str:
    return "Bearer " + jwt.encode(issuer.claims(url), None, algorithm="none", headers={"kid": issuer.kid})  # type: ignore[arg-type]


def _hs256(issuer: Issuer, url: str) -> str:
    return "Bearer " + jwt.encode(
        issuer.claims(url), "s" * 32, algorithm="HS256", headers={"kid": issuer.kid}
    )


FORGERIES: dict[str, Forge] = {
    "no Authorization header": lambda i, u: "",
    "a Basic header": lambda i, u: "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
    "a bearer that is not a JWT": lambda i, u: "Bearer not-a-token",
    "a bearer of three garbage parts": lambda i, u: "Bearer aaaa.bbbb.cccc",
    "a token signed by an unknown key": lambda i, u: "Bearer " + i.token(u, key=new_key(), kid="other-key"),
    "a token signed by another key under the channel's kid": lambda i, u: (
        "Bearer " + i.token(u, key=new_key())
    ),
    "alg none": _none_alg,
    "HS256": _hs256,
    "an expired token": lambda i, u: (
        "Bearer " + i.token(u, exp=int(time.time()) - HOUR, nbf=int(time.time()) - 2 * HOUR)
    ),
    "a token not valid yet": lambda i, u: "Bearer " + i.token(u, nbf=int(time.time()) + HOUR),
    "a token for another app": lambda i, u: (
        "Bearer " + i.token(u, aud="99999999-2222-3333-4444-555555555555")
    ),
    "a token from another issuer": lambda i, u: "Bearer " + i.token(u, iss="https://api.botframework.com"),
    "a token for another serviceUrl": lambda i, u: "Bearer " + i.token(EVIL),
    "a token without a serviceurl claim": lambda i, u: "Bearer " + i.token(u, serviceurl=None),
    "a token without an expiry": lambda i, u: "Bearer " + i.token(u, exp=None),
}


async def _post(teams: SignedTeams, activity: dict[str, Any], header: str) -> tuple[int, str]:
    headers = {"Authorization": header} if header else {}
    response = await teams.client.post("/api/messages", json=activity, headers=headers)
    return response.status, await response.text()


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_a_forged_request_is_a_401_logged_once_without_the_token_and_changes_nothing(
    signed_teams: SignedTeams, caplog: pytest.LogCaptureFixture, forgery: str
) -> None:
    activity = signed_teams.invoke(ANA, verbs.HELP)
    header = FORGERIES[forgery](signed_teams.issuer, signed_teams.service_url)
    before = await row_counts(signed_teams.engine)
    caplog.clear()
    caplog.set_level(logging.INFO)

    status, body = await _post(signed_teams, activity, header)

    assert status == 401, body
    assert "signed by the Bot Framework" in body and "Traceback" not in body
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == ["bot request refused"]
    token = header.removeprefix("Bearer ").removeprefix("Basic ")
    for record in caplog.records:
        assert not token or token not in str(vars(record))
    assert await row_counts(signed_teams.engine) == before


async def test_a_token_whose_key_is_not_endorsed_for_the_channel_is_refused(
    signed_teams: SignedTeams,
) -> None:
    signed_teams.issuer.endorsements = ("webchat",)
    header = "Bearer " + signed_teams.issuer.token(signed_teams.service_url)
    status, _ = await _post(signed_teams, signed_teams.invoke(ANA, verbs.HELP), header)
    assert status == 401


async def test_the_channel_s_own_token_is_accepted_and_the_card_comes_back(
    signed_teams: SignedTeams,
) -> None:
    status, body = await signed_teams.post(signed_teams.invoke(ANA, verbs.HELP))
    assert status == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    counts = await row_counts(signed_teams.engine)
    assert counts["persons"] == 1 and counts["processed_activities"] == 1
    assert await violations(signed_teams.engine) == {}


async def test_the_keys_are_fetched_once_not_per_request(signed_teams: SignedTeams) -> None:
    for _ in range(3):
        status, _ = await signed_teams.post(signed_teams.invoke(ANA, verbs.HELP))
        assert status == 200
    assert signed_teams.issuer.fetches == 2  # the metadata document and the key set


async def test_forged_kids_do_not_make_the_bot_refetch_the_keys_on_every_request(
    signed_teams: SignedTeams,
) -> None:
    issuer, url = signed_teams.issuer, signed_teams.service_url
    assert (await signed_teams.post(signed_teams.invoke(ANA, verbs.HELP)))[0] == 200
    for n in range(5):
        header = "Bearer " + issuer.token(url, key=new_key(), kid=f"forged-{n}")
        assert (await _post(signed_teams, signed_teams.invoke(ANA, verbs.HELP), header))[0] == 401
    assert issuer.fetches == 2
