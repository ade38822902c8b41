"""Leases and claims: several instances never run the same job or send the same row (both lanes)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from benchmarks.delivery.seed import Seeded
from bot.delivery.sender import Deps
from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.model.delivery import DeliveryOutcome, Finish, Outcome
from core.services.delivery_units import BusLeases, BusOutboxQueue
from core.services.rounds import run_round
from storage.unit_of_work import SqlUnitOfWorkFactory

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_a_lease_has_one_holder_until_it_expires(uow_factory: SqlUnitOfWorkFactory) -> None:
    leases = BusLeases(MessageBus(uow_factory, SystemClock()))
    minute = timedelta(minutes=1)
    assert await leases.acquire("job:rounds", "a", T0, T0 + minute)
    assert not await leases.acquire("job:rounds", "b", T0 + timedelta(seconds=30), T0 + 2 * minute)
    assert await leases.acquire("job:rounds", "a", T0 + timedelta(seconds=30), T0 + 2 * minute)  # renewal
    assert await leases.acquire("job:rounds", "b", T0 + 2 * minute, T0 + 3 * minute)  # expired: taken over
    assert not await leases.acquire("job:rounds", "a", T0 + 2 * minute, T0 + 3 * minute)
    await leases.release("job:rounds", "b")
    assert await leases.acquire("job:rounds", "a", T0 + 2 * minute, T0 + 3 * minute)


async def test_instances_racing_for_one_lease_get_it_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    leases = BusLeases(MessageBus(uow_factory, SystemClock()))
    results = await asyncio.gather(
        *(leases.acquire("send:org", f"instance-{i}", T0, T0 + timedelta(seconds=15)) for i in range(8))
    )
    assert sum(results) == 1


async def test_concurrent_claims_never_hand_out_the_same_row_and_a_superseded_claim_cannot_decide(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps
) -> None:
    await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    queue = BusOutboxQueue(MessageBus(uow_factory, SystemClock()))
    now = deps.clock.now()
    batches = await asyncio.gather(
        *(queue.claim(seeded.organization_id, now, now + timedelta(minutes=1), 3) for _ in range(6))
    )
    # A claimer that loses a race gets fewer rows, never someone else's; what is left stays due.
    leftovers = await queue.claim(seeded.organization_id, now, now + timedelta(minutes=1), 100)
    ids = [claim.message.id for batch in [*batches, leftovers] for claim in batch]
    assert len(ids) == len(set(ids)) == seeded.people
    assert await queue.claim(seeded.organization_id, now, now + timedelta(minutes=1), 10) == []

    first = next(claim for batch in batches for claim in batch)  # under SKIP LOCKED any batch may be empty
    later = now + timedelta(minutes=2)  # the hold ran out: another sender takes the row over
    (takeover,) = [
        c
        for c in await queue.claim(seeded.organization_id, later, later, 100)
        if c.message.id == first.message.id
    ]
    assert takeover.attempt == first.attempt + 1
    # A skip or a failure is a decision: only the current claim makes it.
    assert not await queue.finish(first, Finish(DeliveryOutcome.SKIPPED), later)
    assert not await queue.finish(first, Finish(DeliveryOutcome.FAILED, "x"), later)
    assert await queue.finish(takeover, Finish(DeliveryOutcome.DELIVERED), later)
    assert not await queue.finish(takeover, Finish(DeliveryOutcome.DELIVERED), later)  # exactly once


async def test_a_delivery_is_recorded_even_under_a_superseded_claim_and_only_once(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps
) -> None:
    """A send Teams accepted is a fact: if its outcome arrives after the row was claimed again (the
    database was away, the process was paused), the row is marked sent, so the new claim does not send."""
    await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    queue = BusOutboxQueue(MessageBus(uow_factory, SystemClock()))
    now = deps.clock.now()
    (first,) = await queue.claim(seeded.organization_id, now, now, 1)
    later = now + timedelta(seconds=1)
    (again,) = [
        c
        for c in await queue.claim(seeded.organization_id, later, later, 100)
        if c.message.id == first.message.id
    ]
    late = Outcome.of(first, Finish(DeliveryOutcome.DELIVERED, activity_id="m1"), now)
    assert await queue.record([late, Outcome.of(again, Finish(DeliveryOutcome.DELIVERED), later)]) == [
        True,
        False,
    ]
    assert not await queue.finish(again, Finish(DeliveryOutcome.FAILED, "x"), later)


async def test_a_fencing_token_changes_with_every_take_and_a_stale_one_claims_nothing(
    seeded: Seeded, uow_factory: SqlUnitOfWorkFactory, deps: Deps
) -> None:
    await run_round(
        commands.RunRound(seeded.organization_id, seeded.program_id, None),
        MessageBus(uow_factory, deps.clock),
    )
    leases, queue, org = (
        BusLeases(MessageBus(uow_factory, SystemClock())),
        BusOutboxQueue(MessageBus(uow_factory, SystemClock())),
        seeded.organization_id,
    )
    now, lease = deps.clock.now(), timedelta(seconds=5)
    a = await leases.take(f"send:{org}", "a", now, now + lease)
    assert a is not None
    assert await leases.take(f"send:{org}", "b", now, now + lease) is None
    assert await leases.take(f"send:{org}", "a", now, now + lease, a.fence) == a  # renewal keeps the token
    assert len(await queue.claim(org, now, now + lease, 1, a)) == 1
    # a stalls past its lease; b takes over with a new token
    later = now + 2 * lease
    b = await leases.take(f"send:{org}", "b", later, later + lease)
    assert b is not None and b.fence > a.fence
    assert await queue.claim(org, later, later + lease, 100, a) == []  # a's token no longer claims
    assert await leases.take(f"send:{org}", "a", later, later + lease, a.fence) is None  # nor renews
    assert len(await queue.claim(org, later, later + lease, 1, b)) == 1
    # released by b: a takes it afresh, with yet another token; b's old token is dead
    await leases.release(f"send:{org}", "b")
    a2 = await leases.take(f"send:{org}", "a", later, later + lease)
    assert a2 is not None and a2.fence > b.fence
    assert await queue.claim(org, later, later + lease, 1, b) == []
