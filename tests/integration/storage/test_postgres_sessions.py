"""PostgreSQL sessions as the app sets them up: a paused process does not hold the others behind its row
locks, and plans follow the tables as a big round fills them."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage import migrate
from storage.database import create_engine, refresh_statistics

# PostgreSQL only: on SQLite each process has one connection, and its transactions are never left idle.
pytestmark = pytest.mark.postgres


async def test_a_session_idle_in_its_transaction_is_ended_and_its_locks_freed(postgres_url: str) -> None:
    database_url = postgres_url
    engine = create_engine(database_url, idle_transaction_seconds=1)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO job_leases (name, holder, expires_at) VALUES ('send:acme', 'a', now())")
            )
        paused = await engine.connect()
        await paused.begin()
        await paused.execute(text("UPDATE job_leases SET holder = 'paused' WHERE name = 'send:acme'"))
        await asyncio.sleep(2.0)  # the holder is frozen past the timeout, its row lock taken

        # The other instance takes the row without waiting for the frozen one to wake.
        async with engine.begin() as other:
            await asyncio.wait_for(
                other.execute(text("UPDATE job_leases SET holder = 'other' WHERE name = 'send:acme'")),
                timeout=10,
            )
        with pytest.raises(DBAPIError):
            await paused.execute(text("SELECT 1"))
        await paused.invalidate()
        async with engine.connect() as check:
            holder = (
                await check.execute(text("SELECT holder FROM job_leases WHERE name = 'send:acme'"))
            ).scalar_one()
        assert holder == "other"
    finally:
        await engine.dispose()


async def test_statements_are_planned_for_the_tables_as_they_are_now(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            mode = (await connection.execute(text("SHOW plan_cache_mode"))).scalar_one()
        assert mode == "force_custom_plan"  # no generic plan kept from when a table was empty
        await refresh_statistics(engine)
        async with engine.connect() as connection:
            analyzed = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_user_tables "
                        "WHERE relname IN ('pairings', 'pairing_members', 'outbox') AND last_analyze IS NOT NULL"
                    )
                )
            ).scalar_one()
        assert analyzed == 3
    finally:
        await engine.dispose()
