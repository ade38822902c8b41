from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import ConcurrentChange
from storage.repositories.activity import (
    SqlCheckInRepository,
    SqlConcernRepository,
    SqlOutboxRepository,
)
from storage.repositories.pairings import SqlPairingRepository, SqlRoundRepository
from storage.repositories.people import SqlOrganizationRepository, SqlPersonRepository, SqlProfileRepository
from storage.repositories.programs import SqlEnrollmentRepository, SqlProgramRepository
from storage.repositories.rosters import SqlTeamRosterRepository
from storage.repositories.traces import SqlPersonalTraceRepository

SLOT_WAIT_SECONDS = 60
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


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

    Re-entrant, so that one request can run several use cases in one transaction ("one request, one
    transaction"): entering it again joins the open transaction, a `commit()` inside a nested block only
    flushes (the outermost block commits), and a nested block that ends with an exception leaves the whole
    unit rollback-only: the outermost `commit()` then rolls back, because the request turned that error into
    an answer that says nothing changed.
    """

    session: AsyncSession

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], turns: asyncio.Semaphore | None = None
    ) -> None:
        self._sessions = sessions
        self._turns = turns
        self._depth = 0
        self.rollback_only = False

    async def __aenter__(self) -> Self:
        self._depth += 1
        if self._depth > 1:
            return self
        if self._turns is not None:
            try:
                async with asyncio.timeout(SLOT_WAIT_SECONDS):  # as long as the pool would wait
                    await self._turns.acquire()
            except BaseException:
                self._depth -= 1
                raise
        self.rollback_only = False
        self.session = self._sessions()
        self.organizations = SqlOrganizationRepository(self.session)
        self.persons = SqlPersonRepository(self.session)
        self.profiles = SqlProfileRepository(self.session)
        self.programs = SqlProgramRepository(self.session)
        self.enrollments = SqlEnrollmentRepository(self.session)
        self.rounds = SqlRoundRepository(self.session)
        self.pairings = SqlPairingRepository(self.session)
        self.check_ins = SqlCheckInRepository(self.session)
        self.concerns = SqlConcernRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        self.traces = SqlPersonalTraceRepository(self.session)
        self.rosters = SqlTeamRosterRepository(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            self.rollback_only = self.rollback_only or exc_type is not None
            return
        try:
            await self.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                if self._turns is not None:
                    self._turns.release()
        if isinstance(exc, IntegrityError) and is_unique_violation(exc):
            # A unique key another transaction took first: the core's own word for it, safe to retry.
            raise ConcurrentChange() from exc

    async def commit(self) -> None:
        if self._depth > 1:
            await self.session.flush()
        elif self.rollback_only:
            await self.session.rollback()
        else:
            try:
                await self.session.commit()
            except IntegrityError as error:
                if is_unique_violation(error):
                    raise ConcurrentChange() from error
                raise

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlUnitOfWorkFactory:
    """Units of work on `sessions`; with `slots`, at most that many hold a transaction at once.

    Give `slots` the size of the connection pool. Transactions beyond it then wait here, first come first
    served. Waiting in the pool itself is not fair: a connection handed back goes to whoever asks next, and
    a waiter that loses it to a newcomer queues again at the back (asyncio.Queue's `get`), which under 100
    concurrent card actions made the slowest 1 % wait more than twice as long as the median.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], slots: int | None = None) -> None:
        self.sessions = sessions
        self._turns = asyncio.Semaphore(slots) if slots else None

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self._turns)
