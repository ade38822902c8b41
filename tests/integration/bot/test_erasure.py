"""Delete means gone, export means everything: checked against every table the models define.

A full journey with three people (a team, a round, accepted pairings, check-ins, a concern, delivered
messages), then Boris exports his data and deletes it. The walk reads every string and JSON column of every
table from `Base.metadata`, so a table added later that keeps a copy of someone's name or words makes this
test fail until erasure covers it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.ext.asyncio import create_async_engine

from adaptive_cards import verbs
from peerlearn.app import create_app
from peerlearn.settings import Settings
from storage.database import normalize_database_url
from storage.models import Base
from storage.repositories.traces import PERSON_COLUMNS
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text

ANNA, BORIS, CYRIL = User("annabel"), User("boris"), User("cyril")
TEAM = "19:team-erasure@thread.tacv2"
GOALS = {"annabel": "Ship a Go service", "boris": "Master Helm charts unique-goal-7", "cyril": "Learn Rust"}
BORIS_WORDS = ("Learned helm-umbrella-42 tricks", "Stuck on chart-lint-99", "Concern: zebra-quartz-31")


def _profile(user: User) -> dict[str, str]:
    teach, learn = {"annabel": ("Go", "Rust"), "boris": ("Rust", "Go"), "cyril": ("Go", "Rust")}[user.key]
    return {
        "department": "Platform",
        "timezone": "Europe/Berlin",
        "hours_per_month": "6",
        "teach_skill_0": teach,
        "teach_level_0": "5",
        "learn_skill_0": learn,
        "learn_level_0": "2",
        "goals": GOALS[user.key],
    }


def _boris_values() -> list[str]:
    return [
        "Boris",
        BORIS.member["email"],
        BORIS.account["aadObjectId"],
        BORIS.id,
        BORIS.chat,
        GOALS["boris"],
        *BORIS_WORDS,
    ]


async def _journey(teams: Teams, fake: FakeConnector) -> str:
    fake.members.extend([ANNA.member, BORIS.member, CYRIL.member])
    status, _ = await teams.post(
        teams.activity(ANNA, "conversationUpdate", team=TEAM, membersAdded=[{"id": "28:peerlearn-bot"}])
    )
    assert status in (200, 201)
    program = action_data(fake.cards(TEAM)[-1], verbs.JOIN)["program_id"]
    for user in (ANNA, BORIS, CYRIL):
        await teams.say(user, "help")  # each has a 1:1 chat, so its reference is stored
        joined = await teams.click(user, verbs.JOIN, {"program_id": program, "version": "1"}, team=TEAM)
        assert "You accepted" in card_text(joined)
        assert "Saved" in card_text(await teams.click(user, verbs.PROFILE_SAVE, _profile(user)))
    setup = {"program_id": program, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in card_text(await teams.click(ANNA, verbs.SETUP_SAVE, setup | {"max_level_gap": "3"}))
    assert await teams.say(ANNA, "match now") in (200, 201)
    pairing = await _boris_pairing(teams)
    for user in (ANNA, BORIS, CYRIL):
        await teams.click(user, verbs.PAIRING_ACCEPT, {"pairing_id": pairing})
    learned, blockers, concern = BORIS_WORDS
    answer = {"met": "yes", "usefulness": "4", "learned": learned, "blockers": blockers}
    thanks = await teams.click(
        BORIS, verbs.CHECKIN_SUBMIT, {"pairing_id": pairing} | answer | {"confidential_note": concern}
    )
    assert "Thanks" in card_text(thanks), card_text(thanks)
    await teams.delivered()  # the outbox sender delivers the proposals and introductions
    return pairing


async def _boris_pairing(teams: Teams) -> str:
    status = await teams.click(BORIS, verbs.STATUS)
    return str(action_data(status, verbs.PAIRING_VIEW)["pairing_id"])


async def _rows(database_url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_async_engine(normalize_database_url(database_url))
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                rows = (await connection.execute(select(table))).mappings().all()
                found[table.name] = [dict(r) for r in rows]
    finally:
        await engine.dispose()
    return found


def _text_columns(table_name: str) -> list[str]:
    table = Base.metadata.tables[table_name]
    return [c.name for c in table.columns if isinstance(c.type, String | Text | JSON)]


async def test_delete_leaves_no_value_of_the_person_in_any_string_column_of_any_table(
    teams: Teams,
    connector: tuple[FakeConnector, str],
    database_url: str,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    fake, service_url = connector
    await _journey(teams, fake)
    before = await _rows(database_url)
    values = _boris_values()
    assert any(v in json.dumps(before, default=str) for v in values)  # the walk can see them at all

    # The delete is Boris's first turn in a freshly started server: nothing cached may write him back.
    settings = Settings(_env_file=None, database_url=database_url, log_format="text")  # type: ignore[call-arg]
    fresh = Teams(
        await aiohttp_client(create_app(settings), server_kwargs={"host": "127.0.0.1"}), service_url
    )
    assert await fresh.say(BORIS, "delete my data") in (200, 201)
    confirm = next(
        action_data(c, verbs.DELETE_CONFIRM)
        for c in reversed(fake.cards(BORIS.chat))
        if "Delete" in card_text(c)
    )
    done = await fresh.click(BORIS, verbs.DELETE_CONFIRM, confirm)
    assert "deleted" in card_text(done).lower(), card_text(done)
    await fresh.delivered()
    await asyncio.sleep(1.5)  # and every after-turn step (outside the outbox) runs

    after = await _rows(database_url)
    leaks = [
        f"{table}.{column}: {value!r}"
        for table, rows in after.items()
        for row in rows
        for column in _text_columns(table)
        for value in values
        if row.get(column) is not None and value in json.dumps(row[column], default=str, ensure_ascii=False)
    ]
    assert not leaks, "values of the deleted person remain:\n" + "\n".join(leaks)
    # Nor what the round wrote to him ("You teach … at level 4", his goals, his hours in his time).
    boris = next(r["id"] for r in before["persons"] if r["display_name"] == "Boris")
    written_to = [
        [r["factor"] for r in row["reasons"] if r["factor"].startswith(f"for:{boris}:")]
        for row in before["pairings"]
    ]
    assert any(written_to), "the round wrote Boris no reasons of his own: the check below would prove nothing"
    assert not any(f"for:{boris}:" in json.dumps(row["reasons"]) for row in after["pairings"])
    # His partners were told neutrally, and the pairing history kept its shape.
    told = [
        c for c in fake.cards(ANNA.chat) + fake.cards(CYRIL.chat) if "no longer taking part" in card_text(c)
    ]
    assert told and all("deleted" not in card_text(c) for c in told)


async def exported_file(teams: Teams, fake: FakeConnector, user: User) -> dict[str, Any]:
    """The full export, as the person gets it: Teams' file offer in their 1:1 chat, accepted, uploaded."""
    offer = fake.attachments("application/vnd.microsoft.teams.card.file.consent", user.chat)[-1]
    status, _ = await teams.post(
        teams.file_consent(user, offer["content"]["acceptContext"], name=offer["name"])
    )
    assert status == 200
    exported: dict[str, Any] = json.loads(fake.uploads[offer["name"]])
    return exported


async def test_export_holds_every_row_that_refers_to_the_person(
    teams: Teams, connector: tuple[FakeConnector, str], database_url: str
) -> None:
    fake, _ = connector
    await _journey(teams, fake)
    await teams.say(BORIS, "my data")
    exported = await exported_file(teams, fake, BORIS)
    records = exported["stored_records"]
    rows = await _rows(database_url)
    boris = next(r for r in rows["persons"] if r["aad_object_id"] == BORIS.account["aadObjectId"])
    missing = []
    for table, table_rows in rows.items():
        columns = [c.name for c in Base.metadata.tables[table].columns if c.name in PERSON_COLUMNS]
        for row in table_rows:
            if any(row.get(c) == boris["id"] for c in columns) and not any(
                all(
                    str(r.get(k)) == str(v)
                    for k, v in row.items()
                    if k in ("id", "key", "pairing_id", "program_id")
                )
                for r in records.get(table, [])
            ):
                missing.append(f"{table}: {row}")
    assert not missing, "rows about the person missing from the export:\n" + "\n".join(missing)
    assert records.get("conversation_references"), "the export has the person's conversation reference"
    assert records.get("outbox_deliveries"), "the export has the delivery records of messages to the person"
