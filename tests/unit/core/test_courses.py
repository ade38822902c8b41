from __future__ import annotations

from datetime import date

import pytest

from core import commands
from core.bus import MessageBus
from core.commands import (
    EnsureCourseProgram,
    MoveMember,
    PublishGroups,
    SaveQuestionnaire,
    UpdateCourseSettings,
)
from core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from core.model import EnrollmentStatus, Intent, PairingStatus, ProgramKind, Response, ScopeKind
from core.model.program_options import CRITERIA
from tests.unit.core.course_world import COURSE, LMS, course_uow, enroll, group, link_to_teams
from tests.unit.fakes import FakeClock, FakeUnitOfWork


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return course_uow()


def launch(
    actor: str, *, instructor: bool, course: str = "deployment-1:course-202", size: int | None = None
) -> EnsureCourseProgram:
    return EnsureCourseProgram(LMS, course, "  Graph   theory ", actor, instructor, size)


def answers(person: str = "lea", **fields: object) -> SaveQuestionnaire:
    profile = commands.UpdateProfile(
        LMS,
        person,
        learns=(commands.SkillInput("Dynamic programming", 2),),
        timezone=str(fields.pop("timezone", "Europe/Berlin")),
        goals="pass the exam",
        weekly_availability=frozenset({32, 33}),
    )
    consent = fields.pop("consent", 1)
    return SaveQuestionnaire(LMS, COURSE, profile, consent, **fields)  # type: ignore[arg-type]


# --- the course's program ------------------------------------------------------------------------


