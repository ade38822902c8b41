"""Leases and the outbox as a queue, on SQLite (one writer at a time) and PostgreSQL (row locks, SKIP LOCKED).

Each call is its own short transaction: a claim is committed before anything is sent, and an outcome is
committed as soon as the Bot Connector answers, so a crash loses at most the answers in flight."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, true, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model import OutboxStatus, ProgramKind
from core.model.delivery import Claim, DeliveryOutcome, Finish, LeaseToken, Outcome
from storage.models import OutboxRow, ProgramRow
from storage.models_delivery import JobLeaseRow, OutboxDeliveryRow
from storage.repositories.activity import outbox_to_domain
from storage.repositories.deliveries import SqlDeliveryRecordRepository

RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def _locking(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class SqlLeases:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew (the holder keeps its token while it renews without a gap)."""
        async with self.sessions() as session:
            row = await session.get(JobLeaseRow, name)
            if row is not None and row.holder == holder and row.expires_at > now:
                return await self._renew(session, name, holder, row.fence, until)
        return await self.take(name, holder, now, until) is not None

    async def take(
        self, name: str, holder: str, now: datetime, until: datetime, fence: int | None = None
    ) -> LeaseToken | None:
        async with self.sessions() as session:
            if fence is not None:
                renewed = await self._renew(session, name, holder, fence, until)
                return LeaseToken(name, holder, fence) if renewed else None
            if await session.get(JobLeaseRow, name) is None:
                session.add(JobLeaseRow(name=name, holder=holder, expires_at=until, fence=1))
                try:
                    await session.commit()
                    return LeaseToken(name, holder, 1)
                except IntegrityError:
                    await session.rollback()  # another instance created it first: compete below
            free = (JobLeaseRow.expires_at <= now) | (JobLeaseRow.holder == holder)
            query = select(JobLeaseRow.fence).where(JobLeaseRow.name == name, free)
            if _locking(session):
                # Whoever holds the row lock is taking the lease or claiming under it right now: do not
                # wait for it, it is taken.
                query = query.with_for_update(skip_locked=True)
            current = await session.scalar(query)
            if current is None:
                return None
            # The guard repeats the condition (on SQLite the read above locks nothing) and the token.
            result: Any = await session.execute(
                update(JobLeaseRow)
                .where(JobLeaseRow.name == name, JobLeaseRow.fence == current, free)
                .values(holder=holder, expires_at=until, fence=current + 1)
            )
            await session.commit()
            return LeaseToken(name, holder, current + 1) if result.rowcount == 1 else None

    @staticmethod
    async def _renew(session: AsyncSession, name: str, holder: str, fence: int, until: datetime) -> bool:
        # Nobody took the lease since `fence` was handed out (a take bumps it): still ours, even if it lapsed.
        # A plain UPDATE: on PostgreSQL it waits for a claim that holds the row (FOR SHARE) to commit.
        result: Any = await session.execute(
            update(JobLeaseRow)
            .where(JobLeaseRow.name == name, JobLeaseRow.holder == holder, JobLeaseRow.fence == fence)
            .values(expires_at=until)
        )
        await session.commit()
        return bool(result.rowcount == 1)

    async def release(self, name: str, holder: str, at: datetime | None = None) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(JobLeaseRow)
                .where(JobLeaseRow.name == name, JobLeaseRow.holder == holder)
                .values(expires_at=at or RELEASED, holder="")
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
        self,
        organization_id: str,
        now: datetime,
        hold_until: datetime,
        limit: int,
        lease: LeaseToken | None = None,
    ) -> list[Claim]:
        async with self.sessions() as session:
            fenced = exists().where(*_lease_is(lease, now)) if lease is not None else true()
            if lease is not None and _locking(session):
                # Hold the lease row until this claim commits: a takeover skips it meanwhile, so no row is
                # claimed under a token that another instance has already replaced.
                held = await session.scalar(
                    select(JobLeaseRow.name).where(*_lease_is(lease, now)).with_for_update(read=True)
                )
                if held is None:
                    return []
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
                .where(_due(now), fenced)
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
        return await self.record([Outcome.of(c, r, now) for c, r in outcomes])

    async def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        if not outcomes:
            return []
        won: dict[str, Outcome] = {}  # the outcome each row got (a row may come twice: see below)

        def win(ids: Any, group: Sequence[Outcome]) -> None:
            for outbox_id in ids:
                won.setdefault(outbox_id, next(o for o in group if o.outbox_id == outbox_id))

        pending = OutboxRow.status == OutboxStatus.PENDING.value
        delivered = [o for o in outcomes if o.finish.outcome is DeliveryOutcome.DELIVERED]
        skipped = [o for o in outcomes if o.finish.outcome is DeliveryOutcome.SKIPPED]
        async with self.sessions() as session:
            for group, fenced in ((delivered, False), (skipped, True)):
                if not group:
                    continue
                # A delivery is recorded whatever the claim (it happened); a skip only under its claim.
                # Several rows, one statement: the rows of one outcome kind share their new values.
                where = (
                    tuple_(OutboxRow.id, OutboxRow.attempts).in_([(o.outbox_id, o.attempt) for o in group])
                    if fenced
                    else OutboxRow.id.in_([o.outbox_id for o in group])
                )
                at = max(o.at for o in group)  # each delivery record keeps its own time
                changed: Any = await session.execute(
                    update(OutboxRow)
                    .where(where, pending)
                    .values(status=OutboxStatus.SENT.value, sent_at=at, next_attempt_at=None, last_error=None)
                    .returning(OutboxRow.id)
                    .execution_options(synchronize_session=False)
                )
                win(changed.scalars(), group)
            for outcome in outcomes:
                if outcome.finish.outcome is DeliveryOutcome.FAILED:
                    failed: Any = await session.execute(
                        update(OutboxRow)
                        .where(
                            OutboxRow.id == outcome.outbox_id,
                            OutboxRow.attempts == outcome.attempt,
                            pending,
                        )
                        .values(
                            status=OutboxStatus.FAILED.value,
                            sent_at=outcome.at,
                            next_attempt_at=None,
                            last_error=outcome.finish.reason[:2000] or None,
                        )
                    )
                    if failed.rowcount == 1:
                        won[outcome.outbox_id] = outcome
            if won:
                await session.execute(insert(OutboxDeliveryRow), [_delivery(o) for o in won.values()])
            await session.commit()
        # A row can be in one batch twice (an outcome kept through an outage and a later claim's): it
        # gets one record, and only the outcome that made it is answered True.
        return [won.get(o.outbox_id) is o for o in outcomes]

    async def postpone(self, claim: Claim, until: datetime, reason: str) -> bool:
        async with self.sessions() as session:
            changed: Any = await session.execute(
                update(OutboxRow)
                .where(self._held(claim))
                .values(next_attempt_at=until, last_error=reason[:2000])
            )
            await session.commit()
            return bool(changed.rowcount == 1)


