"""Someone is always responsible for a program.

A program whose last facilitator leaves (their team, or peerlearn by deleting their data) does not run
unattended: its rounds pause (`Program.needs_facilitator`), and the people who can take it over are asked
in their 1:1 chat: the team's owners, as Teams' roster names them. The first of them to press "Take it
over" becomes its facilitator and the program runs again."""

from __future__ import annotations

from core import commands
from core.errors import InvalidTransition, PermissionDenied
from core.model import Intent, Program, ScopeKind
from core.model.programs import ORGANIZATION_SCOPE
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import notify


async def release_facilitator(
    uow: UnitOfWork, clock: Clock, organization_id: str, person_id: str, team_id: str | None = None
) -> list[Program]:
    """The person no longer facilitates (the programs of one team, or every program). Returns the programs
    left without a facilitator; for each, the team's owners (other than the person) are asked to take over."""
    orphaned = []
    for program in await uow.programs.for_organization(organization_id):
        if not program.is_facilitator(person_id):
            continue
        if team_id is not None and program.scope_id != team_id:
            continue
        program.facilitator_ids = [f for f in program.facilitator_ids if f != person_id]
        await uow.programs.save(program)
        if program.facilitator_ids:
            continue
        orphaned.append(program)
        owners = []
        if program.scope_kind is ScopeKind.TEAMS_TEAM and program.scope_id != ORGANIZATION_SCOPE:
            owners = [
                o for o in await uow.rosters.owners(organization_id, program.scope_id) if o != person_id
            ]
        await notify(uow, clock, organization_id, owners, Intent.FACILITATOR_NEEDED, program.id)
    return orphaned


async def require_may_take_over(uow: UnitOfWork, program: Program, actor_id: str) -> None:
    """Who may become the facilitator of a program that has none (by "Take it over", or by being the first to
    save its set-up): an owner of its team. A team whose roster named no owner (it could not be read) is
    claimed by its members. The organization's own program is claimed by whoever sets it up first."""
    if program.scope_id == ORGANIZATION_SCOPE:
        return
    owners = await uow.rosters.owners(program.organization_id, program.scope_id)
    if owners and actor_id not in owners:
        raise PermissionDenied(f"Only an owner of the team of '{program.name}' can take it over.")
    if not owners and actor_id not in await uow.rosters.members(program.organization_id, program.scope_id):
        raise PermissionDenied(f"Only a member of the team of '{program.name}' can take it over.")


async def take_over(cmd: commands.TakeOver, uow: UnitOfWork, clock: Clock) -> Program:
    """A team owner (or, for the organization's program, anyone) becomes the facilitator of a program that
    has none. Refused once someone else took it over first."""
    program = await _lookups.program(uow, cmd.organization_id, cmd.program_id)
    await _lookups.person(uow, cmd.organization_id, cmd.actor_id)
    if program.is_facilitator(cmd.actor_id):
        raise InvalidTransition(f"You already facilitate '{program.name}'.")
    if program.facilitator_ids:
        raise InvalidTransition(f"Someone has already taken '{program.name}' over.")
    await require_may_take_over(uow, program, cmd.actor_id)
    program.facilitator_ids.append(cmd.actor_id)
    await uow.programs.save(program)
    return program
