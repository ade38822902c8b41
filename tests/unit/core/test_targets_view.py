"""Which program a card or command is about (`core.views.targets`), against the fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.bus import MessageBus
from core.errors import NotFound
from core.model import Program
from core.model.programs import ORGANIZATION_SCOPE
from core.views.targets import target_program
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeUnitOfWork


async def _target(
    uow: FakeUnitOfWork,
    who: str,
    *,
    program_id: str | None = None,
    team_id: str | None = None,
    for_facilitator: bool = False,
    organization_id: str = ORG,
) -> Program | None:
    async with FakeUnitOfWork(uow.store) as unit:
        return await target_program(
            organization_id,
            who,
            unit,
            program_id=program_id,
            team_id=team_id,
            for_facilitator=for_facilitator,
        )


async def test_the_program_named_on_the_card_wins_but_only_inside_the_actors_organization(
    bus: MessageBus,
    uow: FakeUnitOfWork,
) -> None:
    found = await bus.read(lambda u: _target(u, "ana", program_id=PROGRAM, team_id="19:other"))
    assert found is not None and found.id == PROGRAM
    with pytest.raises(NotFound):
        await bus.read(lambda u: _target(u, "ana", program_id=PROGRAM, organization_id="org-b"))


async def test_in_a_team_the_teams_program_is_meant(bus: MessageBus, uow: FakeUnitOfWork) -> None:
    found = await bus.read(lambda u: _target(u, "ana", team_id="19:team"))
    assert found is not None and found.id == PROGRAM


async def test_a_facilitator_in_the_personal_chat_means_a_program_they_run_the_organizations_first(
    bus: MessageBus,
    uow: FakeUnitOfWork,
) -> None:
    found = await bus.read(lambda u: _target(u, "fay", for_facilitator=True))
    assert found is not None and found.id == PROGRAM  # the one she runs
    uow.store.programs["program-org"] = replace(
        uow.store.programs[PROGRAM], id="program-org", scope_id=ORGANIZATION_SCOPE, name="Peer learning"
    )
    found = await bus.read(lambda u: _target(u, "fay", for_facilitator=True))
    assert found is not None and found.id == "program-org"
    assert (
        await bus.read(lambda u: _target(u, "fay")) is None
    )  # as a participant: the organization's own program
    assert (
        await bus.read(lambda u: _target(u, "ana", for_facilitator=True)) is None
    )  # ana facilitates nothing
