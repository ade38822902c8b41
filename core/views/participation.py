"""Whether a person takes part: in any program, in one program under its current code of conduct, and
their profile as the editor opens it."""

from __future__ import annotations

from core.model import EnrollmentStatus, Profile, Program
from core.ports import UnitOfWork


async def taking_part(organization_id: str, person_id: str, uow: UnitOfWork) -> bool:
    """Joined or paused somewhere (not only left)."""
    found = await uow.enrollments.for_person(organization_id, person_id)
    return any(e.status is not EnrollmentStatus.LEFT for e in found)


async def joined(program: Program, person_id: str, uow: UnitOfWork) -> bool:
    """Enrolled in `program` and agreed to its current code of conduct."""
    enrollment = await uow.enrollments.get(program.organization_id, program.id, person_id)
    return enrollment is not None and enrollment.has_current_consent(program)


async def profile_and_taking_part(
    organization_id: str, person_id: str, uow: UnitOfWork
) -> tuple[Profile | None, bool]:
    """The stored profile, and whether the person takes part in a program (joined, or paused)."""
    stored = await uow.profiles.get(organization_id, person_id)
    enrollments = await uow.enrollments.for_person(organization_id, person_id)
    return stored, any(e.status is not EnrollmentStatus.LEFT for e in enrollments)
