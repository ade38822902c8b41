"""A course as the LTI door leaves it: an LMS organization, a study-group program for one course, its
instructor 'ines' and learners who launched from the LMS. Built straight into a `FakeStore`."""

from __future__ import annotations

from core.model import (
    Enrollment,
    LtiIdentity,
    MemberRole,
    Organization,
    OrganizationKind,
    Pairing,
    PairingMember,
    PairingStatus,
    Person,
    Program,
    ProgramKind,
    ProgramOptions,
    ScopeKind,
    TeamsIdentity,
)
from tests.unit.fakes import FakeClock, FakeStore, FakeUnitOfWork

LMS = "org-lms"
COURSE = "course-prog"
ISSUER = "https://lms.example.edu"
LEARNERS = ("lea", "leo", "liv", "lou", "lux")


def course_uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork(FakeStore())
    s = uow.store
    s.organizations[LMS] = Organization(LMS, OrganizationKind.LMS_PLATFORM, ISSUER, "Example LMS")
    for pid in ("ines", *LEARNERS):
        s.persons[pid] = Person(
            pid,
            LMS,
            pid.title(),
            verified_email=f"{pid}@example.edu",
            lti=[LtiIdentity(ISSUER, f"sub-{pid}")],
        )
    s.programs[COURSE] = Program(
        id=COURSE,
        organization_id=LMS,
        name="Algorithms 101",
        kind=ProgramKind.STUDY_GROUPS,
        scope_kind=ScopeKind.LMS_COURSE,
        scope_id="deployment-1:course-101",
        group_size=3,
        facilitator_ids=["ines"],
        settings=ProgramOptions(),
    )
    return uow


def link_to_teams(uow: FakeUnitOfWork, *people: str) -> None:
    for pid in people:
        uow.store.persons[pid].teams = TeamsIdentity("tenant", f"aad-{pid}", f"29:{pid}")


def enroll(uow: FakeUnitOfWork, clock: FakeClock, *people: str) -> None:
    for pid in people:
        uow.store.enrollments[f"e-{pid}"] = Enrollment(f"e-{pid}", LMS, COURSE, pid, 1, clock.now())


def group(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    group_id: str,
    *members: str,
    status: PairingStatus = PairingStatus.PROPOSED,
) -> Pairing:
    pairing = Pairing(
        id=group_id,
        organization_id=LMS,
        program_id=COURSE,
        round_id=None,
        members=[PairingMember(m, MemberRole.PEER) for m in members],
        created_at=clock.now(),
        status=status,
        shared_goal="pass the exam",
    )
    uow.store.pairings[group_id] = pairing
    return pairing
