"""SQLite plans without statistics unless asked; the app asks at start-up, after big rounds and every few
hours. Measured before: a `help` card action on a tenant of 100,000 read every skill row of the tenant
(the `organization_id` index) to find one person's three (45 of its 59 ms)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.serving_during_round.seed import ORG, seed
from core.model import ProgramKind
from peerlearn.app import create_app
from peerlearn.settings import Settings
from storage.database import create_engine, refresh_statistics, session_factory
from storage.unit_of_work import SqlUnitOfWorkFactory

PEOPLE = 1500


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tenant of 1,500 people with profiles (about three skills each), never analysed."""
    path = tmp_path_factory.mktemp("planner") / "seeded.db"
    asyncio.run(seed(f"sqlite:///{path}", PEOPLE, ProgramKind.PEER_PAIRS))
    return path


def copy_of(seeded: Path, copy: Path) -> Path:
    shutil.copyfile(seeded, copy)
    return copy


@pytest.fixture
async def engine(seeded: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    copy = await asyncio.to_thread(copy_of, seeded, tmp_path / "copy.db")
    opened = create_engine(f"sqlite:///{copy}")
    try:
        yield opened
    finally:
        await opened.dispose()


async def plan_of_reading_skills(engine: AsyncEngine) -> str:
    """The query plan of the statement the profile repository runs for three people's skills."""
    statements: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if "FROM profile_skills" in statement:
            statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
            profiles = await uow.profiles.many(ORG, ["p000001", "p000002", "p000003"])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert len(profiles) == 3 and statements
    statement, parameters = statements[0]
    async with engine.connect() as connection:
        raw = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " / ".join(str(row[-1]) for row in raw)


async def test_after_a_refresh_a_persons_skills_are_found_by_person_not_by_reading_the_tenant(
    engine: AsyncEngine,
) -> None:
    await refresh_statistics(engine)
    plan = await plan_of_reading_skills(engine)
    assert "ix_profile_skills_organization_id" not in plan, plan
    assert "sqlite_autoindex_profile_skills_1 (person_id=?)" in plan, plan


async def test_without_statistics_sqlite_reads_the_whole_tenant_for_them(engine: AsyncEngine) -> None:
    """What the refresh is for: the same statement on the database as seeded takes the tenant's index."""
    plan = await plan_of_reading_skills(engine)
    assert "ix_profile_skills_organization_id (organization_id=?)" in plan, plan


async def test_the_server_refreshes_the_statistics_when_it_starts(seeded: Path, tmp_path: Path) -> None:
    copy = await asyncio.to_thread(copy_of, seeded, tmp_path / "served.db")
    settings = Settings(
        _env_file=None, database_url=f"sqlite:///{copy}", log_level="WARNING", run_worker=False
    )
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        assert (await client.get("/healthz")).status == 200
    finally:
        await client.close()
    engine = create_engine(f"sqlite:///{copy}")
    try:
        async with engine.connect() as connection:
            analysed = await connection.scalar(text("SELECT count(*) FROM sqlite_stat1"))
        assert analysed and analysed > 10
        plan = await plan_of_reading_skills(engine)
        assert "ix_profile_skills_organization_id" not in plan, plan
    finally:
        await engine.dispose()
