"""Optimistic concurrency: a save from a stale read of a pairing or program is refused, never half-applied."""

from __future__ import annotations

import pytest

from core.errors import ConcurrentChange
from core.model import Response
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


async def test_the_second_of_two_saves_from_the_same_read_is_refused_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    first, second = FakeUnitOfWork(uow.store), FakeUnitOfWork(uow.store)
    async with first, second:
        mine = await first.pairings.get(ORG, "pair-1")
        theirs = await second.pairings.get(ORG, "pair-1")
        assert mine is not None and theirs is not None
        theirs.accept("bo", clock.now())
        await second.pairings.save(theirs)
        await second.commit()
        mine.accept("ana", clock.now())
        await first.pairings.save(mine)
        with pytest.raises(ConcurrentChange):
            await first.commit()
    stored = uow.store.pairings["pair-1"]
    assert [m.response for m in stored.members] == [Response.PENDING, Response.ACCEPTED]
    assert stored.version == 1


async def test_a_program_saved_twice_in_one_unit_of_work_moves_its_version_each_time(
    uow: FakeUnitOfWork,
) -> None:
    async with uow:
        program = await uow.programs.get(ORG, PROGRAM)
        assert program is not None
        await uow.programs.save(program)
        await uow.programs.save(program)
        await uow.commit()
    assert uow.store.programs[PROGRAM].version == 2
