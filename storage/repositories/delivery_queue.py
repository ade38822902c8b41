"""The sender's rows on the unit of work: job leases, the outbox as a queue, and what Graph did for us.

Every call joins the unit of work's transaction: a claim is committed before anything is sent and an outcome
as soon as the Bot Connector answers, each in a short unit of work of its own (`core.services.delivery_units`),
so a crash loses at most the answers in flight. PostgreSQL locks rows (SKIP LOCKED, so no instance waits for
another's claim); SQLite has one writer at a time, which the unit of work factory's slots queue in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, true, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import OutboxStatus
from core.model.delivery import (
    AppInstallation,
    Claim,
    DeliveryOutcome,
    Finish,
    LeaseToken,
    Outcome,
    PairingChat,
)
from storage.models import OutboxRow
from storage.models_delivery import AppInstallationRow, JobLeaseRow, OutboxDeliveryRow, PairingChatRow
from storage.repositories.activity import outbox_to_domain
from storage.repositories.teams import upsert

RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def _locking(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class SqlLeaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew (the holder keeps its token while it renews without a gap)."""
        row = (
            await self.session.execute(
                select(JobLeaseRow.holder, JobLeaseRow.fence, JobLeaseRow.expires_at).where(
                    JobLeaseRow.name == name
                )
            )
        ).first()
        if row is not None and row.holder == holder and row.expires_at > now:
            return await self._renew(name, holder, row.fence, until)
        return await self.take(name, holder, now, until) is not None

    async def take(
        self, name: str, holder: str, now: datetime, until: datetime, fence: int | None = None
    ) -> LeaseToken | None:
        if fence is not None:
            renewed = await self._renew(name, holder, fence, until)
            return LeaseToken(name, holder, fence) if renewed else None
        # The first lease of that name: ON CONFLICT DO NOTHING, so another instance creating it at the same
        # moment leaves this transaction usable (it then competes below like any taker).
        created: Any = await self.session.execute(
            upsert(
                self.session, JobLeaseRow, {"name": name, "holder": holder, "expires_at": until, "fence": 1}
            ).on_conflict_do_nothing()
        )
        if created.rowcount == 1:
            return LeaseToken(name, holder, 1)
        free = (JobLeaseRow.expires_at <= now) | (JobLeaseRow.holder == holder)
        query = select(JobLeaseRow.fence).where(JobLeaseRow.name == name, free)
        if _locking(self.session):
            # Whoever holds the row lock is taking the lease or claiming under it right now: do not wait
            # for it, it is taken.
            query = query.with_for_update(skip_locked=True)
        current = await self.session.scalar(query)
        if current is None:
            return None
        # The guard repeats the condition (on SQLite the read above locks nothing) and the token.
        result: Any = await self.session.execute(
            update(JobLeaseRow)
            .where(JobLeaseRow.name == name, JobLeaseRow.fence == current, free)
            .values(holder=holder, expires_at=until, fence=current + 1)
        )
        return LeaseToken(name, holder, current + 1) if result.rowcount == 1 else None

    async def _renew(self, name: str, holder: str, fence: int, until: datetime) -> bool:
        # Nobody took the lease since `fence` was handed out (a take bumps it): still ours, even if it lapsed.
        # A plain UPDATE: on PostgreSQL it waits for a claim that holds the row (FOR SHARE) to commit.
        result: Any = await self.session.execute(
            update(JobLeaseRow)
            .where(JobLeaseRow.name == name, JobLeaseRow.holder == holder, JobLeaseRow.fence == fence)
            .values(expires_at=until)
        )
        return bool(result.rowcount == 1)

    async def release(self, name: str, holder: str, at: datetime | None = None) -> None:
        await self.session.execute(
            update(JobLeaseRow)
            .where(JobLeaseRow.name == name, JobLeaseRow.holder == holder)
            .values(expires_at=at or RELEASED, holder="")
        )


