from __future__ import annotations

import pytest

from core.bus import MessageBus
from core.errors import NotFound
from core.model import CheckIn, EnrollmentStatus, MatchReason, PairingStatus, Person, Profile
from core.views import courses as course_views
from core.views.courses import RosterMember
from tests.unit.core.course_world import COURSE, ISSUER, LMS, course_uow, enroll, group, link_to_teams
from tests.unit.fakes import FakeClock, FakeUnitOfWork

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return course_uow()


def check_in(uow: FakeUnitOfWork, clock: FakeClock, person: str, pairing: str) -> None:
    uow.store.check_ins[f"c-{person}"] = CheckIn(f"c-{person}", LMS, pairing, person, clock.now(), True, 4)


async def test_the_overview_shows_the_drafts_their_reasons_and_who_is_not_grouped(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv", "lux")
    old = group(uow, clock, "old", "lea", "leo", status=PairingStatus.ACTIVE)
    clock.advance(days=7)
    draft = group(uow, clock, "g1", "lea", "leo")
    draft.reasons = [MatchReason("goals", 1.0, "Similar goals"), MatchReason("time", 0.5, "3 shared hours")]
    overview = await bus.read(lambda u: course_views.course_overview(u, LMS, COURSE))
    assert overview.answered == 4 and overview.has_drafts
    (shown,) = overview.groups
    assert (shown.id, shown.number, shown.status) == ("g1", 1, "proposed") and old.id != shown.id
    assert [m.name for m in shown.members] == ["Lea", "Leo"]
    assert shown.reasons == ("Similar goals", "3 shared hours")
    assert [m.name for m in overview.unmatched] == ["Liv", "Lux"]


async def test_without_drafts_the_overview_shows_the_published_groups_and_their_check_ins(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    group(uow, clock, "gone", "liv", status=PairingStatus.ENDED)
    check_in(uow, clock, "lea", "g1")
    overview = await bus.read(lambda u: course_views.course_overview(u, LMS, COURSE))
    assert not overview.has_drafts
    assert [(g.id, g.status, g.check_ins) for g in overview.groups] == [("g1", "active", 1)]
    assert [m.person_id for m in overview.unmatched] == ["liv"]


async def test_learners_who_left_are_neither_counted_nor_listed(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    uow.store.enrollments["e-leo"].status = EnrollmentStatus.LEFT
    overview = await bus.read(lambda u: course_views.course_overview(u, LMS, COURSE))
    assert overview.answered == 1 and [m.person_id for m in overview.unmatched] == ["lea"]


async def test_the_roster_marks_who_answered_and_their_group_learners_first_by_name(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    group(uow, clock, "g1", "leo", "lea")
    roster = [
        RosterMember("sub-ines", "Ines", (INSTRUCTOR,)),
        RosterMember("sub-liv", "liv", (LEARNER,)),
        RosterMember("sub-lea", "Lea", (LEARNER,)),
        RosterMember("sub-new", "", ("Learner",)),
    ]
    rows = await bus.read(lambda u: course_views.roster_status(u, LMS, COURSE, ISSUER, roster))
    assert [(r.name, r.is_learner, r.answered, r.group_number) for r in rows] == [
        ("Lea", True, True, 1),
        ("liv", True, False, None),
        ("sub-new", True, False, None),
        ("Ines", False, False, None),
    ]
    assert rows[0].person_id == "lea" and rows[2].person_id is None


async def test_the_roster_of_another_platform_matches_nobody(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    rows = await bus.read(
        lambda u: course_views.roster_status(
            u, LMS, COURSE, "https://other.example", [RosterMember("sub-lea", "Lea", (LEARNER,))]
        )
    )
    assert [(r.person_id, r.answered) for r in rows] == [(None, False)]


async def test_a_learner_sees_a_group_only_once_it_is_published(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    draft = group(uow, clock, "g1", "lea", "leo")
    assert await bus.read(lambda u: course_views.my_group(u, LMS, COURSE, "lea")) is None
    draft.status = PairingStatus.ACTIVE
    mine = await bus.read(lambda u: course_views.my_group(u, LMS, COURSE, "lea"))
    assert mine is not None and mine.id == "g1" and mine.shared_goal == "pass the exam"
    assert await bus.read(lambda u: course_views.my_group(u, LMS, COURSE, "liv")) is None


async def test_the_group_chat_link_lists_only_members_linked_to_teams(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    group(uow, clock, "g1", "lea", "leo", "liv", status=PairingStatus.ACTIVE)
    link_to_teams(uow, "lea", "leo")
    mine = await bus.read(lambda u: course_views.my_group(u, LMS, COURSE, "liv"))
    assert mine is not None and mine.teams_chat_url is not None
    assert "users=lea@example.edu,leo@example.edu" in mine.teams_chat_url
    assert "liv@" not in mine.teams_chat_url
    assert "topicName=Algorithms%20101%20%E2%80%93%20group%201" in mine.teams_chat_url
    assert [m.on_teams for m in mine.members] == [True, True, False]


async def test_a_group_shows_each_members_own_goal(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    uow.store.profiles["lea"] = (LMS, Profile("lea", goals="Pass the exam"))
    uow.store.profiles["leo"] = ("org-other", Profile("leo", goals="not this organization's"))
    mine = await bus.read(lambda u: course_views.my_group(u, LMS, COURSE, "lea"))
    assert mine is not None and [(m.name, m.goal) for m in mine.members] == [
        ("Lea", "Pass the exam"),
        ("Leo", ""),
    ]


def test_no_chat_link_with_fewer_than_two_linked_members() -> None:
    alone = Person("a", LMS, "A", verified_email="a@example.edu")
    assert course_views.teams_chat_url([alone], "topic") is None


async def test_participation_is_half_for_answering_and_half_for_checking_in(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    uow.store.enrollments["e-liv"].status = EnrollmentStatus.LEFT
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    check_in(uow, clock, "lea", "g1")
    assert await bus.read(lambda u: course_views.participation(u, LMS, COURSE)) == {"lea": 1.0, "leo": 0.5}


async def test_another_organization_cannot_read_the_course(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    with pytest.raises(NotFound):
        await bus.read(lambda u: course_views.course_overview(u, "org-other", COURSE))
    with pytest.raises(NotFound):
        await bus.read(lambda u: course_views.my_group(u, "org-other", COURSE, "lea"))
    assert await bus.read(lambda u: course_views.participation(u, "org-other", COURSE)) == {}
