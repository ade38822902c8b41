"""Running the Alembic migrations from code: `peerlearn migrate`, start-up and the tests use this."""

from __future__ import annotations

import functools
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: command.upgrade(alembic_config(c), revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: command.downgrade(alembic_config(c), revision))


@functools.cache
def newest_revisions() -> frozenset[str]:
    """The heads of the migrations this code ships. Read once: parsing the scripts took 5-7 ms of CPU, on
    every health check, on the serving event loop."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def state(engine: AsyncEngine) -> str:
    """'current' when the database is at the newest revisions, else 'behind (…)' naming what it has."""

    def _read(connection: Connection) -> str:
        heads = newest_revisions()
        current = set(MigrationContext.configure(connection).get_current_heads())
        if current == heads:
            return "current"
        return f"behind (at {', '.join(sorted(current)) or 'nothing'}; newest {', '.join(sorted(heads))})"

    async with engine.connect() as connection:
        return await connection.run_sync(_read)
