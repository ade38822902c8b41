"""A launch by someone the tool already knows (`core.views.launch.returning_launch`): read with their course and
page in one go when the launch would change nothing, and left to the commands whenever it would. Played as the
learner who comes back, the learner whose name changed in the LMS, a colleague, a new instructor and someone
who deleted their data."""

from __future__ import annotations

import pytest

from core.commands import DeleteMyData
from core.model import PairingStatus, Profile
from core.services.privacy import delete_my_data
from core.views.launch import ReturningLaunch, returning_launch
from tests.unit.core.course_world import COURSE, ISSUER, LMS, course_uow, enroll, group
from tests.unit.fakes import FakeClock, FakeUnitOfWork

SCOPE = "deployment-1:course-101"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return course_uow()


async def _launch(
    uow: FakeUnitOfWork,
    who: str,
    *,
    name: str | None = None,
    email: str | None = "",
    course: str = SCOPE,
    instructor: bool = False,
    organization: str = LMS,
) -> ReturningLaunch | None:
    async with uow:
        return await returning_launch(
            uow,
            organization,
            ISSUER,
            f"sub-{who}",
            who.title() if name is None else name,
            f"{who}@example.edu" if email == "" else email,
            course,
            instructor,
        )


async def test_a_returning_learner_gets_their_course_answers_and_group_without_anything_written(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    uow.store.profiles["lea"] = (LMS, Profile("lea", goals="pass the exam"))
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    found = await _launch(uow, "lea")
    assert found is not None and found.page is not None
    assert found.person.id == "lea" and found.program.id == COURSE
    page = found.page
    assert page.enrollment is not None and page.enrollment.person_id == "lea"
    assert page.profile is not None and page.profile.goals == "pass the exam"
    assert page.group is not None and page.group.id == "g1"
    assert uow.store.commits == 0


async def test_a_colleague_launching_gets_their_own_person_and_page_not_another_s(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    found = await _launch(uow, "leo")
    assert found is not None and found.page is not None and found.person.id == "leo"
    assert found.page.enrollment is None and found.page.group is None


async def test_a_draft_group_stays_hidden_from_a_returning_learner(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    group(uow, clock, "g1", "lea", "leo")  # proposed: the instructor's draft
    found = await _launch(uow, "lea")
    assert found is not None and found.page is not None and found.page.group is None


async def test_a_learner_whose_name_or_email_changed_in_the_lms_goes_through_the_commands(
    uow: FakeUnitOfWork,
) -> None:
    assert await _launch(uow, "lea", name="Lea Martin") is None
    assert await _launch(uow, "lea", email="lea.martin@example.edu") is None
    # Not a change: the email as the command would store it, or no email at all (the stored one is kept).
    assert await _launch(uow, "lea", email=" LEA@example.EDU ") is not None
    assert await _launch(uow, "lea", email=None) is not None


async def test_an_instructor_of_the_course_is_returning_and_a_new_instructor_is_not(
    uow: FakeUnitOfWork,
) -> None:
    found = await _launch(uow, "ines", instructor=True)
    assert found is not None and found.page is None
    assert await _launch(uow, "lea", instructor=True) is None  # would become a facilitator


async def test_a_first_launch_a_new_course_or_another_organization_goes_through_the_commands(
    uow: FakeUnitOfWork,
) -> None:
    assert await _launch(uow, "newcomer", name="Newcomer", email=None) is None
    assert await _launch(uow, "lea", course="deployment-1:course-202") is None
    assert await _launch(uow, "lea", organization="org-other") is None


async def test_someone_who_deleted_their_data_is_not_recognised_on_their_next_launch(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    async with uow:
        await delete_my_data(DeleteMyData(LMS, "lea"), uow, clock)
        await uow.commit()
    assert await _launch(uow, "lea") is None
