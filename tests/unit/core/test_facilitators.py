"""A facilitator names another facilitator; nobody else may, and nobody from another organization."""

from __future__ import annotations

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import NotFound, PermissionDenied
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeUnitOfWork


def _add(actor: str, person: str, organization: str = ORG) -> commands.AddFacilitator:
    return commands.AddFacilitator(organization, PROGRAM, actor, person)


async def test_a_facilitator_names_another_once(bus: MessageBus, uow: FakeUnitOfWork) -> None:
    program, person, added = await bus.handle(_add("fay", "ana"))
    assert added and person.id == "ana" and program.facilitator_ids == ["fay", "ana"]
    assert uow.store.programs[PROGRAM].facilitator_ids == ["fay", "ana"]
    _, _, again = await bus.handle(_add("ana", "ana"))
    assert not again and uow.store.programs[PROGRAM].facilitator_ids == ["fay", "ana"]


async def test_someone_who_does_not_facilitate_cannot_name_a_facilitator(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    with pytest.raises(PermissionDenied):
        await bus.handle(_add("ana", "ana"))
    with pytest.raises(PermissionDenied):
        await bus.handle(_add("ana", "bo"))
    assert uow.store.programs[PROGRAM].facilitator_ids == ["fay"]


async def test_an_unknown_or_erased_person_or_another_organization_is_not_found(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    with pytest.raises(NotFound):
        await bus.handle(_add("fay", "nobody"))
    uow.store.persons["bo"].erased = True
    with pytest.raises(NotFound):
        await bus.handle(_add("fay", "bo"))
    with pytest.raises(NotFound):  # the program is looked up inside the actor's organization only
        await bus.handle(_add("fay", "ana", organization="org-b"))
    assert uow.store.programs[PROGRAM].facilitator_ids == ["fay"]
