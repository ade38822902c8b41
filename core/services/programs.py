"""Programs as Teams sees them: one per team (created when the app is installed there) and one for the
whole organization (for people who install the app for themselves), set up by their facilitators."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

from core import commands
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.model import Cadence, EnrollmentStatus, Person, Program, ProgramKind, ScopeKind, new_id
from core.model import programs as model_programs
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.enrollment import _end_open_pairings
from core.services.stewardship import release_facilitator, require_may_take_over

ORGANIZATION_SCOPE = model_programs.ORGANIZATION_SCOPE

MAX_START_AHEAD = timedelta(days=366)
E = TypeVar("E", ProgramKind, Cadence)


async def ensure_team_program(cmd: commands.EnsureTeamProgram, uow: UnitOfWork, clock: Clock) -> Program:
    """The team's program, created on first install and reactivated on a re-install.

    Whoever installs the app in a team becomes its first facilitator; more can be added later.
    """
    program = await _ensure(uow, cmd.organization_id, cmd.team_id, cmd.team_name or "Team program")
    program.active = True
    if not program.facilitator_ids and cmd.installer_id is not None:
        await _lookups.person(uow, cmd.organization_id, cmd.installer_id)
        program.facilitator_ids.append(cmd.installer_id)
    await uow.programs.save(program)
    return program


async def ensure_organization_program(
    cmd: commands.EnsureOrganizationProgram, uow: UnitOfWork, clock: Clock
) -> Program:
    program = await _ensure(uow, cmd.organization_id, ORGANIZATION_SCOPE, "Peer learning")
    return program


async def _ensure(uow: UnitOfWork, organization_id: str, scope_id: str, name: str) -> Program:
    program = await uow.programs.by_scope(organization_id, ScopeKind.TEAMS_TEAM, scope_id)
    if program is None:
        program = Program(
            id=new_id(),
            organization_id=organization_id,
            name=" ".join(name.split())[:120] or "Peer learning",
            kind=ProgramKind.PEER_PAIRS,
            scope_kind=ScopeKind.TEAMS_TEAM,
            scope_id=scope_id,
        )
        await uow.programs.add(program)
    return program


def _choice(enum_type: type[E], field: str, value: str) -> E:
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum_type)
        raise InvalidInput(field, f"'{value}' is not a {field}; choose one of: {allowed}.") from None


async def setup_program(cmd: commands.ProgramSetup, uow: UnitOfWork, clock: Clock) -> Program:
    """Configure a program. Only its facilitators may; a program nobody facilitates yet is claimed by
    the first person who sets it up (they become its facilitator)."""
    kind = _choice(ProgramKind, "kind", cmd.kind)
    cadence = _choice(Cadence, "cadence", cmd.cadence)
    program = await _lookups.program(uow, cmd.organization_id, cmd.program_id)
    await _lookups.person(uow, cmd.organization_id, cmd.actor_id)
    if program.facilitator_ids and not program.is_facilitator(cmd.actor_id):
        raise PermissionDenied("Only this program's facilitators can change its set-up.")
    if not program.facilitator_ids:
        await require_may_take_over(uow, program, cmd.actor_id)
    today = clock.now().date()
    if (
        cmd.starts_on is not None
        and not today - timedelta(days=1) <= cmd.starts_on <= today + MAX_START_AHEAD
    ):
        raise InvalidInput(
            "starts_on",
            f"The start date '{cmd.starts_on.isoformat()}' must be between today and a year from now.",
        )
    program.kind, program.cadence = kind, cadence
    program.group_size = cmd.group_size
    program.prefer_cross_department = cmd.prefer_cross_department
    program.max_level_gap = cmd.max_level_gap
    program.starts_on = cmd.starts_on
    program.validate()
    if not program.facilitator_ids:
        program.facilitator_ids.append(cmd.actor_id)
    await uow.programs.save(program)
    return program


async def add_facilitator(
    cmd: commands.AddFacilitator, uow: UnitOfWork, clock: Clock
) -> tuple[Program, Person, bool]:
    """A facilitator names another one. Returns the program, the person, and whether they were added
    (False: they already were). The caller checks that the person belongs where the program runs."""
    program = await _lookups.program(uow, cmd.organization_id, cmd.program_id)
    await _lookups.person(uow, cmd.organization_id, cmd.actor_id)
    if not program.is_facilitator(cmd.actor_id):
        raise PermissionDenied("Only this program's facilitators can name another facilitator.")
    person = await uow.persons.get(cmd.organization_id, cmd.person_id)
    if person is None or person.erased:
        raise NotFound("I do not know that person in this organization yet.")
    if program.is_facilitator(person.id):
        return program, person, False
    program.facilitator_ids.append(person.id)
    await uow.programs.save(program)
    return program, person, True


def default_start(today: date) -> date:
    return today + timedelta(days=7)


async def deactivate_team_program(
    cmd: commands.DeactivateTeamProgram, uow: UnitOfWork, clock: Clock
) -> Program | None:
    """The app was removed from the team: the program stops (no rounds, no check-ins); nothing is deleted."""
    program = await uow.programs.by_scope(cmd.organization_id, ScopeKind.TEAMS_TEAM, cmd.team_id)
    if program is None or not program.active:
        return program
    program.active = False
    await uow.programs.save(program)
    return program


async def remove_team_member(cmd: commands.RemoveTeamMember, uow: UnitOfWork, clock: Clock) -> bool:
    """Someone left the team: they are off its roster, leave its program, and their open pairings there end."""
    organization_id, team_id = cmd.organization_id, cmd.team_id
    program = await uow.programs.by_scope(organization_id, ScopeKind.TEAMS_TEAM, team_id)
    person = await uow.persons.by_aad_object_id(organization_id, cmd.aad_object_id)
    if person is not None:
        await uow.rosters.remove_member(organization_id, team_id, person.id)
    if program is None or person is None:
        return False
    if program.is_facilitator(person.id):
        await release_facilitator(uow, clock, organization_id, person.id, team_id)
    enrollment = await uow.enrollments.get(organization_id, program.id, person.id)
    if enrollment is not None and enrollment.status is not EnrollmentStatus.LEFT:
        enrollment.leave()
        await uow.enrollments.save(enrollment)
        await _end_open_pairings(uow, enrollment, clock)
    return enrollment is not None
