"""The bulk writes a round uses: new pairings in one write, outbox rows in one write, still one row per key."""

from __future__ import annotations

import asyncio

from core.model import (
    Intent,
    MatchReason,
    MemberRole,
    OutboxMessage,
    Pairing,
    PairingMember,
    PairingStatus,
    Round,
)
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.storage.test_repositories import NOW, seed_organization


def _message(message_id: str, recipient: str, subject: str = "pair-1") -> OutboxMessage:
    key = OutboxMessage.key_for(Intent.PAIRING_PROPOSED, recipient, subject)
    return OutboxMessage(message_id, "org-a", recipient, Intent.PAIRING_PROPOSED, subject, key, NOW)


async def test_new_pairings_added_in_one_write_read_back_like_saved_ones(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    members = [PairingMember("org-a-bo", MemberRole.MENTOR), PairingMember("org-a-ana", MemberRole.MENTEE)]
    pairings = [
        Pairing(
            id=f"pair-{i}",
            organization_id="org-a",
            program_id="org-a-program",
            round_id="round-1",
            members=list(members),
            created_at=NOW,
            shared_goal="Deploy with Helm",
            skill="kubernetes",
            score=1.5 + i,
            reasons=[MatchReason("skill", 2.0, "Bo teaches Kubernetes")],
        )
        for i in (1, 2)
    ]
    pairings[1].accept("org-a-bo", NOW)
    async with uow_factory() as uow:
        await uow.rounds.save(Round("round-1", "org-a", "org-a-program", 1, NOW))
        await uow.pairings.add_new(pairings)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.pairings.for_program("org-a", "org-a-program")
    assert sorted(loaded, key=lambda p: p.id) == pairings
    assert loaded[1].members[0].person_id == "org-a-bo" and loaded[0].status is PairingStatus.PROPOSED


async def test_outbox_rows_added_in_one_write_keep_one_row_per_key(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    async with uow_factory() as uow:
        assert await uow.outbox.add(_message("m0", "org-a-bo")) is True
        batch = [_message("m1", "org-a-ana"), _message("m2", "org-a-ana"), _message("m3", "org-a-bo")]
        assert await uow.outbox.add_many(batch) == 1  # m2 repeats m1's key, m3 repeats m0's
        assert await uow.outbox.add_many([_message("m4", "org-a-ana")]) == 0
        await uow.commit()
    async with uow_factory() as uow:
        ana = await uow.outbox.for_recipient("org-a", "org-a-ana")
        bo = await uow.outbox.for_recipient("org-a", "org-a-bo")
    assert [m.id for m in ana] == ["m1"] and [m.id for m in bo] == ["m0"]


async def test_concurrent_transactions_queueing_the_same_key_leave_one_row(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    first = uow_factory()
    async with first:
        assert await first.outbox.add_many([_message("m1", "org-a-ana")]) == 1

        async def second() -> int:
            async with uow_factory() as uow:
                added = await uow.outbox.add_many([_message("m2", "org-a-ana"), _message("m3", "org-a-bo")])
                await uow.commit()
                return added

        # The second transaction starts while the first holds its row uncommitted (PostgreSQL: it waits on
        # the key; SQLite: on the one writer), then finds the key taken once the first commits.
        racing = asyncio.create_task(second())
        await asyncio.sleep(0.2)
        assert not racing.done()
        await first.commit()
    assert await racing == 1
    async with uow_factory() as uow:
        ana = await uow.outbox.for_recipient("org-a", "org-a-ana")
    assert [m.id for m in ana] == ["m1"]
