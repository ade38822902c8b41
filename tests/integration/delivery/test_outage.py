"""The connector away for longer than the old give-up time (ten attempts), and past the retry horizon;
and the sender's chat lookups, a claimed batch at a time. Both database lanes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import func, select

from benchmarks.delivery.fake_connector import FakeTeams
from benchmarks.delivery.faults import Connector, until
from benchmarks.delivery.seed import seed
from bot.delivery.connector import BotConnector
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.limits import RateLimiter
from bot.delivery.retry import MAX_ATTEMPTS, RetryPolicy
from bot.delivery.sender import Deps, SenderConfig, TenantSender
from bot.delivery.tokens import NoToken
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.model import OutboxStatus
from core.model.conversations import ConversationScope, StoredConversation
from core.model.delivery import GraphStatus
from core.services.delivery_units import BusLeases, BusOutboxQueue
from core.services.rounds import run_round
from core.views.delivery import delivery_health
from storage.models import OutboxRow
from storage.repositories.teams import SqlConversationRepository
from storage.unit_of_work import SqlUnitOfWorkFactory

CEILING = 20


def _deps(uows: SqlUnitOfWorkFactory, http: aiohttp.ClientSession) -> Deps:
    return Deps(
        queue=BusOutboxQueue(MessageBus(uows, SystemClock())),
        uows=uows,
        connector=BotConnector(http, NoToken(), timeout=5),
        clock=SystemClock(),
    )


async def _statuses(uows: SqlUnitOfWorkFactory) -> dict[str, int]:
    async with uows.sessions() as session:
        rows = await session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
        return {status: n for status, n in rows}


async def _most_attempts(uows: SqlUnitOfWorkFactory) -> int:
    async with uows.sessions() as session:
        return int(await session.scalar(select(func.max(OutboxRow.attempts))) or 0)


async def test_a_connector_outage_longer_than_ten_attempts_loses_nothing_and_drains_within_the_ceiling(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    fake = FakeTeams(tenant_per_second=CEILING)
    connector = Connector(fake)
    await connector.up()
    seeded = await seed(uow_factory, connector.url, 40)
    outcome = await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, SystemClock()),
    )
    total = sum(len(p.members) for p in outcome.pairings) + len(outcome.unmatched)
    await connector.down()
    # Small back-off so an outage of seconds outlasts what ten attempts used to cover.
    policy = RetryPolicy(horizon=timedelta(minutes=10), base_delay=0.05, max_delay=0.5)
    config = SenderConfig("28:peerlearn-bot", lease_seconds=2, retry=policy)
    async with aiohttp.ClientSession() as http:
        deps = _deps(uow_factory, http)
        dispatcher = Dispatcher(
            deps, BusLeases(MessageBus(uow_factory, SystemClock())), "instance", config, CEILING
        )
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop, poll=0.1))
        try:
            for _ in range(300):
                if await _most_attempts(uow_factory) > MAX_ATTEMPTS + 2:
                    break
                await asyncio.sleep(0.2)
            attempts_in_outage = await _most_attempts(uow_factory)
            assert await _statuses(uow_factory) == {OutboxStatus.PENDING.value: total}  # nothing given up
            await connector.up()
            back = time.monotonic()
            await until(lambda: fake.delivered >= total, 60, "the queue to drain")
            drain = time.monotonic() - back
        finally:
            stop.set()
            await task
            await connector.down()
    assert attempts_in_outage > MAX_ATTEMPTS
    assert (fake.delivered, fake.duplicates) == (total, 0)
    assert fake.peak_per_second() <= CEILING + 1, fake.busiest_second()
    assert drain < total / CEILING + policy.max_delay + 5
    assert await _statuses(uow_factory) == {OutboxStatus.SENT.value: total}


async def test_past_the_horizon_messages_fail_with_their_program_and_the_report_names_who_was_not_reached(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    fake = FakeTeams(tenant_per_second=CEILING)
    connector = Connector(fake)  # never up: unreachable throughout
    seeded = await seed(uow_factory, connector.url, 6)
    outcome = await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, SystemClock()),
    )
    total = sum(len(p.members) for p in outcome.pairings) + len(outcome.unmatched)
    policy = RetryPolicy(horizon=timedelta(seconds=2), base_delay=0.05, max_delay=0.3)
    config = SenderConfig("28:peerlearn-bot", lease_seconds=2, retry=policy)
    async with aiohttp.ClientSession() as http:
        deps = _deps(uow_factory, http)
        dispatcher = Dispatcher(
            deps, BusLeases(MessageBus(uow_factory, SystemClock())), "instance", config, CEILING
        )
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop, poll=0.1))
        try:
            deadline = time.monotonic() + 30
            while (await _statuses(uow_factory)).get(OutboxStatus.FAILED.value, 0) < total:
                assert time.monotonic() < deadline, await _statuses(uow_factory)
                await asyncio.sleep(0.2)
        finally:
            stop.set()
            await task
    health = await MessageBus(uow_factory, SystemClock()).read(
        lambda u: delivery_health(
            seeded.organization_id,
            seeded.program_id,
            "p00000",
            u,
            GraphStatus(False, "off"),
        )
    )
    assert health.failed == total  # counted under their program, not lost from the report
    assert health.failures_by_reason == [(policy.describe(), total)]
    assert "2 seconds" in policy.describe()
    assert health.unreachable == [f"Person {i}" for i in range(6)]


async def test_the_sender_looks_chats_up_a_claimed_batch_at_a_time(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[ConversationScope, int]] = []
    many = SqlConversationRepository.many

    async def counted(
        self: SqlConversationRepository, organization_id: str, scope: ConversationScope, keys: Sequence[str]
    ) -> dict[str, StoredConversation]:
        calls.append((scope, len(keys)))
        return await many(self, organization_id, scope, keys)

    monkeypatch.setattr(SqlConversationRepository, "many", counted)
    fake = FakeTeams(tenant_per_second=CEILING)
    connector = Connector(fake)
    await connector.up()
    try:
        seeded = await seed(uow_factory, connector.url, 40)
        await run_round(
            commands.RunRound(seeded.organization_id, seeded.program_id, None),
            MessageBus(uow_factory, SystemClock()),
        )
        async with aiohttp.ClientSession() as http:
            deps = _deps(uow_factory, http)
            config = SenderConfig("28:peerlearn-bot", lease_seconds=2, concurrency=16)
            sender = TenantSender(seeded.organization_id, deps, RateLimiter(CEILING), config)
            for _ in range(10):  # a send Teams throttled comes back after its Retry-After
                await sender.drain(lambda: True)
                if fake.delivered == 40:
                    break
                await asyncio.sleep(0.5)
    finally:
        await connector.down()
    personal = [n for scope, n in calls if scope is ConversationScope.PERSONAL]
    teams = [n for scope, n in calls if scope is ConversationScope.TEAM]
    assert sum(personal) == 40 and len(personal) <= 8  # 40 people: one query per claimed batch, never per row
    assert teams == [1]  # the team's conversation once, for the 20 people without a 1:1 chat yet
    assert (fake.delivered, fake.conversations_created) == (40, 20)
