"""Leases and the outbox as a queue, on SQLite (one writer at a time) and PostgreSQL (row locks, SKIP LOCKED).

Each call is its own short transaction: a claim is committed before anything is sent, and an outcome is
committed as soon as the Bot Connector answers, so a crash loses at most the answers in flight."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model import OutboxStatus, ProgramKind
from core.model.delivery import Claim, DeliveryOutcome, Finish
from storage.models import OutboxRow, ProgramRow
from storage.models_delivery import JobLeaseRow, OutboxDeliveryRow
from storage.repositories.activity import outbox_to_domain

RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def _locking(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class SqlLeases:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        async with self.sessions() as session:
            if await session.get(JobLeaseRow, name) is None:
                session.add(JobLeaseRow(name=name, holder=holder, expires_at=until))
                try:
                    await session.commit()
                    return True
                except IntegrityError:
                    await session.rollback()  # another instance created it first: compete below
            query = select(JobLeaseRow.name).where(
                JobLeaseRow.name == name, (JobLeaseRow.expires_at <= now) | (JobLeaseRow.holder == holder)
            )
            if _locking(session):
                # Whoever holds the row lock is taking the lease right now: do not wait for it, it is taken.
                query = query.with_for_update(skip_locked=True)
            if await session.scalar(query) is None:
                return False
            # The guard repeats the condition: on SQLite the read above locks nothing.
            result: Any = await session.execute(
                update(JobLeaseRow)
                .where(
                    JobLeaseRow.name == name,
                    (JobLeaseRow.expires_at <= now) | (JobLeaseRow.holder == holder),
                )
                .values(holder=holder, expires_at=until)
            )
            await session.commit()
            return bool(result.rowcount == 1)

    async def release(self, name: str, holder: str) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(JobLeaseRow)
                .where(JobLeaseRow.name == name, JobLeaseRow.holder == holder)
                .values(expires_at=RELEASED, holder="")
            )
            await session.commit()


def _due(now: datetime) -> Any:
    return (OutboxRow.status == OutboxStatus.PENDING.value) & (OutboxRow.next_attempt_at <= now)


class SqlOutboxQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def tenants_with_due(self, now: datetime, limit: int) -> list[str]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(OutboxRow.organization_id, func.min(OutboxRow.next_attempt_at).label("oldest"))
                .where(_due(now))
                .group_by(OutboxRow.organization_id)
                .order_by("oldest")
                .limit(limit)
            )
            return [org for org, _ in rows]

    async def claim(
        self, organization_id: str, now: datetime, hold_until: datetime, limit: int
    ) -> list[Claim]:
        async with self.sessions() as session:
            query = (
                select(OutboxRow)
                .where(OutboxRow.organization_id == organization_id, _due(now))
                .order_by(OutboxRow.next_attempt_at, OutboxRow.created_at, OutboxRow.id)
                .limit(limit)
            )
            if _locking(session):
                query = query.with_for_update(skip_locked=True)
            rows = {row.id: row for row in await session.scalars(query)}
            if not rows:
                return []
            # One compare-and-set on (id, attempt number) for the batch: on SQLite a concurrent claimer may
            # have won some rows; only those this statement bumped are ours.
            won: Any = await session.execute(
                update(OutboxRow)
                .where(
                    tuple_(OutboxRow.id, OutboxRow.attempts).in_([(r.id, r.attempts) for r in rows.values()])
                )
                .where(_due(now))
                .values(attempts=OutboxRow.attempts + 1, next_attempt_at=hold_until)
                .returning(OutboxRow.id)
                .execution_options(synchronize_session=False)
            )
            ours = set(won.scalars())
            await session.commit()
            claims = []
            for row_id, row in rows.items():  # in the order of the query: oldest due first
                if row_id in ours:
                    message = outbox_to_domain(row)
                    message.attempts = row.attempts + 1
                    claims.append(Claim(message, row.attempts + 1))
            return claims

    @staticmethod
    def _held(claim: Claim) -> Any:
        return (
            (OutboxRow.id == claim.message.id)
            & (OutboxRow.attempts == claim.attempt)
            & (OutboxRow.status == OutboxStatus.PENDING.value)
        )

    async def finish(self, claim: Claim, result: Finish, now: datetime) -> bool:
        return (await self.finish_many([(claim, result)], now))[0]

    async def finish_many(self, outcomes: Sequence[tuple[Claim, Finish]], now: datetime) -> list[bool]:
        """Record several outcomes in one transaction; each is recorded only if its claim still holds."""
        if not outcomes:
            return []
        sent = [c for c, r in outcomes if r.outcome is not DeliveryOutcome.FAILED]
        recorded: set[str] = set()
        async with self.sessions() as session:
            if sent:
                # Every sent-or-skipped row gets the same values: one statement, fenced row by row.
                changed: Any = await session.execute(
                    update(OutboxRow)
                    .where(
                        tuple_(OutboxRow.id, OutboxRow.attempts).in_(
                            [(c.message.id, c.attempt) for c in sent]
                        )
                    )
                    .where(OutboxRow.status == OutboxStatus.PENDING.value)
                    .values(
                        status=OutboxStatus.SENT.value, sent_at=now, next_attempt_at=None, last_error=None
                    )
                    .returning(OutboxRow.id)
                    .execution_options(synchronize_session=False)
                )
                recorded.update(changed.scalars())
            for claim, result in outcomes:
                if result.outcome is DeliveryOutcome.FAILED:
                    failed: Any = await session.execute(
                        update(OutboxRow)
                        .where(self._held(claim))
                        .values(
                            status=OutboxStatus.FAILED.value,
                            sent_at=now,
                            next_attempt_at=None,
                            last_error=result.reason or None,
                        )
                    )
                    if failed.rowcount == 1:
                        recorded.add(claim.message.id)
            rows = [_delivery(c, r, now) for c, r in outcomes if c.message.id in recorded]
            if rows:
                await session.execute(insert(OutboxDeliveryRow), rows)
            await session.commit()
        return [c.message.id in recorded for c, _ in outcomes]

    async def postpone(self, claim: Claim, until: datetime, reason: str) -> bool:
        async with self.sessions() as session:
            changed: Any = await session.execute(
                update(OutboxRow)
                .where(self._held(claim))
                .values(next_attempt_at=until, last_error=reason[:2000])
            )
            await session.commit()
            return bool(changed.rowcount == 1)


def _delivery(claim: Claim, result: Finish, now: datetime) -> dict[str, Any]:
    return {
        "outbox_id": claim.message.id,
        "organization_id": claim.message.organization_id,
        "program_id": result.program_id,
        "outcome": result.outcome.value,
        "reason": result.reason[:2000],
        "activity_id": result.activity_id,
        "conversation_id": result.conversation_id,
        "attempts": claim.attempt,
        "completed_at": now,
    }


class SqlDeliveryRecords:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], within: Any = None) -> None:
        self.sessions, self._within = sessions, within

    def bound(self, uow: Any) -> SqlDeliveryRecords:
        """The same queries inside `uow`'s open session (a `SqlUnitOfWork`, entered): no second session."""
        return SqlDeliveryRecords(self.sessions, uow)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        if self._within is not None:
            yield self._within.session
        else:
            async with self.sessions() as session:
                yield session

    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        async with self._session() as session:
            rows = await session.execute(
                select(OutboxDeliveryRow.outcome, func.count())
                .where(
                    OutboxDeliveryRow.organization_id == organization_id,
                    OutboxDeliveryRow.program_id == program_id,
                )
                .group_by(OutboxDeliveryRow.outcome)
            )
            counts = {o.value: 0 for o in DeliveryOutcome}
            counts.update({outcome: n for outcome, n in rows})
            return counts

    async def failure_reasons(self, organization_id: str, program_id: str) -> list[tuple[str, int]]:
        async with self._session() as session:
            rows = await session.execute(
                select(OutboxDeliveryRow.reason, func.count().label("n"))
                .where(
                    OutboxDeliveryRow.organization_id == organization_id,
                    OutboxDeliveryRow.program_id == program_id,
                    OutboxDeliveryRow.outcome == DeliveryOutcome.FAILED.value,
                )
                .group_by(OutboxDeliveryRow.reason)
                .order_by(func.count().desc(), OutboxDeliveryRow.reason)
            )
            return [(reason, n) for reason, n in rows]


class SqlProgramDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def running_programs(self) -> list[tuple[str, str]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(ProgramRow.organization_id, ProgramRow.id)
                .where(ProgramRow.active.is_(True), ProgramRow.kind.in_([k.value for k in ProgramKind]))
                .order_by(ProgramRow.organization_id, ProgramRow.id)
            )
            return [(org, program) for org, program in rows]


def single_writer(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """True on SQLite, where concurrent write transactions wait on each other by sleeping."""
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"