def _lease_is(lease: LeaseToken, now: datetime) -> list[Any]:
    return [
        JobLeaseRow.name == lease.name,
        JobLeaseRow.holder == lease.holder,
        JobLeaseRow.fence == lease.fence,
        JobLeaseRow.expires_at > now,
    ]


def _delivery(outcome: Outcome) -> dict[str, Any]:
    result = outcome.finish
    return {
        "outbox_id": outcome.outbox_id,
        "organization_id": outcome.organization_id,
        "program_id": result.program_id,
        "outcome": result.outcome.value,
        "reason": result.reason[:2000],
        "activity_id": result.activity_id,
        "conversation_id": result.conversation_id,
        "attempts": outcome.attempt,
        "completed_at": outcome.at,
    }


class SqlDeliveryRecords:
    """`uow.deliveries` in a short read of its own, for a caller without a unit of work (the dashboard tab)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        async with self.sessions() as session:
            return await SqlDeliveryRecordRepository(session).counts_for_program(organization_id, program_id)

    async def failure_reasons(self, organization_id: str, program_id: str) -> list[tuple[str, int]]:
        async with self.sessions() as session:
            return await SqlDeliveryRecordRepository(session).failure_reasons(organization_id, program_id)

    async def unreachable(self, organization_id: str, program_id: str) -> list[str]:
        async with self.sessions() as session:
            return await SqlDeliveryRecordRepository(session).unreachable(organization_id, program_id)


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
