"""Which program a card or a command is about, read in one unit of work."""

from __future__ import annotations

from core.errors import NotFound
from core.model import Program, ScopeKind
from core.model.programs import ORGANIZATION_SCOPE
from core.ports import UnitOfWork


async def target_program(
    organization_id: str,
    person_id: str,
    uow: UnitOfWork,
    *,
    program_id: str | None,
    team_id: str | None,
    for_facilitator: bool,
) -> Program | None:
    """The program named on the card (`program_id`), else the team's (`team_id`), else for a facilitator one
    they facilitate (the organisation's own program first, then by name); None when only the organisation's
    own program is left, which `core.services.programs.ensure_organization_program` finds or creates.

    A program id is looked up inside `organization_id` only, so an id from another tenant is simply not found
    (NotFound)."""
    if program_id is not None:
        program = await uow.programs.get(organization_id, program_id)
        if program is None:
            raise NotFound(
                "That program does not exist here (it may belong to another team or organization)."
            )
        return program
    if team_id is not None:
        program = await uow.programs.by_scope(organization_id, ScopeKind.TEAMS_TEAM, team_id)
        if program is not None:
            return program
    if for_facilitator:
        everything = await uow.programs.for_organization(organization_id)
        mine = [p for p in everything if p.is_facilitator(person_id)]
        if mine:
            return sorted(mine, key=lambda p: (p.scope_id != ORGANIZATION_SCOPE, p.name))[0]
    return None
