from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.errors import ConcurrentChange
from storage.database import BUSY_TIMEOUT_SECONDS, sqlite_file
from storage.repositories.activity import (
    SqlCheckInRepository,
    SqlConcernRepository,
    SqlOutboxRepository,
)
from storage.repositories.deliveries import SqlDeliveryRecordRepository
from storage.repositories.delivery_queue import (
    SqlGraphRepository,
    SqlLeaseRepository,
    SqlOutboxQueueRepository,
)
from storage.repositories.figures import SqlProgramFigures
from storage.repositories.lti import SqlLtiRepository
from storage.repositories.notes import SqlNoteRepository
from storage.repositories.pairings import SqlPairingRepository, SqlRoundRepository
from storage.repositories.people import SqlOrganizationRepository, SqlPersonRepository, SqlProfileRepository
from storage.repositories.programs import SqlEnrollmentRepository, SqlProgramRepository
from storage.repositories.rosters import SqlTeamRosterRepository
from storage.repositories.teams import SqlActivityClaimRepository, SqlConversationRepository
from storage.repositories.traces import SqlPersonalTraceRepository
from storage.sqlite_writer import WriterTurn, WriterTurnTimeout

SLOT_WAIT_SECONDS = 60
MAX_WRITER_YIELD = 0.25
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


BUSY = "The database was busy with another writer, so nothing was saved. Try again."


def is_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked": another process held the write lock past the busy timeout. Nothing
    of this transaction was written; running it again is safe (as for a unique key taken meanwhile)."""
    return getattr(error.orig, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or (
        "database is locked" in str(error.orig)
    )


def is_unique_violation(error: IntegrityError) -> bool:
    """A unique key another transaction took first (not a foreign key or a check: those are bugs)."""
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code is not None:
        return bool(code == UNIQUE_VIOLATION)
    name = getattr(original, "sqlite_errorname", "")
    return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY") or "UNIQUE constraint" in str(
        original
    )


class SqlUnitOfWork:
    """One session, one transaction. Rolls back on leaving the block unless `commit()` was called.

    It does not nest: the bus (`core.bus`) opens one per request or job step and is the only one to commit;
    handlers get the open unit and never enter it. Entering an open unit again is a programming error.
    """

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        turns: asyncio.Semaphore | None = None,
        yields_writer: bool = False,
        writer: WriterTurn | None = None,
    ) -> None:
        """`writer`: SQLite's writer turn this unit takes for its transaction (None: it only reads, or the
        database is PostgreSQL)."""
        self._sessions = sessions
        self._turns = turns
        self._yields_writer = yields_writer
        self._writer = writer
        self._open = False
        self._committed_after: float | None = None

    async def __aenter__(self) -> Self:
        if self._open:
            raise RuntimeError(
                "A unit of work does not nest: the bus opens one, and handlers use it as given."
            )
        if self._turns is not None:
            async with asyncio.timeout(SLOT_WAIT_SECONDS):  # as long as the pool would wait
                await self._turns.acquire()
        if self._writer is not None:
            try:
                await self._writer.take()
            except BaseException as error:
                if self._turns is not None:
                    self._turns.release()
                if isinstance(error, WriterTurnTimeout):
                    raise ConcurrentChange(BUSY) from error
                raise
        self._open = True
        self._committed_after = None
        self._opened = time.monotonic()
        self.session = self._sessions()
        self.organizations = SqlOrganizationRepository(self.session)
        self.persons = SqlPersonRepository(self.session)
        self.profiles = SqlProfileRepository(self.session)
        self.programs = SqlProgramRepository(self.session)
        self.enrollments = SqlEnrollmentRepository(self.session)
        self.rounds = SqlRoundRepository(self.session)
        self.pairings = SqlPairingRepository(self.session)
        self.check_ins = SqlCheckInRepository(self.session)
        self.figures = SqlProgramFigures(self.session)
        self.concerns = SqlConcernRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        self.traces = SqlPersonalTraceRepository(self.session)
        self.rosters = SqlTeamRosterRepository(self.session)
        self.conversations = SqlConversationRepository(self.session)
        self.activity_claims = SqlActivityClaimRepository(self.session)
        self.deliveries = SqlDeliveryRecordRepository(self.session)
        self.leases = SqlLeaseRepository(self.session)
        self.outbox_queue = SqlOutboxQueueRepository(self.session)
        self.graph = SqlGraphRepository(self.session)
        self.notes = SqlNoteRepository(self.session)
        self.lti = SqlLtiRepository(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._open = False
        try:
            await self.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                try:
                    if self._writer is not None:
                        self._writer.give_back()
                finally:
                    if self._turns is not None:
                        self._turns.release()
        if self._committed_after is not None:
            await _yield_writer(self.session, self._committed_after)
        if isinstance(exc, IntegrityError) and is_unique_violation(exc):
            # A unique key another transaction took first: the core's own word for it, safe to retry.
            raise ConcurrentChange() from exc
        if isinstance(exc, OperationalError) and is_busy(exc):
            raise ConcurrentChange(BUSY) from exc

    async def commit(self) -> None:
        try:
            await self.session.commit()
            if self._yields_writer:
                self._committed_after = time.monotonic() - self._opened
        except IntegrityError as error:
            if is_unique_violation(error):
                raise ConcurrentChange() from error
            raise
        except OperationalError as error:
            if is_busy(error):
                raise ConcurrentChange(BUSY) from error
            raise

    async def rollback(self) -> None:
        await self.session.rollback()


async def _yield_writer(session: AsyncSession, held: float) -> None:
    """A background writer on SQLite (a round stored in slices by a worker process) pauses after each commit
    as long as it held the database, up to `MAX_WRITER_YIELD`. SQLite does not queue writers across
    processes: the server's writer sleeps in SQLite's busy handler (in steps of up to 100 ms) and would miss
    the microseconds between two slices, waiting seconds; now it finds the database free within a step.
    PostgreSQL locks rows, not the database: no pause there."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "sqlite":
        await asyncio.sleep(min(held, MAX_WRITER_YIELD))


class SqlUnitOfWorkFactory:
    """Units of work on `sessions`; with `slots`, at most that many hold a transaction at once.

    Give `slots` the size of the connection pool. Transactions beyond it then wait here, first come first
    served. Waiting in the pool itself is not fair: a connection handed back goes to whoever asks next, and
    a waiter that loses it to a newcomer queues again at the back (asyncio.Queue's `get`), which under 100
    concurrent card actions made the slowest 1 % wait more than twice as long as the median.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        slots: int | None = None,
        *,
        background: bool = False,
        writer_wait_seconds: float = BUSY_TIMEOUT_SECONDS,
    ) -> None:
        """`background`: units of a process that writes in bulk beside the serving one (a round's worker
        process), which on SQLite let the server's writes in between theirs (see `_yield_writer`).
        `writer_wait_seconds` (SQLite): how long a unit waits for the writer's turn, as SQLite's busy timeout
        (`storage.sqlite_writer`)."""
        self.sessions = sessions
        self._turns = asyncio.Semaphore(slots) if slots else None
        self._background = background
        database = _sqlite_file(sessions)
        self._writer = WriterTurn(database, writer_wait_seconds) if database is not None else None

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        """`read_only`: the unit writes nothing (the bus rolls it back), so on SQLite it reads beside the
        writer instead of waiting for the writer's turn."""
        writer = None if read_only else self._writer
        return SqlUnitOfWork(self.sessions, self._turns, self._background, writer)


def _sqlite_file(sessions: async_sessionmaker[AsyncSession]) -> Path | None:
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return None
    return sqlite_file(bind.url.render_as_string(hide_password=False))
