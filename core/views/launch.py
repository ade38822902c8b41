"""A launch by someone the tool already knows, read in one go: when the person's LTI identity, name and email,
and the course's program are stored as the launch says (and an instructor is already among the course's
facilitators), resolving the person (`ResolveLtiPerson`) and the course (`EnsureCourseProgram`) would change
nothing, so the launch dispatches neither: it reads the person, the course and the learner's page together
(`LtiRepository.known_launch`, one statement) instead of in seven. Anything else (a first launch, a new name
or email, a new instructor, a new course) is `None`: the door dispatches the two commands as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.model import Person, Program
from core.model.people import normalize_email
from core.ports import UnitOfWork
from core.views.course_pages import LearnerPage
from core.views.courses import my_group


@dataclass(frozen=True)
class ReturningLaunch:
    person: Person
    program: Program
    page: LearnerPage | None  # the learner's page (None for an instructor's launch)


async def returning_launch(
    uow: UnitOfWork,
    organization_id: str,
    issuer: str,
    subject: str,
    name: str,
    email: str | None,
    course_id: str,
    instructor: bool,
) -> ReturningLaunch | None:
    """The known person and course of a launch that would change neither; None when it would."""
    if not issuer or not subject:
        return None  # refused by the command, in its own words
    known = await uow.lti.known_launch(organization_id, issuer, subject, course_id)
    person, program = known.person, known.program
    if not known.organization_exists or person is None or program is None:
        return None
    # The stored name is already clean (the command stores it cleaned, and cleaning a clean name changes
    # nothing): an equal name is one the command would keep. A new email, or one it would add, is a change.
    fresh_email = normalize_email(email)
    if person.display_name != name or (fresh_email is not None and fresh_email != person.verified_email):
        return None
    if instructor:
        return ReturningLaunch(person, program, None) if program.is_facilitator(person.id) else None
    group = await my_group(uow, organization_id, program.id, person.id, program)
    return ReturningLaunch(person, program, LearnerPage(program, known.enrollment, known.profile, group))