def _due(now: datetime) -> Any:
    return (OutboxRow.status == OutboxStatus.PENDING.value) & (OutboxRow.next_attempt_at <= now)


class SqlOutboxQueueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tenants_with_due(self, now: datetime, limit: int) -> list[str]:
        rows = await self.session.execute(
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
        fenced = exists().where(*_lease_is(lease, now)) if lease is not None else true()
        if lease is not None and _locking(self.session):
            # Hold the lease row until this claim commits: a takeover skips it meanwhile, so no row is
            # claimed under a token that another instance has already replaced.
            held = await self.session.scalar(
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
        if _locking(self.session):
            query = query.with_for_update(skip_locked=True)
        rows = {row.id: row for row in await self.session.scalars(query)}
        if not rows:
            return []
        # One compare-and-set on (id, attempt number) for the batch: on SQLite a concurrent claimer may
        # have won some rows; only those this statement bumped are ours.
        won: Any = await self.session.execute(
            update(OutboxRow)
            .where(tuple_(OutboxRow.id, OutboxRow.attempts).in_([(r.id, r.attempts) for r in rows.values()]))
            .where(_due(now), fenced)
            .values(attempts=OutboxRow.attempts + 1, next_attempt_at=hold_until)
            .returning(OutboxRow.id)
            .execution_options(synchronize_session=False)
        )
        ours = set(won.scalars())
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
            changed: Any = await self.session.execute(
                update(OutboxRow)
                .where(where, pending)
                .values(status=OutboxStatus.SENT.value, sent_at=at, next_attempt_at=None, last_error=None)
                .returning(OutboxRow.id)
                .execution_options(synchronize_session=False)
            )
            win(changed.scalars(), group)
        for outcome in outcomes:
            if outcome.finish.outcome is DeliveryOutcome.FAILED:
                failed: Any = await self.session.execute(
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
            await self.session.execute(insert(OutboxDeliveryRow), [_delivery(o) for o in won.values()])
        # A row can be in one batch twice (an outcome kept through an outage and a later claim's): it
        # gets one record, and only the outcome that made it is answered True.
        return [won.get(o.outbox_id) is o for o in outcomes]

    async def postpone(self, claim: Claim, until: datetime, reason: str) -> bool:
        changed: Any = await self.session.execute(
            update(OutboxRow).where(self._held(claim)).values(next_attempt_at=until, last_error=reason[:2000])
        )
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


class SqlGraphRepository:
    """What Graph did for us: app installations per person and group chats per pairing."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def installation(self, organization_id: str, person_id: str) -> AppInstallation | None:
        row = await self.session.get(AppInstallationRow, (organization_id, person_id), populate_existing=True)
        if row is None:
            return None
        return AppInstallation(row.organization_id, row.person_id, row.status, row.reason, row.updated_at)

    async def save_installation(self, installation: AppInstallation) -> None:
        await self.session.merge(
            AppInstallationRow(
                organization_id=installation.organization_id,
                person_id=installation.person_id,
                status=installation.status,
                reason=installation.reason[:2000],
                updated_at=installation.updated_at,
            )
        )

    async def chat(self, organization_id: str, pairing_id: str) -> PairingChat | None:
        row = await self.session.get(PairingChatRow, (organization_id, pairing_id), populate_existing=True)
        if row is None:
            return None
        return PairingChat(
            row.organization_id,
            row.pairing_id,
            row.program_id,
            row.chat_id,
            row.status,
            row.reason,
            row.attempts,
            row.next_attempt_at,
            row.updated_at,
        )

    async def save_chat(self, chat: PairingChat) -> None:
        await self.session.merge(
            PairingChatRow(
                organization_id=chat.organization_id,
                pairing_id=chat.pairing_id,
                program_id=chat.program_id,
                chat_id=chat.chat_id,
                status=chat.status,
                reason=chat.reason[:2000],
                attempts=chat.attempts,
                next_attempt_at=chat.next_attempt_at,
                updated_at=chat.updated_at,
            )
        )
