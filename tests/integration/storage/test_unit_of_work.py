from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.errors import ConcurrentChange, InvalidInput
from core.model import MemberRole, Organization, OrganizationKind, Pairing, PairingMember, Person
from storage import migrate
from storage.database import create_engine, session_factory, transaction_slots
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.storage.test_repositories import NOW, seed_organization


async def test_rolls_back_uncommitted_work_by_default(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org-x", OrganizationKind.TEAMS_TENANT, "tenant-x", "X"))
    async with uow_factory() as uow:
        assert await uow.organizations.get("org-x") is None


async def test_rolls_back_when_the_block_raises(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.organizations.add(Organization("org-x", OrganizationKind.TEAMS_TENANT, "tenant-x", "X"))
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        assert await uow.organizations.get("org-x") is None


async def test_committed_work_is_kept(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org-x", OrganizationKind.TEAMS_TENANT, "tenant-x", "X"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.organizations.get("org-x") is not None


async def test_a_refused_profile_update_leaves_the_stored_profile_as_it_was(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    good = commands.UpdateProfile("org-a", "org-a-ana", teaches=(commands.SkillInput("Go", 3),))
    await MessageBus(uow_factory, SystemClock()).handle(good)
    with pytest.raises(InvalidInput):
        await MessageBus(uow_factory, SystemClock()).handle(
            commands.UpdateProfile("org-a", "org-a-ana", teaches=(commands.SkillInput("Go", 9),))
        )
    async with uow_factory() as uow:
        stored = await uow.profiles.get("org-a", "org-a-ana")
    assert stored is not None and [s.level for s in stored.teaches] == [3]


async def test_the_database_refuses_a_pairing_that_points_at_another_organizations_person(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    await seed_organization(uow_factory, "org-b", "tenant-b")
    forged = Pairing(
        id="pair-x",
        organization_id="org-a",
        program_id="org-a-program",
        round_id=None,
        members=[PairingMember("org-a-ana", MemberRole.PEER), PairingMember("org-b-bo", MemberRole.PEER)],
        created_at=NOW,
    )
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.pairings.save(forged)
            await uow.commit()


async def test_a_person_cannot_be_moved_to_another_organization(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    await seed_organization(uow_factory, "org-b", "tenant-b")
    with pytest.raises(ValueError, match="another organization"):
        async with uow_factory() as uow:
            await uow.persons.save(Person("org-a-ana", "org-b", "Ana"))


async def test_transactions_beyond_the_pool_start_in_the_order_they_arrived(engine: AsyncEngine) -> None:
    """A newcomer never takes a free connection from someone already waiting for one.

    Each newcomer is woken by the pool's check-in event, that is in the instant a connection is handed
    back and before the pool wakes its first waiter: a pool that lets the first asker win gives it away.
    """
    one_connection = create_async_engine(engine.url, pool_size=1, max_overflow=0)  # as SQLite's default
    slots = transaction_slots(one_connection)
    assert slots == 1
    uow_factory = SqlUnitOfWorkFactory(session_factory(one_connection), slots)
    arrived: list[int] = []
    started: list[int] = []
    at_next_checkin: list[asyncio.Event] = []
    newcomers: list[asyncio.Task[None]] = []

    def connection_handed_back(*_: object) -> None:
        while at_next_checkin:
            at_next_checkin.pop().set()

    event.listen(one_connection.sync_engine, "checkin", connection_handed_back)

    async def newcomer(n: int, ready: asyncio.Event) -> None:
        await ready.wait()
        await turn(n)

    async def turn(n: int) -> None:
        arrived.append(n)
        async with uow_factory() as uow:
            await uow.session.execute(text("SELECT 1"))
            started.append(n)
            if n < 20:
                ready = asyncio.Event()
                at_next_checkin.append(ready)
                newcomers.append(asyncio.create_task(newcomer(n + 100, ready)))

    try:
        await asyncio.gather(*(turn(n) for n in range(20)))
        await asyncio.gather(*newcomers)
    finally:
        await one_connection.dispose()
    assert len(started) == 40
    assert started == arrived


async def test_a_background_writer_on_sqlite_pauses_after_each_commit_to_let_the_server_write(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite does not queue writers across processes: a round's worker process that took the database
    again right after each slice kept the server's card actions waiting seconds."""
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded(seconds: float) -> None:
        pauses.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("storage.unit_of_work.asyncio.sleep", recorded)
    for background in (True, False):
        uows = SqlUnitOfWorkFactory(session_factory(engine), transaction_slots(engine), background=background)
        async with uows() as uow:
            await uow.organizations.add(
                Organization(
                    f"org-{background}", OrganizationKind.TEAMS_TENANT, f"tenant-{background}", "Org"
                )
            )
            await uow.commit()
        async with uows() as uow:  # read only: nothing to yield
            await uow.organizations.get(f"org-{background}")
    expected = 1 if engine.dialect.name == "sqlite" else 0  # PostgreSQL locks rows, not the database
    assert len(pauses) == expected and all(0 <= p <= 0.25 for p in pauses)


async def test_a_write_that_finds_sqlite_busy_past_its_timeout_is_a_concurrent_change_to_retry(
    tmp_path: Path,
) -> None:
    """Another process holding SQLite's writer past the busy timeout: nothing was written, and the core is told
    in its own words (`ConcurrentChange`), which turns and a round's slices retry, instead of a bare error."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    holder_engine = create_engine(url)
    waiter_engine = create_engine(url, busy_timeout_seconds=0.2)
    try:
        await migrate.upgrade(holder_engine)
        async with holder_engine.connect() as holder:
            await holder.execute(text("BEGIN IMMEDIATE"))  # takes the write lock and keeps it
            uows = SqlUnitOfWorkFactory(session_factory(waiter_engine), transaction_slots(waiter_engine))
            with pytest.raises(ConcurrentChange, match="busy"):
                async with uows() as uow:
                    await uow.organizations.add(
                        Organization("org-busy", OrganizationKind.TEAMS_TENANT, "t", "Org")
                    )
                    await uow.commit()
            await holder.execute(text("ROLLBACK"))
        async with SqlUnitOfWorkFactory(session_factory(waiter_engine))() as uow:
            assert await uow.organizations.get("org-busy") is None  # nothing half-written
    finally:
        await holder_engine.dispose()
        await waiter_engine.dispose()
