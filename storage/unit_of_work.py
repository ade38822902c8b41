from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.activity import (
    SqlCheckInRepository,
    SqlConcernRepository,
    SqlOutboxRepository,
)
from storage.repositories.pairings import SqlPairingRepository, SqlRoundRepository
from storage.repositories.people import SqlOrganizationRepository, SqlPersonRepository, SqlProfileRepository
from storage.repositories.programs import SqlEnrollmentRepository, SqlProgramRepository


class SqlUnitOfWork:
    """One session, one transaction. Rolls back on leaving the block unless `commit()` was called."""

    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> Self:
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
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions)
