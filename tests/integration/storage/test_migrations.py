from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.database import create_engine
from storage.schema import metadata


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names())) - {"alembic_version"}


async def test_upgrade_from_empty_creates_every_table_and_downgrade_removes_them(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await _tables(engine) == set()
        await migrate.upgrade(engine)
        assert await _tables(engine) == set(metadata.tables)
        assert await migrate.state(engine) == "current"
        await migrate.downgrade(engine, "base")
        assert await _tables(engine) == set()
        assert (await migrate.state(engine)).startswith("behind")
        await migrate.upgrade(engine)  # and back up again: the downgrade left nothing behind
        assert await migrate.state(engine) == "current"
    finally:
        await engine.dispose()


async def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
        assert diff == []
    finally:
        await engine.dispose()
