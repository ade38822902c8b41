"""What each LMS page and download needs, read in the one unit of work it is given: the instructor's page, the
learner's page, the groups as a CSV would list them, and the published groups with the LMS user ids of their
members. The LTI door renders these and never reaches a repository itself.

Each opens the unit of work once and reads everything in it (the `read_*` functions of `core.views.courses`
join it rather than open it again), so a page is one transaction; the course's overview is read once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.model import Enrollment, Profile, Program
from core.ports import UnitOfWork
from core.views import courses
from core.views.courses import CourseOverview, GroupView, RosterMember, RosterRow


@dataclass(frozen=True)
class InstructorPage:
    program: Program
    overview: CourseOverview
    roster: list[RosterRow]  # empty when the LMS gave no roster


@dataclass(frozen=True)
class LearnerPage:
    program: Program
    enrollment: Enrollment | None  # None: the learner has not answered the questionnaire yet
    profile: Profile | None
    group: GroupView | None  # their published group


@dataclass(frozen=True)
class ExportRow:
    """One line of the course's CSV: a member of a group, or a learner not in one (`group` None)."""

    group: int | None
    status: str
    name: str
    lms_user_id: str
    email: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PublishedGroup:
    number: int
    lms_user_ids: tuple[str, ...]  # the members the course's platform knows, by its user ids


async def _program(
    uow: UnitOfWork, organization_id: str, program_id: str, known: Program | None
) -> Program | None:
    if known is not None and known.id == program_id:
        return known
    return await uow.programs.get(organization_id, program_id)


async def instructor_page(
    uow: UnitOfWork,
    organization_id: str,
    program_id: str,
    issuer: str,
    roster: Sequence[RosterMember],
    *,
    min_group: int | None = None,
    program: Program | None = None,
) -> InstructorPage | None:
    """The course with its groups and figures, and the LMS roster marked with who answered and which group
    each is in; None when the course's program is gone. `program`: one the caller has just read."""
    found = await _program(uow, organization_id, program_id, program)
    if found is None:
        return None
    overview = await courses.course_overview(uow, organization_id, program_id, min_group)
    rows = await courses.roster_status(uow, organization_id, program_id, issuer, roster, overview)
    return InstructorPage(found, overview, rows)


async def learner_page(
    uow: UnitOfWork,
    organization_id: str,
    program_id: str,
    person_id: str,
    *,
    program: Program | None = None,
) -> LearnerPage | None:
    """The learner's answers and their published group; None when the course's program is gone."""
    found = await _program(uow, organization_id, program_id, program)
    if found is None:
        return None
    enrollment = await uow.enrollments.get(organization_id, program_id, person_id)
    profile = await uow.profiles.get(organization_id, person_id)
    group = await courses.my_group(uow, organization_id, program_id, person_id, found)
    return LearnerPage(found, enrollment, profile, group)


async def course_export(
    uow: UnitOfWork, organization_id: str, program_id: str, issuer: str
) -> list[ExportRow]:
    """Every group's members (a draft says "draft"), then the learners not in a group, each with the user id
    the course's platform knows them by and their verified email."""
    overview = await courses.course_overview(uow, organization_id, program_id)
    everyone = [m.person_id for g in overview.groups for m in g.members] + [
        m.person_id for m in overview.unmatched
    ]
    contacts = await courses.read_lms_contacts(uow, organization_id, everyone, issuer)

    def ids(person_id: str) -> tuple[str, str]:
        _, subject, email = contacts.get(person_id, ("", None, None))
        return subject or "", email or ""

    rows = [
        ExportRow(
            group.number,
            "draft" if group.status == "proposed" else group.status,
            member.name,
            *ids(member.person_id),
            group.reasons,
        )
        for group in overview.groups
        for member in group.members
    ]
    rows += [ExportRow(None, "not grouped", m.name, *ids(m.person_id), ()) for m in overview.unmatched]
    return rows


async def published_groups(
    uow: UnitOfWork, organization_id: str, program_id: str, issuer: str
) -> list[PublishedGroup]:
    """The course's published groups (drafts left out), each with its members' user ids on `issuer`'s
    platform; a member the platform does not know is left out."""
    overview = await courses.course_overview(uow, organization_id, program_id)
    published = [g for g in overview.groups if g.status != "proposed"]
    people = [m.person_id for g in published for m in g.members]
    contacts = await courses.read_lms_contacts(uow, organization_id, people, issuer)
    return [
        PublishedGroup(
            g.number,
            tuple(s for m in g.members if (s := contacts.get(m.person_id, ("", None, None))[1])),
        )
        for g in published
    ]
