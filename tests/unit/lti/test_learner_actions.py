"""What a learner posts from the course page, run against the fakes without HTTP: the questionnaire, the
check-in and the confidential note."""

from __future__ import annotations

import pytest

from core.errors import DomainError, InvalidTransition
from core.model import PairingStatus
from lti.course_actions import note, save_answers, submit_checkin
from tests.unit.core.course_world import COURSE, LMS, course_uow, enroll, group
from tests.unit.fakes import FakeClock, FakeUnitOfWork
from tests.unit.lti.support import covers, form, lti_config, session_of

ANSWERS = {
    "goals": "pass the exam",
    "learn_0": "Dynamic programming",
    "learn_level_0": "2",
    "timezone": "Europe/Berlin",
    "code_of_conduct": "on",
}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return course_uow()


@covers("questionnaire")
async def test_answers_become_the_learners_profile_and_enrollment_with_their_section(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    config = lti_config(uow, clock)
    answers, errors = await save_answers(
        config, session_of("lea", section="Section B"), form(ANSWERS, [("slot", "32")])
    )
    assert errors == {} and answers.slots == frozenset({32})
    org, profile = uow.store.profiles["lea"]
    assert org == LMS and profile.goals == "pass the exam" and profile.timezone == "Europe/Berlin"
    assert [e.person_id for e in uow.store.enrollments.values()] == ["lea"]
    assert uow.store.programs[COURSE].settings.member_attributes["lea"] == {"section": "Section B"}


@covers("questionnaire")
async def test_answers_with_mistakes_come_back_each_under_its_field_and_nothing_is_saved(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    sent = {**ANSWERS, "timezone": "Nowhere/Else", "goals": ""}
    answers, errors = await save_answers(lti_config(uow, clock), session_of("lea"), form(sent))
    assert set(errors) == {"timezone", "goals"} and answers.timezone == "Nowhere/Else"
    assert uow.store.profiles == {} and uow.store.enrollments == {} and uow.store.commits == 0


@covers("questionnaire")
async def test_answers_without_the_code_of_conduct_are_sent_back_under_that_box(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    sent = {k: v for k, v in ANSWERS.items() if k != "code_of_conduct"}
    _, errors = await save_answers(lti_config(uow, clock), session_of("lea"), form(sent))
    assert list(errors) == ["code_of_conduct"] and uow.store.enrollments == {}


@covers("questionnaire")
async def test_answers_for_a_course_that_is_gone_are_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    del uow.store.programs[COURSE]
    with pytest.raises(DomainError):
        await save_answers(lti_config(uow, clock), session_of("lea"), form(ANSWERS))
    assert uow.store.profiles == {}


@covers("check_in")
async def test_a_check_in_of_a_group_that_met_is_recorded_with_what_the_learner_wrote(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo", "liv", status=PairingStatus.ACTIVE)
    sent, errors = await submit_checkin(
        lti_config(uow, clock),
        session_of("lea"),
        form({"group": "g1", "met": "yes", "usefulness": "4", "learned": "memoization", "blockers": ""}),
    )
    assert errors == {} and sent["learned"] == "memoization"
    (check_in,) = uow.store.check_ins.values()
    assert (check_in.pairing_id, check_in.person_id, check_in.met, check_in.usefulness) == (
        "g1",
        "lea",
        True,
        4,
    )


@covers("check_in")
async def test_a_check_in_without_saying_whether_the_group_met_or_how_useful_it_was_is_sent_back(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo", "liv", status=PairingStatus.ACTIVE)
    config = lti_config(uow, clock)
    _, errors = await submit_checkin(config, session_of("lea"), form({"group": "g1", "met": "maybe"}))
    assert list(errors) == ["met"]
    sent, errors = await submit_checkin(config, session_of("lea"), form({"group": "g1", "met": "yes"}))
    assert list(errors) == ["usefulness"] and sent["met"] == "yes"
    assert uow.store.check_ins == {}


@covers("check_in")
async def test_a_check_in_of_a_group_that_is_still_a_draft_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo", "liv")
    with pytest.raises(InvalidTransition):
        await submit_checkin(lti_config(uow, clock), session_of("lea"), form({"group": "g1", "met": "no"}))
    assert uow.store.check_ins == {}


@covers("note")
async def test_a_note_about_the_learners_own_group_reaches_the_instructors_with_that_group(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo", "liv", status=PairingStatus.ACTIVE)
    said = await note(
        lti_config(uow, clock), session_of("lea"), form({"note": "Leo never shows", "group": "g1"})
    )
    assert said == "Your note was sent to the course's instructors only."
    (concern,) = uow.store.concerns.values()
    assert (concern.reporter_id, concern.text, concern.pairing_id) == ("lea", "Leo never shows", "g1")


@covers("note")
async def test_a_note_naming_a_group_that_is_not_the_learners_is_kept_without_the_group(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv", "lou")
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    group(uow, clock, "g2", "liv", "lou", status=PairingStatus.ACTIVE)
    await note(lti_config(uow, clock), session_of("lea"), form({"note": "a worry", "group": "g2"}))
    (concern,) = uow.store.concerns.values()
    assert concern.pairing_id is None


@covers("note")
async def test_someone_who_does_not_take_part_in_the_course_cannot_leave_a_note(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(DomainError):
        await note(lti_config(uow, clock), session_of("lea"), form({"note": "hello"}))
    assert uow.store.concerns == {}
