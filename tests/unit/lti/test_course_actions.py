"""What an instructor does from the course page, run against the fakes without HTTP: the settings, forming
groups, moving a learner, the participation scores, the confidential notes, the CSV export and the deep link.
(Publishing is in `test_publish_actions.py`.)"""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import DomainError, InvalidInput, PermissionDenied
from core.model import CheckIn, Concern, PairingStatus
from lti.course_actions import (
    deep_link_reply,
    form_groups,
    groups_csv,
    move,
    open_notes,
    save_answers,
    save_settings,
    scores_to_review,
    send_scores,
)
from lti.session import SessionRefused
from lti.tool import LaunchRefused
from tests.unit.core.course_world import COURSE, LEARNERS, LMS, course_uow, enroll, group
from tests.unit.fakes import FakeClock, FakeUnitOfWork
from tests.unit.lti.support import FakeAgs, FakeLaunch, covers, form, lti_config, session_of

INES = session_of("ines", instructor=True)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return course_uow()


def checked_in(uow: FakeUnitOfWork, clock: FakeClock, who: str, pairing_id: str) -> None:
    uow.store.check_ins[f"c-{who}"] = CheckIn(f"c-{who}", LMS, pairing_id, who, clock.now(), True, 4)


# --- settings, forming and moving --------------------------------------------------------------------


