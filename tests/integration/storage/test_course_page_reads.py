"""An instructor's course page is read in a fixed number of statements, whatever the size of the course: no
statement per group, none per roster member (the roster is matched to people in one read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from core.model import (
    Enrollment,
    LtiIdentity,
    MemberRole,
    Organization,
    OrganizationKind,
    Pairing,
    PairingMember,
    Person,
    Profile,
    Program,
    ProgramKind,
    ScopeKind,
)
from core.views.courses import RosterMember, course_overview, roster_status
from storage.unit_of_work import SqlUnitOfWorkFactory

ISSUER = "https://lms.example"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def _course(uow_factory: SqlUnitOfWorkFactory, course: str, learners: int) -> list[RosterMember]:
    async with uow_factory() as uow:
        if await uow.organizations.get("lms") is None:
            await uow.organizations.add(Organization("lms", OrganizationKind.LMS_PLATFORM, ISSUER, "LMS"))
        await uow.programs.add(
            Program(course, "lms", course, ProgramKind.STUDY_GROUPS, ScopeKind.LMS_COURSE, course)
        )
        ids = [f"{course}-{i:03d}" for i in range(learners)]
        for pid in ids:
            await uow.persons.add(Person(pid, "lms", pid.title(), lti=[LtiIdentity(ISSUER, f"sub-{pid}")]))
            await uow.profiles.save("lms", Profile(pid, goals="pass the exam"))
            await uow.enrollments.save(Enrollment(f"e-{pid}", "lms", course, pid, 1, NOW))
        groups = [
            Pairing(
                f"{course}-g{k}",
                "lms",
                course,
                None,
                [PairingMember(m, MemberRole.PEER) for m in ids[k : k + 4]],
                NOW,
            )
            for k in range(0, learners, 4)
        ]
        await uow.pairings.add_new(groups)
        await uow.commit()
    return [RosterMember(f"sub-{pid}", pid.title(), ("Learner",)) for pid in ids] + [
        RosterMember("sub-stranger", "Not yet here", ("Learner",))
    ]


@contextmanager
def _counting(uow_factory: SqlUnitOfWorkFactory) -> Iterator[list[str]]:
    engine = uow_factory.sessions.kw["bind"]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _statements(uow_factory: SqlUnitOfWorkFactory, course: str, roster: list[RosterMember]) -> int:
    with _counting(uow_factory) as seen:
        async with uow_factory() as uow:
            overview = await course_overview(uow, "lms", course)
            rows = await roster_status(uow, "lms", course, ISSUER, roster, overview)
    assert len(overview.groups) == (len(roster) - 1 + 3) // 4
    assert sum(r.answered for r in rows) == len(roster) - 1
    assert [r.group_number for r in rows if r.subject == "sub-stranger"] == [None]
    return len(seen)


async def test_a_course_page_takes_as_many_statements_for_eight_learners_as_for_two_hundred(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    small = await _statements(uow_factory, "small", await _course(uow_factory, "small", 8))
    large = await _statements(uow_factory, "large", await _course(uow_factory, "large", 200))
    assert large == small
    assert small <= 16
