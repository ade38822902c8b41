"""SQLite's writer's turn (`storage.sqlite_writer`): units of work that may write take it in turn across
processes; units that only read do not wait for it; a unit that cannot get it in time saves nothing and
says so."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import ConcurrentChange
from core.model import Organization, OrganizationKind
from storage import migrate
from storage.database import create_engine, session_factory
from storage.sqlite_writer import WriterTurn, WriterTurnTimeout
from storage.unit_of_work import SqlUnitOfWorkFactory

HOLD_IN_ANOTHER_PROCESS = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    path = tmp_path / "peerlearn.db"
    engine = create_engine(f"sqlite:///{path}")
    await migrate.upgrade(engine)
    await engine.dispose()
    return path


Units = Callable[..., SqlUnitOfWorkFactory]


@pytest.fixture
async def units(database: Path) -> AsyncIterator[Units]:
    """Factories of units of work on the database, each on an engine of its own, as two processes have."""
    engines: list[AsyncEngine] = []

    def make(wait: float = 10.0) -> SqlUnitOfWorkFactory:
        engines.append(create_engine(f"sqlite:///{database}"))
        return SqlUnitOfWorkFactory(session_factory(engines[-1]), 1, writer_wait_seconds=wait)

    yield make
    for engine in engines:
        await engine.dispose()


async def test_the_next_writer_gets_the_turn_only_when_the_first_gives_it_back(tmp_path: Path) -> None:
    first, second = WriterTurn(tmp_path / "db", 10), WriterTurn(tmp_path / "db", 10)
    await first.take()
    waiting = asyncio.create_task(second.take())
    await asyncio.sleep(0.2)
    assert not waiting.done()  # a separate open file: what another process has
    first.give_back()
    await asyncio.wait_for(waiting, 5)
    second.give_back()
    first.close()
    second.close()


async def test_a_process_holding_the_turn_keeps_a_writer_out_until_it_lets_go(tmp_path: Path) -> None:
    turn = WriterTurn(tmp_path / "db", 10)
    holder = subprocess.Popen(  # noqa: ASYNC220 - a short helper process, read line by line below
        [sys.executable, "-c", HOLD_IN_ANOTHER_PROCESS, str(turn.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await asyncio.to_thread(holder.stdout.readline) == "held\n"
        waiting = asyncio.create_task(turn.take())
        await asyncio.sleep(0.2)
        assert not waiting.done()
        holder.stdin.close()  # the other process ends, and its lock with it
        await asyncio.wait_for(waiting, 5)
        turn.give_back()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        turn.close()


async def test_a_writer_that_cannot_get_the_turn_in_time_saves_nothing_and_may_try_again(
    units: Units,
) -> None:
    patient, hurried = units(), units(wait=0.3)
    async with patient() as holding:
        await holding.organizations.add(Organization("org-a", OrganizationKind.TEAMS_TENANT, "t-a", "A"))
        with pytest.raises(ConcurrentChange, match="busy with another writer"):
            async with hurried() as uow:
                await uow.organizations.add(Organization("org-b", OrganizationKind.TEAMS_TENANT, "t-b", "B"))
                await uow.commit()
        await holding.commit()
    async with hurried() as uow:  # the turn is free again: the retry goes through
        await uow.organizations.add(Organization("org-b", OrganizationKind.TEAMS_TENANT, "t-b", "B"))
        await uow.commit()
    async with patient(read_only=True) as uow:
        assert {o for o in ("org-a", "org-b") if await uow.organizations.get(o)} == {"org-a", "org-b"}


async def test_a_unit_that_only_reads_does_not_wait_for_the_writer(units: Units) -> None:
    writer, reader = units(), units(wait=0.3)
    async with writer() as holding:
        await holding.organizations.add(Organization("org-a", OrganizationKind.TEAMS_TENANT, "t-a", "A"))
        async with reader(read_only=True) as uow:  # WAL: it reads the last committed state meanwhile
            assert await uow.organizations.get("org-a") is None
        await holding.commit()


async def test_a_turn_not_had_in_time_says_so_and_can_be_taken_later(tmp_path: Path) -> None:
    first, second = WriterTurn(tmp_path / "db", 10), WriterTurn(tmp_path / "db", 0.1)
    await first.take()
    with pytest.raises(WriterTurnTimeout, match="kept the writer's turn for 0 s"):
        await second.take()
    first.give_back()
    await second.take()  # the timeout gave back its own process's place in line
    second.give_back()
    first.close()
    second.close()
