"""Shared fixtures. Database-backed tests take `database_url` (or `uow_factory`) and so run on every lane:

- sqlite: always, a fresh file per test;
- postgresql: when `PEERLEARN_TEST_POSTGRES_URL` names a server (an admin URL such as
  `postgresql://postgres@127.0.0.1:5432/postgres`); a fresh database per test, dropped afterwards.
  Without it the lane is skipped, and the run says so at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.database import create_engine, session_factory, transaction_slots
from storage.unit_of_work import SqlUnitOfWorkFactory

POSTGRES_ENV = "PEERLEARN_TEST_POSTGRES_URL"
_skipped_lanes: set[str] = set()


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


async def _create_postgres_database(admin_url: str) -> str:
    import asyncpg  # only the PostgreSQL lane needs the driver directly

    name = f"peerlearn_test_{uuid.uuid4().hex[:12]}"
    url = make_url(admin_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(admin_url: str, database_url: str) -> None:
    import asyncpg

    name = make_url(database_url).database
    url = make_url(admin_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """An empty database of each kind, not yet migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'peerlearn.db'}"
        return
    admin = postgres_admin_url()
    if admin is None:
        _skipped_lanes.add("postgresql")
        pytest.skip(f"PostgreSQL lane skipped: set {POSTGRES_ENV} (the CI script .ci/run does)")
    url = await _create_postgres_database(admin)
    try:
        yield url
    finally:
        await _drop_postgres_database(admin, url)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database, for the tests about PostgreSQL's own behaviour (no SQLite lane)."""
    admin = postgres_admin_url()
    if admin is None:
        _skipped_lanes.add("postgresql")
        pytest.skip(f"PostgreSQL lane skipped: set {POSTGRES_ENV} (the CI script .ci/run does)")
    url = await _create_postgres_database(admin)
    try:
        yield url
    finally:
        await _drop_postgres_database(admin, url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to the newest revisions."""
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(session_factory(engine), transaction_slots(engine))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "postgresql" in _skipped_lanes:
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL lane was SKIPPED ({POSTGRES_ENV} is not set); "
            "every database test ran on SQLite only. `bash .ci/run` installs PostgreSQL and runs both lanes.",
            yellow=True,
            bold=True,
        )
    elif postgres_admin_url():
        terminalreporter.write_line("Database lanes: SQLite and PostgreSQL.", green=True)
