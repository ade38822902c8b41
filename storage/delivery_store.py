"""Leases and the outbox as a queue, on SQLite (one writer at a time) and PostgreSQL (row locks, SKIP LOCKED).

Each call is its own short transaction: a claim is committed before anything is sent, and an outcome is
committed as soon as the Bot Connector answers, so a crash loses at most the answers in flight."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
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
            rows = list(await session.scalars(query))
            claims = []
            for row in rows:
                # Compare-and-set on the attempt number: on SQLite a concurrent claimer may have won the row.
                result: Any = await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row.id, OutboxRow.attempts == row.attempts, _due(now))
                    .values(attempts=row.attempts + 1, next_attempt_at=hold_until)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    message = outbox_to_domain(row)
                    message.attempts = row.attempts + 1
                    claims.append(Claim(message, row.attempts + 1))
            await session.commit()
            return claims

    @staticmethod
    def _held(claim: Claim) -> Any:
        return (
            (OutboxRow.id == claim.message.id)
            & (OutboxRow.attempts == claim.attempt)
            & (OutboxRow.status == OutboxStatus.PENDING.value)
        )

    async def finish(self, claim: Claim, result: Finish, now: datetime) -> bool:
        status = OutboxStatus.FAILED if result.outcome is DeliveryOutcome.FAILED else OutboxStatus.SENT
        async with self.sessions() as session:
            changed: Any = await session.execute(
                update(OutboxRow)
                .where(self._held(claim))
                .values(
                    status=status.value,
                    sent_at=now,
                    next_attempt_at=None,
                    last_error=(result.reason or None) if status is OutboxStatus.FAILED else None,
                )
            )
            if changed.rowcount != 1:
                await session.rollback()
                return False
            session.add(
                OutboxDeliveryRow(
                    outbox_id=claim.message.id,
                    organization_id=claim.message.organization_id,
                    program_id=result.program_id,
                    outcome=result.outcome.value,
                    reason=result.reason[:2000],
                    activity_id=result.activity_id,
                    conversation_id=result.conversation_id,
                    attempts=claim.attempt,
                    completed_at=now,
                )
            )
            await session.commit()
            return True

    async def postpone(self, claim: Claim, until: datetime, reason: str) -> bool:
        async with self.sessions() as session:
            changed: Any = await session.execute(
                update(OutboxRow)
                .where(self._held(claim))
                .values(next_attempt_at=until, last_error=reason[:2000])
            )
            await session.commit()
            return bool(changed.rowcount == 1)


class SqlDeliveryRecords:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        async with self.sessions() as session:
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
        async with self.sessions() as session:
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
