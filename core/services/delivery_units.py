"""The sender's and the worker's ports, each call in a unit of work of the bus.

Delivery is a job of many short transactions: a claim is committed before anything is sent, an outcome as
soon as the Bot Connector answers, a lease renewal on its own. So every call here is one unit of work: the
bus opens it, the repository on it (`uow.leases`, `uow.outbox_queue`, `uow.graph`, `uow.programs`) does the
work, and the bus commits. On SQLite the unit of work factory queues writers in order (one connection, its
slots), which is all the single-writer handling there is; on PostgreSQL rows are locked, never the table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.bus import MessageBus
from core.model.delivery import AppInstallation, Claim, Finish, LeaseToken, Outcome, PairingChat


class BusLeases:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        async with self.bus.unit() as work:
            return await work.uow.leases.acquire(name, holder, now, until)

    async def take(
        self, name: str, holder: str, now: datetime, until: datetime, fence: int | None = None
    ) -> LeaseToken | None:
        async with self.bus.unit() as work:
            return await work.uow.leases.take(name, holder, now, until, fence)

    async def release(self, name: str, holder: str, at: datetime | None = None) -> None:
        async with self.bus.unit() as work:
            await work.uow.leases.release(name, holder, at)


class BusOutboxQueue:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def tenants_with_due(self, now: datetime, limit: int) -> list[str]:
        async with self.bus.reading() as uow:
            return await uow.outbox_queue.tenants_with_due(now, limit)

    async def claim(
        self,
        organization_id: str,
        now: datetime,
        hold_until: datetime,
        limit: int,
        lease: LeaseToken | None = None,
    ) -> list[Claim]:
        async with self.bus.unit() as work:
            return await work.uow.outbox_queue.claim(organization_id, now, hold_until, limit, lease)

    async def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        async with self.bus.unit() as work:
            return await work.uow.outbox_queue.record(outcomes)

    async def finish(self, claim: Claim, result: Finish, now: datetime) -> bool:
        return (await self.finish_many([(claim, result)], now))[0]

    async def finish_many(self, outcomes: Sequence[tuple[Claim, Finish]], now: datetime) -> list[bool]:
        return await self.record([Outcome.of(c, r, now) for c, r in outcomes])

    async def postpone(self, claim: Claim, until: datetime, reason: str) -> bool:
        async with self.bus.unit() as work:
            return await work.uow.outbox_queue.postpone(claim, until, reason)


class BusGraphRecords:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def installation(self, organization_id: str, person_id: str) -> AppInstallation | None:
        async with self.bus.reading() as uow:
            return await uow.graph.installation(organization_id, person_id)

    async def save_installation(self, installation: AppInstallation) -> None:
        async with self.bus.unit() as work:
            await work.uow.graph.save_installation(installation)

    async def chat(self, organization_id: str, pairing_id: str) -> PairingChat | None:
        async with self.bus.reading() as uow:
            return await uow.graph.chat(organization_id, pairing_id)

    async def save_chat(self, chat: PairingChat) -> None:
        async with self.bus.unit() as work:
            await work.uow.graph.save_chat(chat)


class BusProgramDirectory:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def running_programs(self) -> list[tuple[str, str]]:
        async with self.bus.reading() as uow:
            return await uow.programs.running()
