"""A course's study groups, as the LTI door drives them: the course's program, its settings, the learners'
questionnaire, and the instructor's draft groups (move a member, publish).

Groups formed for a course stay `proposed` (a draft only the instructor sees) until published; publishing
makes them `accepted` then `active` in one step, recording the instructor in their history.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core import commands
from core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from core.model import (
    Enrollment,
    Intent,
    MemberRole,
    Pairing,
    PairingMember,
    PairingStatus,
    Profile,
    Program,
    ProgramKind,
    Response,
    ScopeKind,
    StatusChange,
    new_id,
)
from core.model.program_options import CRITERIA, ProgramOptions
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import notify
from core.services.profiles import profile_from_command

SWITCHABLE = ("no_isolated_member", "avoid_previous_groupmates")
"""The criteria the matcher can switch (`ProgramOptions.with_criteria`). The others are always weighed
(similar goals, overlapping availability) or not implemented by the matcher yet (mixing sections)."""


@dataclass
class Published:
    pairings: list[Pairing] = field(default_factory=list)
    notified: int = 0


async def ensure_course_program(cmd: commands.EnsureCourseProgram, uow: UnitOfWork, clock: Clock) -> Program:
    """The course's program, created at its first launch. Every instructor who launches becomes a facilitator."""
    program = await uow.programs.by_scope(cmd.organization_id, ScopeKind.LMS_COURSE, cmd.course_id)
    if program is None:
        program = Program(
            id=new_id(),
            organization_id=cmd.organization_id,
            name=(" ".join(cmd.course_title.split()) or "Course")[:120],
            kind=ProgramKind.STUDY_GROUPS,
            scope_kind=ScopeKind.LMS_COURSE,
            scope_id=cmd.course_id,
            group_size=4,
            settings=ProgramOptions.for_course(),
        )
        if cmd.group_size is not None and 3 <= cmd.group_size <= 6:
            program.group_size = cmd.group_size
        program.validate()
        await uow.programs.add(program)
    if cmd.actor_is_instructor and not program.is_facilitator(cmd.actor_id):
        program.facilitator_ids.append(cmd.actor_id)
        await uow.programs.save(program)
    return program


async def _instructor_program(
    uow: UnitOfWork, organization_id: str, program_id: str, actor_id: str
) -> Program:
    program = await _lookups.program(uow, organization_id, program_id)
    if not program.is_facilitator(actor_id):
        raise PermissionDenied("Only the course's instructors can do this.")
    return program


async def update_course_settings(
    cmd: commands.UpdateCourseSettings, uow: UnitOfWork, clock: Clock
) -> Program:
    unknown = cmd.criteria - set(CRITERIA)
    if unknown:
        raise InvalidInput(
            "criteria", f"The criterion '{sorted(unknown)[0]}' is not one of: {', '.join(CRITERIA)}."
        )
    program = await _instructor_program(uow, cmd.organization_id, cmd.program_id, cmd.actor_id)
    program.group_size = cmd.group_size
    program.validate()
    program.settings = replace(
        program.settings.with_criteria({name: name in cmd.criteria for name in CRITERIA}),
        questionnaire_deadline=cmd.questionnaire_deadline,
    )
    await uow.programs.save(program)
    return program


async def save_questionnaire(
    cmd: commands.SaveQuestionnaire, uow: UnitOfWork, clock: Clock
) -> tuple[Profile, Enrollment]:
    """A learner's answers become their profile and their enrollment in the course's program, in one go."""
    profile = profile_from_command(cmd.profile)  # validated before any I/O: a mistake changes nothing
    section = " ".join((cmd.section or "").split())[:80] or None
    organization_id, person_id = cmd.organization_id, cmd.profile.person_id
    program = await _lookups.program(uow, organization_id, cmd.program_id)
    await _lookups.person(uow, organization_id, person_id)
    if cmd.accepted_code_of_conduct_version is None:
        raise InvalidInput("code_of_conduct", "Tick the box to accept the group's code of conduct.")
    enrollment = await uow.enrollments.get(organization_id, program.id, person_id)
    now = clock.now()
    if enrollment is None:
        enrollment = Enrollment(new_id(), organization_id, program.id, person_id, 0, now)
    enrollment.consent(program, cmd.accepted_code_of_conduct_version, now)
    program.settings = program.settings.with_member_attributes(
        person_id, {"section": section} if section else {}
    )
    await uow.profiles.save(organization_id, profile)
    await uow.enrollments.save(enrollment)
    await uow.programs.save(program)
    return profile, enrollment


async def move_member(cmd: commands.MoveMember, uow: UnitOfWork, clock: Clock) -> Pairing:
    """Move a learner into another draft group (from their draft group, or from the unmatched)."""
    program = await _instructor_program(uow, cmd.organization_id, cmd.program_id, cmd.actor_id)
    target = await _lookups.pairing(uow, cmd.organization_id, cmd.to_pairing_id)
    if target.program_id != program.id or target.status is not PairingStatus.PROPOSED:
        raise InvalidTransition("Members can be moved into draft groups of this course only.")
    if cmd.person_id in target.member_ids():
        raise InvalidInput("person", "That learner is already in this group.")
    if await uow.enrollments.get(cmd.organization_id, program.id, cmd.person_id) is None:
        raise NotFound("That learner has not answered the questionnaire of this course.")
    for source in await uow.pairings.for_program(cmd.organization_id, program.id):
        if source.status is PairingStatus.PROPOSED and cmd.person_id in source.member_ids():
            if len(source.members) == 1:
                raise InvalidTransition("That would leave a group empty; move someone into it first.")
            source.members = [m for m in source.members if m.person_id != cmd.person_id]
            await uow.pairings.save(source)
    target.members.append(PairingMember(cmd.person_id, MemberRole.PEER))
    await uow.pairings.save(target)
    return target


async def publish_groups(cmd: commands.PublishGroups, uow: UnitOfWork, clock: Clock) -> Published:
    """Publish every draft group: learners see their group, and those linked to Teams are introduced there."""
    program = await _instructor_program(uow, cmd.organization_id, cmd.program_id, cmd.actor_id)
    drafts = [
        p
        for p in await uow.pairings.for_program(cmd.organization_id, program.id)
        if p.status is PairingStatus.PROPOSED
    ]
    if not drafts:
        raise InvalidTransition("There are no draft groups to publish; form groups first.")
    now, result = clock.now(), Published()
    for pairing in drafts:
        for member in pairing.members:
            member.response = Response.ACCEPTED
        pairing.status = PairingStatus.ACCEPTED
        pairing.history.append(StatusChange(PairingStatus.ACCEPTED, now, cmd.actor_id))
        pairing.start(now)
        await uow.pairings.save(pairing)
        people = await uow.persons.many(cmd.organization_id, pairing.member_ids())
        on_teams = [p.id for p in people if p.teams is not None]
        result.notified += await notify(
            uow, clock, cmd.organization_id, on_teams, Intent.INTRODUCTION, pairing.id
        )
        result.pairings.append(pairing)
    return result
