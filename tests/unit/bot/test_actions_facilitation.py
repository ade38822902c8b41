"""Facilitators' actions as the bot answers them, against the fakes: the set-up, a round now, naming another
facilitator and taking over a program nobody facilitates."""

from __future__ import annotations

import pytest

from adaptive_cards import verbs
from bot import text_commands
from core.errors import NotFound, PermissionDenied
from core.model import Cadence, Profile, SkillLevel
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
TEAM = "19:team"
SETUP = {"program_id": PROGRAM, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}


@pytest.fixture(autouse=True)
def _card_ids(uow: FakeUnitOfWork) -> None:
    program_with_a_card_id(uow)


async def _joined(uow: FakeUnitOfWork, clock: FakeClock, *people: str) -> None:
    uow.store.team_members[(ORG, TEAM)] = set(people)
    for who in people:
        await act(verbs.JOIN, context(uow, clock, who, {"program_id": PROGRAM, "version": "1"}))


@covers(verbs.SETUP_OPEN)
async def test_the_set_up_opens_for_its_facilitators_only(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    reply = await act(verbs.SETUP_OPEN, context(uow, clock, "fay", {"program_id": PROGRAM}))
    assert "Set up Platform guild" in str(reply.card)
    assert reply.view == (verbs.SETUP_OPEN, {"program_id": PROGRAM})
    with pytest.raises(PermissionDenied):
        await act(verbs.SETUP_OPEN, context(uow, clock, "ana", {"program_id": PROGRAM}))


@covers(verbs.SETUP_SAVE)
async def test_a_set_up_with_mistakes_is_shown_again_and_a_good_one_is_saved(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    wrong = await shown(
        verbs.SETUP_SAVE, context(uow, clock, "fay", {"program_id": PROGRAM, "group_size": "9"})
    )
    assert "Choose a kind." in wrong and "Choose a cadence." in wrong
    assert uow.store.programs[PROGRAM].cadence is not Cadence.WEEKLY
    saved = await shown(verbs.SETUP_SAVE, context(uow, clock, "fay", SETUP))
    assert "Set up Platform guild" in saved
    assert uow.store.programs[PROGRAM].cadence is Cadence.WEEKLY
    with pytest.raises(PermissionDenied):
        await act(verbs.SETUP_SAVE, context(uow, clock, "ana", SETUP | {"cadence": "monthly"}))
    assert uow.store.programs[PROGRAM].cadence is Cadence.WEEKLY


@covers(verbs.ROUND_RUN)
async def test_match_now_says_what_is_missing_instead_of_opening_an_empty_round(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(PermissionDenied):
        await act(verbs.ROUND_RUN, context(uow, clock, "ana", {"program_id": PROGRAM}))
    nobody = await act(verbs.ROUND_RUN, context(uow, clock, "fay", {"program_id": PROGRAM}))
    assert "Nobody has joined 'Platform guild' yet" in str(nobody.card)
    assert nobody.after_turn is None and uow.store.rounds == {}


@covers(verbs.ROUND_RUN)
async def test_match_now_forms_the_round_after_the_turn_and_answers_with_its_result(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _joined(uow, clock, "ana", "bo")
    uow.store.profiles["ana"] = (ORG, Profile("ana", teaches=(SkillLevel.of("Helm", 4),), hours_per_month=4))
    uow.store.profiles["bo"] = (ORG, Profile("bo", learns=(SkillLevel.of("Helm", 1),), hours_per_month=4))
    ctx = context(uow, clock, "fay", {"program_id": PROGRAM})
    reply = await act(verbs.ROUND_RUN, ctx)
    assert "Forming a round of 'Platform guild'" in str(reply.card)
    assert uow.store.rounds == {}  # nothing runs inside the turn
    assert reply.after_turn is not None
    result = await reply.after_turn(ctx.services)
    assert "Round 1 of Platform guild" in str(result.card)
    assert [sorted(p.member_ids()) for p in uow.store.pairings.values()] == [["ana", "bo"]]


@covers(text_commands.FACILITATOR_ADD)
async def test_a_facilitator_names_a_team_member_as_another_facilitator(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.team_members[(ORG, TEAM)] = {"fay", "bo"}
    by_email = {"program_id": PROGRAM, "who": "Bo@Contoso.example"}
    with pytest.raises(PermissionDenied):  # only a facilitator names one
        await act(text_commands.FACILITATOR_ADD, context(uow, clock, "ana", by_email))
    with pytest.raises(PermissionDenied):  # only a member of the program's team
        await act(
            text_commands.FACILITATOR_ADD,
            context(uow, clock, "fay", by_email | {"who": "cy@contoso.example"}),
        )
    with pytest.raises(NotFound):
        await act(
            text_commands.FACILITATOR_ADD,
            context(uow, clock, "fay", by_email | {"who": "zed@contoso.example"}),
        )
    added = await shown(text_commands.FACILITATOR_ADD, context(uow, clock, "fay", by_email))
    assert "Bo now facilitates 'Platform guild'" in added
    assert uow.store.programs[PROGRAM].facilitator_ids == ["fay", "bo"]
    again = await shown(text_commands.FACILITATOR_ADD, context(uow, clock, "fay", by_email))
    assert "Bo already facilitates 'Platform guild'" in again


@covers(verbs.FACILITATOR_TAKE_OVER)
async def test_a_team_owner_takes_over_a_program_nobody_facilitates(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].facilitator_ids.clear()
    uow.store.team_owners[(ORG, TEAM)] = {"bo"}
    with pytest.raises(PermissionDenied):
        await act(verbs.FACILITATOR_TAKE_OVER, context(uow, clock, "ana", {"program_id": PROGRAM}))
    taken = await shown(verbs.FACILITATOR_TAKE_OVER, context(uow, clock, "bo", {"program_id": PROGRAM}))
    assert "You took over 'Platform guild'" in taken
    assert uow.store.programs[PROGRAM].facilitator_ids == ["bo"]
