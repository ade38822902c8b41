"""Generated Teams activities and card submissions, through real HTTP to /api/messages: never a 5xx, and
the database's invariants hold afterwards (see invariants.py). The bot runs without an app id here so the
generated bodies reach the handlers; the token checks are tested in test_bot_auth.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from hypothesis import strategies as st
from sqlalchemy import text

from adaptive_cards import verbs
from peerlearn.app import RUNTIME, create_app
from peerlearn.settings import Settings
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data
from tests.integration.bot.test_bot_http import join
from tests.integration.security.fuzz import HOSTILE_TEXT, JSON, SCALAR, run_examples
from tests.integration.security.invariants import violations

ANA, BO = User("ana"), User("bo")
USERS = [ANA, BO, User("mallory", tenant="tenant-b"), User("eve", tenant="tenant-c")]
VERBS = [v for k, v in vars(verbs).items() if k.isupper() and isinstance(v, str)]
SETUP = {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2", "cross_department": "true"}


@pytest.fixture
async def seeded(
    database_url: str,
    connector: tuple[FakeConnector, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> tuple[Teams, dict[str, list[str]]]:
    """Two people of tenant-a joined a program with a proposed pairing; the ids are what fuzzing reuses."""
    settings = Settings(_env_file=None, database_url=database_url, log_format="json", run_worker=False)
    client = await aiohttp_client(create_app(settings), server_kwargs={"host": "127.0.0.1"})
    teams = Teams(client, connector[1])
    fake = connector[0]
    welcome = await join(teams, fake, ANA)
    await join(teams, fake, BO)
    program = action_data(welcome, verbs.JOIN)["program_id"]
    await teams.click(ANA, verbs.SETUP_SAVE, SETUP | {"program_id": program})
    await teams.say(ANA, "match now")
    app: web.Application = client.app
    ids: dict[str, list[str]] = {}
    async with app[RUNTIME].engine.connect() as connection:
        for table in ("programs", "persons", "pairings", "rounds"):
            ids[table] = [
                str(r[0]) for r in (await connection.execute(text(f"SELECT id FROM {table}"))).all()
            ]
    assert ids["pairings"], "the seed should have proposed a pairing"
    return teams, ids


def _data(ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    known = st.sampled_from([i for values in ids.values() for i in values])
    id_keys = st.sampled_from(["program_id", "pairing_id", "person_id", "round_id", "version", "concern_id"])
    fields = st.dictionaries(st.one_of(id_keys, st.text(max_size=15)), st.one_of(known, SCALAR), max_size=6)
    return st.one_of(fields, JSON)


def _activities(teams: Teams, ids: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    user = st.sampled_from(USERS)
    team = st.one_of(st.none(), st.just("19:platform@thread.tacv2"), HOSTILE_TEXT)
    invoke = st.builds(
        lambda u, verb, data, trigger, kind, t: (
            teams.invoke(u, verb, {}, team=t if isinstance(t, str) else None)
            | {"value": {"action": {"type": kind, "verb": verb, "data": data}, "trigger": trigger}}
        ),
        user,
        st.one_of(st.sampled_from(VERBS), HOSTILE_TEXT, SCALAR),
        _data(ids),
        st.one_of(st.sampled_from(["manual", "automatic"]), SCALAR),
        st.one_of(st.just("Action.Execute"), SCALAR),
        team,
    )
    message = st.builds(
        lambda u, words: teams.activity(u, "message", text=words),
        user,
        st.one_of(st.sampled_from(["help", "status", "match now", "join", "delete my data"]), HOSTILE_TEXT),
    )
    submit = st.builds(lambda u, value: teams.activity(u, "message", value=value), user, JSON)
    other = st.builds(
        lambda u, kind, extra: teams.activity(u, kind) | extra,
        user,
        st.sampled_from(["conversationUpdate", "installationUpdate", "messageReaction", "event", "invoke"]),
        st.dictionaries(
            st.sampled_from(["membersAdded", "membersRemoved", "action", "name", "value", "channelData"]),
            JSON,
            max_size=3,
        ),
    )
    garbled = st.builds(
        lambda base, key, value: base | {key: value},
        st.one_of(invoke, message),
        st.sampled_from(
            ["from", "conversation", "channelData", "recipient", "value", "attachments", "entities"]
        ),
        JSON,
    )
    return st.one_of(invoke, message, submit, other, garbled)


async def test_generated_activities_and_card_submissions_never_get_a_5xx_and_leave_the_database_sound(
    seeded: tuple[Teams, dict[str, list[str]]],
) -> None:
    teams, ids = seeded
    statuses: list[int] = []

    async def post(activity: dict[str, Any]) -> None:
        status, body = await teams.post(activity)
        statuses.append(status)
        assert status < 500, (activity, body)

    await run_examples(_activities(teams, ids), post)
    assert len(statuses) >= 20
    app: web.Application = teams.client.app
    assert await violations(app[RUNTIME].engine) == {}