async def test_the_first_launch_creates_the_course_program_with_default_criteria(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    program = await bus.handle(launch("ines", instructor=True))
    stored = uow.store.programs[program.id]
    assert stored.name == "Graph theory"
    assert (stored.kind, stored.scope_kind, stored.scope_id) == (
        ProgramKind.STUDY_GROUPS,
        ScopeKind.LMS_COURSE,
        "deployment-1:course-202",
    )
    assert stored.group_size == 4 and stored.facilitator_ids == ["ines"]
    assert stored.settings.criteria == dict.fromkeys(CRITERIA, True) | {"mix_sections": False}


async def test_a_deep_linked_group_size_is_used_only_when_it_is_in_range(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    sized = await bus.handle(launch("ines", instructor=True, size=5))
    ignored = await bus.handle(launch("ines", instructor=True, course="d:other", size=9))
    assert sized.group_size == 5 and ignored.group_size == 4


async def test_later_launches_reuse_the_program_and_add_each_instructor_once(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    first = await bus.handle(launch("lea", instructor=False))
    await bus.handle(launch("ines", instructor=True))
    again = await bus.handle(launch("ines", instructor=True))
    assert again.id == first.id
    assert uow.store.programs[first.id].facilitator_ids == ["ines"]
    assert sum(p.scope_id == "deployment-1:course-202" for p in uow.store.programs.values()) == 1


# --- settings ------------------------------------------------------------------------------------


async def test_an_instructor_saves_group_size_criteria_and_deadline(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    cmd = UpdateCourseSettings(LMS, COURSE, "ines", 5, frozenset({"similar_goals"}), date(2026, 12, 1))
    await bus.handle(cmd)
    program = uow.store.programs[COURSE]
    assert program.group_size == 5
    assert program.settings.criteria == {name: name == "similar_goals" for name in CRITERIA}
    assert program.settings.questionnaire_deadline == date(2026, 12, 1)


async def test_a_learner_cannot_change_the_settings(bus: MessageBus, uow: FakeUnitOfWork) -> None:
    with pytest.raises(PermissionDenied):
        await bus.handle(UpdateCourseSettings(LMS, COURSE, "lea", 5, frozenset()))
    assert uow.store.programs[COURSE].group_size == 3 and uow.store.commits == 0


@pytest.mark.parametrize(
    ("size", "criteria", "field", "quoted"),
    [(7, frozenset(), "group_size", "'7'"), (4, frozenset({"by_height"}), "criteria", "'by_height'")],
)
async def test_a_bad_setting_names_the_value_and_saves_nothing(
    bus: MessageBus, uow: FakeUnitOfWork, size: int, criteria: frozenset[str], field: str, quoted: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await bus.handle(UpdateCourseSettings(LMS, COURSE, "ines", size, criteria))
    assert error.value.field == field and quoted in error.value.message
    assert uow.store.programs[COURSE].group_size == 3 and uow.store.commits == 0


async def test_settings_of_a_course_in_another_organization_are_not_found(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    with pytest.raises(NotFound):
        await bus.handle(UpdateCourseSettings("org-other", COURSE, "ines", 4, frozenset()))


# --- the questionnaire ---------------------------------------------------------------------------


async def test_answers_become_the_profile_the_enrollment_and_the_section(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    profile, enrollment = await bus.handle(answers(section="  Section   B "))
    org, stored = uow.store.profiles["lea"]
    assert org == LMS and stored == profile and stored.learns[0].key == "dynamic programming"
    assert uow.store.enrollments[enrollment.id].status is EnrollmentStatus.ACTIVE
    assert uow.store.programs[COURSE].settings.member_attributes == {"lea": {"section": "Section B"}}


async def test_answering_again_updates_the_same_enrollment(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _, first = await bus.handle(answers())
    clock.advance(days=1)
    _, second = await bus.handle(answers(timezone="Asia/Tokyo"))
    assert first.id == second.id and len(uow.store.enrollments) == 1
    assert uow.store.profiles["lea"][1].timezone == "Asia/Tokyo"


async def test_answers_without_accepting_the_code_of_conduct_save_nothing(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput) as error:
        await bus.handle(answers(consent=None))
    assert error.value.field == "code_of_conduct"
    assert uow.store.profiles == {} and uow.store.enrollments == {}


async def test_a_bad_time_zone_is_refused_before_anything_is_read(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput, match="'Mars/Olympus'"):
        await bus.handle(answers(timezone="Mars/Olympus"))
    assert uow.store.profiles == {}


# --- moving members ------------------------------------------------------------------------------


async def test_an_instructor_moves_a_learner_between_draft_groups(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "liv", "lou")
    group(uow, clock, "g1", "lea", "leo")
    group(uow, clock, "g2", "liv", "lou")
    await bus.handle(MoveMember(LMS, COURSE, "ines", "lea", "g2"))
    assert uow.store.pairings["g1"].member_ids() == ["leo"]
    assert uow.store.pairings["g2"].member_ids() == ["liv", "lou", "lea"]


async def test_a_learner_who_is_not_in_a_group_can_be_moved_into_one(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "lea", "leo", "lux")
    group(uow, clock, "g1", "lea", "leo")
    await bus.handle(MoveMember(LMS, COURSE, "ines", "lux", "g1"))
    assert uow.store.pairings["g1"].member_ids() == ["lea", "leo", "lux"]


@pytest.mark.parametrize(
    ("actor", "person", "target", "error", "text"),
    [
        ("lea", "leo", "g2", PermissionDenied, "instructors"),
        ("ines", "lea", "g3", InvalidTransition, "draft groups"),
        ("ines", "lea", "g1", InvalidInput, "already in this group"),
        ("ines", "lux", "g2", NotFound, "not answered"),
        ("ines", "lou", "g1", InvalidTransition, "empty"),
        ("ines", "lea", "nope", NotFound, "does not exist"),
    ],
)
async def test_a_move_that_breaks_a_rule_is_refused_and_changes_nothing(
    bus: MessageBus,
    uow: FakeUnitOfWork,
    clock: FakeClock,
    actor: str,
    person: str,
    target: str,
    error: type[Exception],
    text: str,
) -> None:
    enroll(uow, clock, "lea", "leo", "liv", "lou")
    group(uow, clock, "g1", "lea", "leo")
    group(uow, clock, "g2", "lou")
    group(uow, clock, "g3", "liv", status=PairingStatus.ACTIVE)
    before = {k: v.member_ids() for k, v in uow.store.pairings.items()}
    with pytest.raises(error, match=text):
        await bus.handle(MoveMember(LMS, COURSE, actor, person, target))
    assert {k: v.member_ids() for k, v in uow.store.pairings.items()} == before


# --- publishing ----------------------------------------------------------------------------------


async def test_publishing_starts_every_draft_and_introduces_members_linked_to_teams(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    link_to_teams(uow, "lea", "liv")
    group(uow, clock, "g1", "lea", "leo")
    group(uow, clock, "g2", "liv", "lou")
    published = await bus.handle(PublishGroups(LMS, COURSE, "ines"))
    assert sorted(p.id for p in published.pairings) == ["g1", "g2"] and published.notified == 2
    for gid in ("g1", "g2"):
        stored = uow.store.pairings[gid]
        assert stored.status is PairingStatus.ACTIVE
        assert [(h.status, h.by_person_id) for h in stored.history] == [
            (PairingStatus.ACCEPTED, "ines"),
            (PairingStatus.ACTIVE, None),
        ]
        assert all(m.response is Response.ACCEPTED for m in stored.members)
    told = sorted((m.recipient_id, m.intent) for m in uow.store.outbox.values())
    assert told == [("lea", Intent.INTRODUCTION), ("liv", Intent.INTRODUCTION)]


async def test_publishing_with_no_drafts_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    group(uow, clock, "g1", "lea", "leo", status=PairingStatus.ACTIVE)
    with pytest.raises(InvalidTransition, match="form groups first"):
        await bus.handle(PublishGroups(LMS, COURSE, "ines"))


async def test_a_learner_cannot_publish(bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock) -> None:
    group(uow, clock, "g1", "lea", "leo")
    with pytest.raises(PermissionDenied):
        await bus.handle(PublishGroups(LMS, COURSE, "lea"))
    assert uow.store.pairings["g1"].status is PairingStatus.PROPOSED and uow.store.outbox == {}
