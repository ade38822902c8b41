"""Engines and sessions. Built by the composition root at start-up, never at import time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool, QueuePool

SUPPORTED = ("sqlite+aiosqlite", "postgresql+asyncpg")
SQLITE_CONNECTIONS = 1
POSTGRES_CONNECTIONS = 10
IDLE_TRANSACTION_SECONDS = 60.0
BUSY_TIMEOUT_SECONDS = 10.0


def normalize_database_url(url: str) -> str:
    """Accept the URLs people have (`postgres://…`, `postgresql://…`, `sqlite:///…`) and pick the async driver."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("postgres", "postgresql", "postgresql+asyncpg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif driver in ("sqlite", "sqlite+aiosqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise ValueError(
            f"DATABASE_URL has the driver '{driver}'. Use 'sqlite:///path/to/file.db' or 'postgresql://user@host/db'."
        )
    return parsed.render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite database URL; None for PostgreSQL and for an in-memory SQLite database."""
    parsed = make_url(normalize_database_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_rules(busy_timeout_seconds: float) -> Callable[[Any, Any], None]:
    def enable(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Foreign keys are off by default in SQLite; WAL lets the worker and the web handlers read while one
        # writes.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.close()

    return enable


def create_engine(
    url: str,
    *,
    echo: bool = False,
    idle_transaction_seconds: float = IDLE_TRANSACTION_SECONDS,
    busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS,
    connections: int | None = None,
) -> AsyncEngine:
    """`idle_transaction_seconds` (PostgreSQL): the server ends a session left that long inside an open
    transaction. A process paused (SIGSTOP, a frozen VM) or wedged while it holds row locks would otherwise
    block every other instance behind those locks until it woke; its own next statement then fails and
    the pool replaces the connection. Work here never idles inside a transaction: matching runs between
    two units of work, not in one.

    `busy_timeout_seconds` (SQLite): how long a writer waits for another process's write to end before
    "database is locked" (then `ConcurrentChange`, which the caller may retry). A round's worker process waits
    longer than a request does: its slices must get in between the server's many short writes.

    `connections`: the pool's size, when not the usual one (`SQLITE_CONNECTIONS`, `POSTGRES_CONNECTIONS`)."""
    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = sqlite_file(url)
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        if parsed.database == ":memory:":
            engine = create_async_engine(url, echo=echo, poolclass=NullPool, hide_parameters=True)
        else:
            # SQLite has one writer at a time. With several connections, a turn that wants to write while
            # another holds the lock spins in SQLite's busy handler (sleeps of up to 100 ms, retried), which
            # made the tail latency seconds long under 100 concurrent card actions. One connection per process
            # queues transactions fairly in the pool instead; reads lose little, as they share the GIL anyway.
            engine = create_async_engine(
                url,
                echo=echo,
                pool_size=connections or SQLITE_CONNECTIONS,
                max_overflow=0,
                pool_timeout=60,
                hide_parameters=True,  # a failed statement's values (people's names and words) stay out of logs
            )
        event.listen(engine.sync_engine, "connect", _sqlite_rules(busy_timeout_seconds))
        return engine
    # A fixed pool and no overflow: overflow connections are closed when handed back, so under a sustained
    # burst they were opened and closed per request (a new PostgreSQL backend each time). Requests beyond
    # the pool wait their turn (in order: see `transaction_slots`); a request holds a connection for its one
    # transaction only.
    return create_async_engine(
        url,
        echo=echo,
        pool_size=connections or POSTGRES_CONNECTIONS,
        max_overflow=0,
        pool_timeout=60,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={
            "server_settings": {
                "idle_in_transaction_session_timeout": str(int(idle_transaction_seconds * 1000)),
                # asyncpg prepares every statement; after five runs PostgreSQL may keep one generic plan for
                # it, made with the statistics of the moment. Planned while `pairing_members` was nearly
                # empty, a person's pairings became a nested loop over every row once a round had stored
                # tens of thousands: a card action took 20-40 s. A plan per run costs well under a millisecond.
                "plan_cache_mode": "force_custom_plan",
            }
        },
    )


def transaction_slots(engine: AsyncEngine) -> int | None:
    """How many transactions can hold a connection at once: the fixed pool's size (None: no fixed pool)."""
    pool = engine.pool
    return pool.size() if isinstance(pool, QueuePool) else None


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


ROUND_TABLES = ("rounds", "pairings", "pairing_members", "outbox", "enrollments")


# Rows ANALYZE samples per SQLite index: milliseconds at 100,000 people, and enough to rank the indexes.
SQLITE_ANALYSIS_LIMIT = 1000


async def refresh_statistics(engine: AsyncEngine, tables: tuple[str, ...] = ROUND_TABLES) -> None:
    """Let the planner see the tables as they are: at start-up and after a bulk write (a round of thousands).

    PostgreSQL: ANALYZE `tables` now rather than at autovacuum's next pass.

    SQLite plans without statistics unless asked, and then takes any equality for a selective one: every
    org-scoped table has an index on `organization_id` alone, and a person's skills (`organization_id = ?
    AND person_id IN (…)`) were read through it, every row of the tenant (45 ms a card action at 100,000
    people, where the unique index on `person_id` finds them in microseconds). ANALYZE over the whole file,
    sampling `SQLITE_ANALYSIS_LIMIT` rows per index, records that an organisation has thousands of rows and a
    person a handful; that ranking holds as the tables grow."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            await connection.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
            await connection.execute(text("ANALYZE"))
        elif engine.dialect.name == "postgresql":
            for table in tables:
                await connection.execute(text(f'ANALYZE "{table}"'))
        await connection.commit()