@covers("save_settings")
async def test_an_instructor_saves_the_group_size_the_criteria_ticked_and_the_deadline(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    sent = form({"group_size": "5", "deadline": "2026-12-01", "avoid_previous_groupmates": "on"})
    assert await save_settings(lti_config(uow, clock), INES, sent) == "Settings saved."
    program = uow.store.programs[COURSE]
    assert program.group_size == 5 and program.settings.questionnaire_deadline == date(2026, 12, 1)
    assert program.settings.criteria["avoid_previous_groupmates"] is True
    assert program.settings.criteria["no_isolated_member"] is False


@covers("save_settings")
async def test_settings_with_a_size_out_of_range_or_a_deadline_that_is_no_date_are_refused_naming_it(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    config = lti_config(uow, clock)
    with pytest.raises(InvalidInput, match="'9' is not a number from 3 to 6"):
        await save_settings(config, INES, form({"group_size": "9"}))
    with pytest.raises(InvalidInput, match="'soon' is not a date"):
        await save_settings(config, INES, form({"group_size": "4", "deadline": "soon"}))
    assert uow.store.commits == 0 and uow.store.programs[COURSE].group_size == 3


@covers("save_settings")
async def test_a_learner_cannot_change_the_settings(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(PermissionDenied):
        await save_settings(lti_config(uow, clock), session_of("lea"), form({"group_size": "4"}))
    assert uow.store.commits == 0


@covers("form_groups")
async def test_forming_groups_makes_drafts_of_the_learners_who_answered_and_says_how_many(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    config = lti_config(uow, clock)
    answers = {
        "goals": "pass the exam",
        "learn_0": "Graphs",
        "learn_level_0": "2",
        "timezone": "Europe/Berlin",
        "code_of_conduct": "on",
    }
    for who in LEARNERS:
        _, errors = await save_answers(config, session_of(who), form(answers, [("slot", "32")]))
        assert errors == {}
    said = await form_groups(config, INES, form())
    drafts = list(uow.store.pairings.values())
    assert drafts and all(p.status is PairingStatus.PROPOSED for p in drafts)
    grouped = sum(len(p.members) for p in drafts)
    assert (
        said
        == f"Formed {len(drafts)} draft groups; {len(LEARNERS) - grouped} learners are not in a group yet."
    )
    assert uow.store.outbox == {}  # nobody is told about drafts


@covers("form_groups")
async def test_a_learner_cannot_form_groups(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    enroll(uow, clock, *LEARNERS)
    with pytest.raises(DomainError):
        await form_groups(lti_config(uow, clock), session_of("lea"), form())
    assert uow.store.pairings == {}


@covers("move")
async def test_an_instructor_moves_a_learner_into_another_draft_group(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, *LEARNERS)
    group(uow, clock, "g1", "lea", "leo", "liv")
    group(uow, clock, "g2", "lou", "lux")
    said = await move(lti_config(uow, clock), INES, form({"person_id": "liv", "to_group": "g2"}))
    assert said == "Member moved."
    assert uow.store.pairings["g1"].member_ids() == ["lea", "leo"]
    assert uow.store.pairings["g2"].member_ids() == ["lou", "lux", "liv"]


@covers("move")
async def test_a_move_into_a_published_group_is_refused_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, *LEARNERS)
    group(uow, clock, "g1", "lea", "leo", "liv")
    group(uow, clock, "g2", "lou", "lux", status=PairingStatus.ACCEPTED)
    with pytest.raises(DomainError):
        await move(lti_config(uow, clock), INES, form({"person_id": "liv", "to_group": "g2"}))
    assert uow.store.pairings["g1"].member_ids() == ["lea", "leo", "liv"]


# --- participation scores ----------------------------------------------------------------------------


@covers("review_scores")
async def test_the_scores_to_review_give_half_for_answering_and_half_for_checking_in(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    checked_in(uow, clock, "lea", "g1")
    rows = await scores_to_review(lti_config(uow, clock), INES)
    assert [(r.name, r.lms_user_id, r.score, r.checked_in) for r in rows] == [
        ("Lea", "sub-lea", 1.0, True),
        ("Leo", "sub-leo", 0.5, False),
    ]


@covers("review_scores")
async def test_a_learner_cannot_review_the_scores(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(SessionRefused) as refused:
        await scores_to_review(lti_config(uow, clock), session_of("lea"))
    assert refused.value.status == 403


@covers("send_scores")
async def test_confirmed_scores_go_to_the_gradebook_by_lms_user_id_out_of_100(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo")
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    checked_in(uow, clock, "lea", "g1")
    gradebook = FakeAgs()
    config = lti_config(uow, clock, launch=FakeLaunch(ags=gradebook))
    said = await send_scores(config, INES, form({"confirm": "yes"}))
    assert said == "Sent participation for 2 learners to the gradebook."
    assert gradebook.scores == {"sub-lea": 100.0, "sub-leo": 50.0}


@covers("send_scores")
async def test_scores_are_not_sent_before_they_were_reviewed(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    enroll(uow, clock, "lea")
    gradebook = FakeAgs()
    config = lti_config(uow, clock, launch=FakeLaunch(ags=gradebook))
    with pytest.raises(InvalidInput, match="Review the scores first"):
        await send_scores(config, INES, form())
    assert gradebook.scores == {}


@covers("send_scores")
async def test_without_a_gradebook_service_nothing_is_sent_and_the_instructor_is_told(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    config = lti_config(uow, clock, launch=FakeLaunch(ags=None))
    said = await send_scores(config, INES, form({"confirm": "yes"}))
    assert said.startswith("Nothing was sent: this launch offers no gradebook service")


@covers("send_scores")
async def test_scores_for_a_platform_whose_registration_is_gone_are_refused(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    with pytest.raises(LaunchRefused) as refused:  # the real tool, over a store with no registration
        await send_scores(lti_config(uow, clock), INES, form({"confirm": "yes"}))
    assert refused.value.status == 401


# --- notes, export, deep link --------------------------------------------------------------------------


@covers("notes")
async def test_instructors_read_the_courses_open_notes_with_who_wrote_them(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea")
    uow.store.concerns["n1"] = Concern("n1", LMS, COURSE, "lea", "Leo never shows", clock.now())
    found = await open_notes(lti_config(uow, clock), INES)
    assert [(n.text, n.reporter_name) for n in found] == [("Leo never shows", "Lea")]


@covers("notes")
async def test_a_learner_cannot_read_the_notes(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    uow.store.concerns["n1"] = Concern("n1", LMS, COURSE, "lea", "private", clock.now())
    with pytest.raises(SessionRefused):
        await open_notes(lti_config(uow, clock), session_of("lea"))
    learner_as_instructor = session_of("lea", instructor=True)  # an instructor role, not a facilitator here
    with pytest.raises(DomainError):
        await open_notes(lti_config(uow, clock), learner_as_instructor)


@covers("export_csv")
async def test_the_csv_lists_each_group_member_with_lms_user_id_and_email_then_who_is_not_grouped(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv")
    group(uow, clock, "g1", "lea", "leo")
    text = await groups_csv(lti_config(uow, clock), INES)
    assert text.splitlines() == [
        "group,status,member,lms_user_id,email,reasons",
        "1,draft,Lea,sub-lea,lea@example.edu,",
        "1,draft,Leo,sub-leo,leo@example.edu,",
        ",not grouped,Liv,sub-liv,liv@example.edu,",
    ]


@covers("export_csv")
async def test_a_learner_cannot_export_the_groups(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(SessionRefused):
        await groups_csv(lti_config(uow, clock), session_of("lea"))


@covers("deep_link")
async def test_a_deep_link_carries_the_chosen_group_size_and_title_back_to_the_lms(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    launch = FakeLaunch()
    config = lti_config(uow, clock, launch=launch)
    jwt, return_url = await deep_link_reply(config, INES, form({"group_size": "5", "title": "  "}))
    assert (jwt, return_url) == ("signed-jwt", launch.return_url)
    (resource,) = launch.deep_link.signed
    assert resource.get_title() == "Peer study groups" and resource.get_custom_params() == {"group_size": "5"}


@covers("deep_link")
async def test_a_deep_link_is_for_instructors_and_a_size_from_3_to_6_only(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    launch = FakeLaunch()
    config = lti_config(uow, clock, launch=launch)
    with pytest.raises(SessionRefused):
        await deep_link_reply(config, session_of("lea"), form({"group_size": "4"}))
    with pytest.raises(InvalidInput):
        await deep_link_reply(config, INES, form({"group_size": "8"}))
    assert launch.deep_link.signed == []
