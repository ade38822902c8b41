"""Joining, help, status, pausing, resuming, leaving, finding experts and a person's data, as the bot answers
them, against the fakes."""

from __future__ import annotations

import pytest

from adaptive_cards import verbs
from bot import text_commands
from bot.export_file import CONSENT_CARD
from bot.scopes import ADDRESSEE
from core.errors import InvalidInput, PermissionDenied
from core.model import EnrollmentStatus
from tests.unit.bot.actions_support import (
    TEAM_PROGRAM,
    act,
    context,
    covers,
    program_with_a_card_id,
    shown,
)
from tests.unit.conftest import ORG
from tests.unit.fakes import FakeClock, FakeUnitOfWork

PROGRAM = TEAM_PROGRAM  # the fixture's program, under an id a card may carry
TEAM = "19:team"  # the team of the fixture's program


@pytest.fixture(autouse=True)
def _card_ids(uow: FakeUnitOfWork) -> None:
    program_with_a_card_id(uow)


def _in_team(uow: FakeUnitOfWork, *members: str) -> None:
    uow.store.team_members.setdefault((ORG, TEAM), set()).update(members)


async def _join(uow: FakeUnitOfWork, clock: FakeClock, who: str) -> str:
    data = {"program_id": PROGRAM, "version": "1"}
    _in_team(uow, who)
    return await shown(verbs.JOIN, context(uow, clock, who, data))


def _enrollment_of(uow: FakeUnitOfWork, who: str) -> EnrollmentStatus | None:
    found = [e.status for e in uow.store.enrollments.values() if e.person_id == who]
    return found[0] if found else None


@covers(verbs.JOIN)
async def test_a_typed_join_shows_the_code_of_conduct_first_and_accepting_it_joins(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _in_team(uow, "ana")
    first = await shown(verbs.JOIN, context(uow, clock, "ana", {"program_id": PROGRAM}))
    assert "Code of conduct (version 1)" in first and "I accept and join" in first
    assert _enrollment_of(uow, "ana") is None  # reading the code of conduct joins nobody
    joined = await _join(uow, clock, "ana")
    assert "You accepted the code of conduct and joined" in joined
    assert "Fay" in joined  # who runs the program is said on joining
    assert _enrollment_of(uow, "ana") is EnrollmentStatus.ACTIVE


@covers(verbs.JOIN)
async def test_a_team_program_is_joined_only_by_its_team(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    with pytest.raises(PermissionDenied):
        await act(verbs.JOIN, context(uow, clock, "cy", {"program_id": PROGRAM, "version": "1"}))
    assert _enrollment_of(uow, "cy") is None


@covers(verbs.CHANNEL_VIEW)
async def test_the_channel_invitation_shows_each_member_whether_they_joined(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    ctx = context(uow, clock, "ana", {"program_id": PROGRAM})
    before = await act(verbs.CHANNEL_VIEW, ctx)
    assert "Peer learning for Platform guild" in str(before.card)
    assert before.view == (verbs.CHANNEL_VIEW, {"program_id": PROGRAM})  # refreshed per member
    await _join(uow, clock, "ana")
    assert "You accepted the code of conduct and joined" in await shown(verbs.CHANNEL_VIEW, ctx)
    assert "Peer learning for Platform guild" in await shown(
        verbs.CHANNEL_VIEW, context(uow, clock, "bo", {"program_id": PROGRAM})
    )


@covers(verbs.HELP)
async def test_help_keeps_the_way_in_until_the_person_joins(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    before = await shown(verbs.HELP, context(uow, clock, "ana"))
    assert "You have not joined yet" in before and f'"verb": "{verbs.JOIN}"' in before
    await _join(uow, clock, "ana")
    after = await shown(verbs.HELP, context(uow, clock, "ana"))
    assert "You have not joined yet" not in after and f'"verb": "{verbs.JOIN}"' not in after
    assert "For facilitators" in await shown(verbs.HELP, context(uow, clock, "fay"))


@covers(verbs.STATUS)
async def test_status_lists_the_programs_a_person_takes_part_in(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _join(uow, clock, "ana")
    reply = await act(verbs.STATUS, context(uow, clock, "ana"))
    assert "Your status, Ana" in str(reply.card) and "Platform guild" in str(reply.card)
    assert reply.view == (verbs.STATUS, {})


@covers(text_commands.PAUSE, verbs.RESUME)
async def test_pausing_and_resuming_need_a_program_and_then_change_it(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    for verb in (text_commands.PAUSE, verbs.RESUME, text_commands.LEAVE):
        assert "You have not joined yet" in await shown(verb, context(uow, clock, "ana", {"weeks": "2"}))
    await _join(uow, clock, "ana")
    paused = await shown(text_commands.PAUSE, context(uow, clock, "ana", {"weeks": "2"}))
    assert "You will not be matched until 2026-11-16" in paused
    assert _enrollment_of(uow, "ana") is EnrollmentStatus.PAUSED
    assert "Welcome back" in await shown(verbs.RESUME, context(uow, clock, "ana"))
    assert _enrollment_of(uow, "ana") is EnrollmentStatus.ACTIVE


@covers(text_commands.LEAVE)
async def test_leaving_ends_taking_part_and_says_how_to_come_back(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _join(uow, clock, "ana")
    left = await shown(text_commands.LEAVE, context(uow, clock, "ana"))
    assert "You left 1 program(s)" in left and "join again any time" in left
    assert _enrollment_of(uow, "ana") is EnrollmentStatus.LEFT


@covers(text_commands.FIND)
async def test_find_names_colleagues_who_agreed_to_be_found_for_a_skill(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput):
        await act(text_commands.FIND, context(uow, clock, "ana", {"skill": " "}))
    teaches = {"teach_skill_0": "Kubernetes", "teach_level_0": "4", "discoverable": "true"}
    await act(verbs.PROFILE_SAVE, context(uow, clock, "bo", teaches))
    await act(verbs.PROFILE_SAVE, context(uow, clock, "cy", teaches | {"discoverable": "false"}))
    found = await shown(text_commands.FIND, context(uow, clock, "ana", {"skill": "kubernetes"}))
    assert "Experts for kubernetes" in found and "Bo" in found and "Cy" not in found
    nobody = await shown(text_commands.FIND, context(uow, clock, "ana", {"skill": "Rust"}))
    assert "Nobody who agreed to be found teaches this yet" in nobody


@covers(text_commands.EXPORT, verbs.EXPORT_FILE)
@pytest.mark.parametrize("verb", [text_commands.EXPORT, verbs.EXPORT_FILE])
async def test_my_data_is_a_summary_with_the_file_offered_only_in_the_personal_chat(
    uow: FakeUnitOfWork, clock: FakeClock, verb: str
) -> None:
    await _join(uow, clock, "ana")
    personal = await act(verb, context(uow, clock, "ana"))
    assert "Your data" in str(personal.card) and "Platform guild" in str(personal.card)
    assert [a.content_type for a in personal.attachments] == [CONSENT_CARD]
    assert personal.attachments[0].content["acceptContext"] == {ADDRESSEE: "ana"}  # only hers to accept
    shared = await act(verb, context(uow, clock, "ana", shared=True))
    assert shared.attachments == []  # never a file offer where others can see it


@covers(verbs.DELETE_ASK)
async def test_asking_to_delete_only_asks_for_confirmation(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    asked = await shown(verbs.DELETE_ASK, context(uow, clock, "ana"))
    assert "Delete all your data?" in asked and f'"verb": "{verbs.DELETE_CONFIRM}"' in asked
    assert not uow.store.persons["ana"].erased
