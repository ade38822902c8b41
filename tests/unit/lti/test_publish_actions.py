"""Publishing a course's groups and getting them into the LMS, run against the fakes without HTTP: an LMS
group API (`FakeGroupApi`) and the read-only Course Groups service (a `FakeLaunch` listing groups)."""

from __future__ import annotations

import pytest

from core.errors import InvalidTransition, PermissionDenied
from core.model import PairingStatus
from lti.publish_actions import LmsGroupsFailed, lms_groups, publish
from tests.unit.core.course_world import COURSE, ISSUER, course_uow, enroll, group, link_to_teams
from tests.unit.fakes import FakeClock, FakeUnitOfWork
from tests.unit.lti.support import FakeGroupApi, FakeLaunch, covers, form, lti_config, session_of

INES = session_of("ines", instructor=True)
IN_MOODLE = session_of("ines", instructor=True, context_id="moodle-course-7")
WITH_COURSE_GROUPS = session_of("ines", instructor=True, groups_service=True)


@pytest.fixture
def uow(clock: FakeClock) -> FakeUnitOfWork:
    """Two draft groups: lea, leo, liv and lou, lux."""
    uow = course_uow()
    enroll(uow, clock, "lea", "leo", "liv", "lou", "lux")
    group(uow, clock, "g1", "lea", "leo", "liv")
    group(uow, clock, "g2", "lou", "lux")
    return uow


@covers("publish")
async def test_publishing_starts_every_draft_and_says_who_is_also_told_in_teams(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    link_to_teams(uow, "lea")
    said = await publish(lti_config(uow, clock), INES, form())
    assert said.startswith("Published 2 groups: each learner now sees their group on this page.")
    assert "1 of them also get a message in Teams" in said
    assert {p.status for p in uow.store.pairings.values()} == {PairingStatus.ACTIVE}
    assert [m.recipient_id for m in uow.store.outbox.values()] == ["lea"]


@covers("publish")
async def test_publishing_with_an_lms_group_api_creates_the_groups_there_by_lms_user_id(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    api = FakeGroupApi()
    config = lti_config(uow, clock)
    config.group_apis = {ISSUER: api}
    said = await publish(config, IN_MOODLE, form())
    assert "In Moodle, the course now has these groups" in said and "(2 created" in said
    ((course_id, course_key, groups),) = api.sent
    assert (course_id, course_key) == ("moodle-course-7", COURSE)
    assert [(g.name, g.member_ids) for g in groups] == [
        ("Study group 1", ("sub-lea", "sub-leo", "sub-liv")),
        ("Study group 2", ("sub-lou", "sub-lux")),
    ]


@covers("publish")
async def test_when_the_lms_refuses_the_groups_they_stay_published_here_and_the_alert_says_what_to_do(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    config = lti_config(uow, clock)
    config.group_apis = {ISSUER: FakeGroupApi(refusal="the token has expired.")}
    with pytest.raises(LmsGroupsFailed, match="Moodle did not take them: the token has expired"):
        await publish(config, IN_MOODLE, form())
    assert {p.status for p in uow.store.pairings.values()} == {PairingStatus.ACTIVE}


@covers("publish")
async def test_publishing_without_drafts_or_by_a_learner_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    config = lti_config(uow, clock)
    with pytest.raises(PermissionDenied):
        await publish(config, session_of("lea", instructor=True), form())
    await publish(config, INES, form())
    with pytest.raises(InvalidTransition, match="no draft groups"):
        await publish(config, INES, form())


@covers("lms_groups")
async def test_checking_the_course_groups_confirms_when_the_lms_lists_every_study_group(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    launch = FakeLaunch(course_groups=["Study group 1", " study GROUP 2 ", "Lab A"])
    config = lti_config(uow, clock, launch=launch)
    await publish(config, INES, form())
    said = await lms_groups(config, WITH_COURSE_GROUPS, form())
    assert said == "Your LMS lists all 2 study groups in the course, by the same names as here."


@covers("lms_groups")
async def test_checking_the_course_groups_names_the_ones_the_lms_does_not_list(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    config = lti_config(uow, clock, launch=FakeLaunch(course_groups=["Study group 1"]))
    await publish(config, INES, form())
    with pytest.raises(LmsGroupsFailed, match="it does not list “Study group 2” yet \\(1 of 2 are there\\)"):
        await lms_groups(config, WITH_COURSE_GROUPS, form())


@covers("lms_groups")
async def test_drafts_are_not_looked_for_in_the_lms(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    config = lti_config(uow, clock, launch=FakeLaunch(course_groups=[]))
    said = await lms_groups(config, WITH_COURSE_GROUPS, form())
    assert said == "There are no published groups to look for in your LMS yet."


@covers("lms_groups")
async def test_sending_groups_to_the_lms_api_then_reading_them_back_through_the_course_groups_service(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    api = FakeGroupApi(lms_name="Canvas")
    config = lti_config(uow, clock, launch=FakeLaunch(course_groups=["Study group 1"]))
    config.group_apis = {ISSUER: api}
    await publish(config, INES, form())
    both = session_of("ines", instructor=True, context_id="canvas-9", groups_service=True)
    said = await lms_groups(config, both, form())
    assert said.startswith("In Canvas, the course now has these groups")
    assert said.endswith(
        "Your LMS does not list “Study group 2” yet; use “Check the course's groups” in a minute."
    )
    assert len(api.sent) == 1


@covers("lms_groups")
async def test_a_course_whose_lms_can_take_no_groups_is_told_to_ask_its_administrator_and_use_the_csv(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(LmsGroupsFailed, match="not set up to receive groups from this tool"):
        await lms_groups(lti_config(uow, clock), INES, form())
