"""The sender against the fake connector, on both database lanes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from benchmarks.delivery.fake_connector import FakeTeams
from benchmarks.delivery.seed import Seeded
from bot.delivery.limits import RateLimiter
from bot.delivery.sender import Deps, SenderConfig, TenantSender
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.model import OutboxStatus
from core.model.delivery import DeliveryOutcome, GraphStatus
from core.services.rounds import run_round
from core.views.delivery import delivery_health
from storage.models import OutboxRow
from storage.unit_of_work import SqlUnitOfWorkFactory

CONFIG = SenderConfig(bot_id="28:peerlearn-bot", lease_seconds=2.0)


async def _round(seeded: Seeded, uows: SqlUnitOfWorkFactory, deps: Deps) -> int:
    outcome = await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None), MessageBus(uows, deps.clock)
    )
    return sum(len(p.members) for p in outcome.pairings) + len(outcome.unmatched)


async def _drain(seeded: Seeded, deps: Deps) -> int:
    sender = TenantSender(seeded.organization_id, deps, RateLimiter(30), CONFIG)
    return await sender.drain(lambda: True)


async def _statuses(uows: SqlUnitOfWorkFactory) -> dict[str, int]:
    async with uows.sessions() as session:
        rows = await session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
        return {status: n for status, n in rows}


async def test_a_round_reaches_everyone_once_creating_the_chats_that_do_not_exist_yet(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps, fake: FakeTeams
) -> None:
    messages = await _round(seeded, uow_factory, deps)
    assert await _drain(seeded, deps) == messages
    assert await _drain(seeded, deps) == 0
    assert (fake.delivered, fake.duplicates) == (messages, 0)
    assert fake.conversations_created == seeded.people // 2  # every other person had no 1:1 chat yet
    assert await _statuses(uow_factory) == {OutboxStatus.SENT.value: messages}


async def test_a_proposal_answered_before_it_was_sent_is_skipped_not_sent(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps, fake: FakeTeams
) -> None:
    outcome = await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    pairing = outcome.pairings[0]
    who = pairing.members[0].person_id
    await MessageBus(uow_factory, deps.clock).handle(
        commands.RespondToPairing(seeded.organization_id, pairing.id, who, "decline")
    )
    await _drain(seeded, deps)
    health = await MessageBus(uow_factory, SystemClock()).read(
        lambda u: delivery_health(
            seeded.organization_id,
            seeded.program_id,
            "p00000",
            u,
            GraphStatus(False, "Microsoft Graph is not configured."),
        )
    )
    # The decliner's own proposal is out of date: skipped. The others get their proposal, then "declined".
    assert health.skipped >= 1
    assert health.failed == 0
    assert health.graph.reason == "Microsoft Graph is not configured."
    assert fake.duplicates == 0


async def test_a_person_who_blocked_the_app_is_recorded_as_failed_with_the_reason_and_not_retried(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps, fake: FakeTeams
) -> None:
    fake.blocked_members = {"29:user-00001", "29:user-00002"}  # one without a 1:1 chat yet, one with
    messages = await _round(seeded, uow_factory, deps)
    await _drain(seeded, deps)
    assert await _statuses(uow_factory) == {
        OutboxStatus.SENT.value: messages - 2,
        OutboxStatus.FAILED.value: 2,
    }
    async with uow_factory() as uow:
        counts = await uow.deliveries.counts_for_program(seeded.organization_id, seeded.program_id)
        reasons = await uow.deliveries.failure_reasons(seeded.organization_id, seeded.program_id)
        unreachable = await uow.deliveries.unreachable(seeded.organization_id, seeded.program_id)
    assert counts[DeliveryOutcome.FAILED.value] == 2
    assert reasons == [("The person blocked the app in Teams.", 2)]
    assert unreachable == ["p00001", "p00002"]
    assert await _drain(seeded, deps) == 0


async def test_throttled_sends_are_retried_until_they_get_through(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps, fake: FakeTeams
) -> None:
    fake.throttle_probability = 0.5
    messages = await _round(seeded, uow_factory, deps)
    for _ in range(100):
        await _drain(seeded, deps)
        if fake.delivered == messages:
            break
        async with uow_factory.sessions() as session:  # retries wait; bring them forward for the test
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.status == OutboxStatus.PENDING.value)
                .values(next_attempt_at=deps.clock.now() - timedelta(seconds=1))
            )
            await session.commit()
    assert fake.random_429 > 0
    assert (fake.delivered, fake.duplicates) == (messages, 0)
    assert await _statuses(uow_factory) == {OutboxStatus.SENT.value: messages}
