from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.bus import MessageBus, UnknownCommand
from core.model import Person
from core.ports import Clock, UnitOfWork
from tests.unit.conftest import ORG
from tests.unit.fakes import FakeClock, FakeUnitOfWork, SameUnit


@dataclass(frozen=True)
class Rename:
    person_id: str
    name: str
    fail_after_saving: bool = False


async def rename(cmd: Rename, uow: UnitOfWork, clock: Clock) -> Person:
    person = await uow.persons.get(ORG, cmd.person_id)
    assert person is not None
    person.display_name = cmd.name
    await uow.persons.save(person)
    if cmd.fail_after_saving:
        raise ValueError("the handler failed after saving")
    return person


def bus_of(uow: FakeUnitOfWork, clock: FakeClock) -> MessageBus:
    return MessageBus(SameUnit(uow), clock, {Rename: rename})


async def test_the_bus_commits_what_the_handler_saved(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    renamed = await bus_of(uow, clock).handle(Rename("ana", "Ana Lima"))
    assert renamed.display_name == "Ana Lima"
    assert uow.store.persons["ana"].display_name == "Ana Lima"
    assert uow.store.commits == 1


async def test_a_handler_that_raises_keeps_nothing_it_wrote(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        await bus_of(uow, clock).handle(Rename("ana", "Ana Lima", fail_after_saving=True))
    assert uow.store.persons["ana"].display_name == "Ana"
    assert uow.store.commits == 0


async def test_a_command_without_a_handler_is_a_wiring_error_that_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(UnknownCommand, match="object"):
        await bus_of(uow, clock).handle(object())
    assert uow.store.commits == 0


async def test_a_unit_runs_the_command_and_reads_its_view_in_one_transaction(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    bus = bus_of(uow, clock)
    async with bus.unit() as work:
        await work.handle(Rename("bo", "Bo Chen"))
        seen = await work.uow.persons.get(ORG, "bo")
        assert uow.store.persons["bo"].display_name == "Bo"  # not committed until the unit ends
    assert seen is not None and seen.display_name == "Bo Chen"
    assert uow.store.persons["bo"].display_name == "Bo Chen"


async def test_a_read_writes_nothing(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    async def sneaky(u: UnitOfWork) -> None:
        person = await u.persons.get(ORG, "cy")
        assert person is not None
        person.display_name = "changed by a read"
        await u.persons.save(person)

    await bus_of(uow, clock).read(sneaky)
    assert uow.store.persons["cy"].display_name == "Cy"
    assert uow.store.commits == 0


def test_every_command_in_core_has_exactly_one_handler() -> None:
    import inspect

    from core import commands
    from core.handlers import HANDLERS

    declared = {
        obj
        for _, obj in inspect.getmembers(commands, inspect.isclass)
        if obj.__module__ == commands.__name__ and obj.__name__ not in {"SkillInput", "RunRound"}
    }
    assert declared <= set(HANDLERS), sorted(c.__name__ for c in declared - set(HANDLERS))


async def test_a_failed_command_keeps_nothing_of_its_unit_even_when_the_door_answered_the_error(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    bus = bus_of(uow, clock)
    async with bus.unit() as work:
        await work.handle(Rename("ana", "Ana Lima"))
        with pytest.raises(ValueError):  # the door catches it and shows the form again
            await work.handle(Rename("bo", "Bo Chen", fail_after_saving=True))
    assert uow.store.persons["ana"].display_name == "Ana"
    assert uow.store.persons["bo"].display_name == "Bo"
    assert uow.store.commits == 0


async def test_a_unit_of_work_does_not_nest(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    async with uow:
        with pytest.raises(RuntimeError, match="does not nest"):
            await uow.__aenter__()
