"""The read models behind the LMS pages (`core.views.course_pages`): each reads what its page needs in the one
fake unit of work it is given (the fake cannot nest, so a view that opened it twice would fail here)."""

from __future__ import annotations

import pytest

from core.bus import MessageBus
from core.model import PairingStatus, Profile
from core.views import course_pages
from core.views.courses import RosterMember
from tests.unit.core.course_world import COURSE, ISSUER, LMS, course_uow, enroll, group
from tests.unit.fakes import FakeClock, FakeUnitOfWork

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return course_uow()


async def test_the_instructor_page_has_the_course_its_groups_and_the_roster_marked_with_groups(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo")
    roster = [RosterMember("sub-lea", "Lea", (LEARNER,)), RosterMember("sub-new", "Newcomer", (LEARNER,))]
    page = await bus.read(lambda u: course_pages.instructor_page(u, LMS, COURSE, ISSUER, roster, min_group=5))
    assert page is not None and page.program.name == "Algorithms 101"
    assert [g.number for g in page.overview.groups] == [1] and page.overview.check_ins.min_group == 5
    assert [(r.name, r.answered, r.group_number) for r in page.roster] == [
        ("Lea", True, 1),
        ("Newcomer", False, None),
    ]


async def test_the_learner_page_has_their_answers_and_only_a_published_group(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    uow.store.profiles["lea"] = (LMS, Profile("lea", goals="pass"))
    draft = group(uow, clock, "g1", "lea", "leo")
    page = await bus.read(lambda u: course_pages.learner_page(u, LMS, COURSE, "lea"))
    assert page is not None and page.enrollment is not None and page.profile is not None
    assert page.group is None  # a draft stays hidden
    draft.status = PairingStatus.ACTIVE
    page = await bus.read(lambda u: course_pages.learner_page(u, LMS, COURSE, "lea"))
    assert page is not None and page.group is not None and page.group.id == "g1"
    newcomer = await bus.read(lambda u: course_pages.learner_page(u, LMS, COURSE, "lux"))
    assert newcomer is not None and newcomer.enrollment is None and newcomer.profile is None


async def test_a_page_of_a_course_that_is_gone_is_none(bus: MessageBus, uow: FakeUnitOfWork) -> None:
    del uow.store.programs[COURSE]
    assert await bus.read(lambda u: course_pages.instructor_page(u, LMS, COURSE, ISSUER, [])) is None
    assert await bus.read(lambda u: course_pages.learner_page(u, LMS, COURSE, "lea")) is None


async def test_a_page_is_not_read_from_another_organization(bus: MessageBus, uow: FakeUnitOfWork) -> None:
    assert await bus.read(lambda u: course_pages.learner_page(u, "org-other", COURSE, "lea")) is None


async def test_published_groups_list_the_members_the_platform_knows_by_its_user_ids(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv", "lou")
    uow.store.persons["leo"].lti = []  # came from Teams, never launched from this LMS
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    group(uow, clock, "g2", "liv", "lou", status=PairingStatus.ACTIVE)
    published = await bus.read(lambda u: course_pages.published_groups(u, LMS, COURSE, ISSUER))
    assert [(g.number, g.lms_user_ids) for g in published] == [(1, ("sub-lea",)), (2, ("sub-liv", "sub-lou"))]


async def test_while_drafts_are_formed_no_group_counts_as_published(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv", "lou")
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    clock.advance(days=7)
    group(uow, clock, "g2", "liv", "lou")  # a new round's draft replaces what the page shows
    assert await bus.read(lambda u: course_pages.published_groups(u, LMS, COURSE, ISSUER)) == []
