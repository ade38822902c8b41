"""Bad input never gets a 5xx and never half-saves; first contacts and repeated joins hold under concurrency.

With an app id set (the channel's keys on 127.0.0.1), the token is checked before the body is parsed: a
deeply nested body from someone without a token is a 401, from the channel a 400 with a clear message."""

from __future__ import annotations

import asyncio

from adaptive_cards import verbs
from tests.integration.bot.teams import User, card_text
from tests.integration.security.conftest import SignedTeams
from tests.integration.security.invariants import row_counts, violations

ANA = User("ana")
NESTED = b'{"type": "message", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"


async def test_a_deeply_nested_body_without_a_token_is_a_401_before_any_parsing(
    signed_teams: SignedTeams,
) -> None:
    response = await signed_teams.client.post(
        "/api/messages", data=NESTED, headers={"Content-Type": "application/json"}
    )
    assert response.status == 401


async def test_a_deeply_nested_body_from_the_channel_is_a_400_saying_why(signed_teams: SignedTeams) -> None:
    token = signed_teams.issuer.token(signed_teams.service_url)
    response = await signed_teams.client.post(
        "/api/messages",
        data=NESTED,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert response.status == 400
    assert "nested too deeply" in await response.text()


async def test_twenty_first_messages_from_a_new_tenant_at_once_each_get_an_answer_and_make_one_person_each(
    signed_teams: SignedTeams,
) -> None:
    people = [User(f"new{n}", tenant="tenant-new") for n in range(20)]
    answers = await asyncio.gather(*(signed_teams.click(p, verbs.HELP) for p in people))
    assert all("went wrong" not in card_text(c) and "Nothing changed" not in card_text(c) for c in answers)
    counts = await row_counts(signed_teams.engine)
    assert counts["organizations"] == 1 and counts["persons"] == 20
    assert await violations(signed_teams.engine) == {}
