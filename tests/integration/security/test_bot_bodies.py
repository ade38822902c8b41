"""Bodies that are not activities, with a valid token: 400, 413 or 415, one warning, nothing changed."""

from __future__ import annotations

import json
import logging

import pytest

from adaptive_cards import verbs
from tests.integration.bot.teams import User
from tests.integration.security.conftest import SignedTeams
from tests.integration.security.invariants import row_counts

ANA = User("ana")

NOT_ACTIVITIES: dict[str, tuple[bytes, str]] = {
    "not JSON": (b"{not json", "application/json"),
    "a JSON list": (b"[1, 2, 3]", "application/json"),
    "a JSON string": (b'"message"', "application/json"),
    "an object without a type": (b'{"text": "hi"}', "application/json"),
    "a type that is a number": (b'{"type": 7}', "application/json"),
    "a type that is an object": (b'{"type": {"a": 1}}', "application/json"),
    "bytes that are not UTF-8": (b'{"type": "\xff\xfe"}', "application/json"),
}


def _auth(teams: SignedTeams) -> dict[str, str]:
    return {"Authorization": "Bearer " + teams.issuer.token(teams.service_url)}


@pytest.mark.parametrize("case", list(NOT_ACTIVITIES))
async def test_a_body_that_is_not_an_activity_is_a_400(
    signed_teams: SignedTeams, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = NOT_ACTIVITIES[case]
    before = await row_counts(signed_teams.engine)
    caplog.set_level(logging.INFO)
    response = await signed_teams.client.post(
        "/api/messages", data=body, headers=_auth(signed_teams) | {"Content-Type": content_type}
    )
    assert response.status == 400, await response.text()
    assert "not a Bot Framework activity" in await response.text()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == ["bot request refused"]
    assert await row_counts(signed_teams.engine) == before


async def test_a_body_that_is_not_json_by_its_content_type_is_a_415(signed_teams: SignedTeams) -> None:
    response = await signed_teams.client.post(
        "/api/messages", data=b"type=message", headers=_auth(signed_teams) | {"Content-Type": "text/plain"}
    )
    assert response.status == 415


async def test_a_body_without_a_content_type_is_a_415_not_a_500(signed_teams: SignedTeams) -> None:
    response = await signed_teams.client.post("/api/messages", data=b"", headers=_auth(signed_teams))
    assert response.status in (400, 415)


async def test_a_body_over_the_limit_is_a_413_and_nothing_changes(signed_teams: SignedTeams) -> None:
    activity = signed_teams.activity(ANA, "message", text="x" * 100_000)
    before = await row_counts(signed_teams.engine)
    response = await signed_teams.client.post(
        "/api/messages",
        data=json.dumps(activity),
        headers=_auth(signed_teams) | {"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert await row_counts(signed_teams.engine) == before


async def test_an_oversized_body_without_a_token_is_refused_before_it_is_read(
    signed_teams: SignedTeams,
) -> None:
    response = await signed_teams.client.post(
        "/api/messages", data=b"x" * 200_000, headers={"Content-Type": "application/json"}
    )
    assert response.status == 401


async def test_a_valid_activity_under_the_limit_is_served(signed_teams: SignedTeams) -> None:
    status, body = await signed_teams.post(signed_teams.invoke(ANA, verbs.STATUS))
    assert status == 200, body
