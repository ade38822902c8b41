"""Bot actions against the fakes: each handler gets an `ActionContext` (who acts, where, with which data) and
answers with a card, through core's use cases on a fake unit of work that keeps the real one's contract."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adaptive_cards import verbs
from bot.actions import ActionContext
from bot.forms import StaleCard
from core.errors import ConcurrentChange, InvalidTransition, PermissionDenied
from core.model import Intent, PairingStatus, Response
from tests.unit.bot.actions_support import PAIR, TEAM_PROGRAM, act, context, covers, shown
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def _ctx(uow: FakeUnitOfWork, clock: FakeClock, who: str, **data: object) -> ActionContext:
    return context(uow, clock, who, data)


async def _run(verb: str, ctx: ActionContext) -> str:
    return await shown(verb, ctx)


@covers(verbs.PAIRING_ACCEPT)
async def test_every_member_answers_a_proposal_for_themselves_and_the_pairing_starts(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    assert "You accepted" in await _run(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "ana", pairing_id=PAIR))
    assert "You are matched" in await _run(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "bo", pairing_id=PAIR))
    stored = uow.store.pairings[PAIR]
    assert stored.status is PairingStatus.ACTIVE  # everyone said yes: it starts at once
    assert [m.response for m in stored.members] == [Response.ACCEPTED, Response.ACCEPTED]


@covers(verbs.PAIRING_VIEW, verbs.PAIRING_ACCEPT, verbs.PAIRING_DECLINE, verbs.CHECKIN_OPEN)
async def test_someone_outside_a_pairing_cannot_answer_or_see_it(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    for verb in (verbs.PAIRING_VIEW, verbs.PAIRING_ACCEPT, verbs.PAIRING_DECLINE, verbs.CHECKIN_OPEN):
        with pytest.raises(PermissionDenied):
            await act(verb, _ctx(uow, clock, "cy", pairing_id=PAIR))
    assert uow.store.pairings[PAIR].status is PairingStatus.PROPOSED


async def test_a_card_without_a_valid_pairing_id_is_stale_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(StaleCard):
        await act(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "ana", pairing_id="../x"))


@covers(verbs.CHECKIN_SUBMIT)
async def test_a_check_in_with_a_confidential_note_reaches_the_facilitator_as_a_notice_only(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    pairing.status = PairingStatus.ACTIVE
    answer = {"met": "yes", "usefulness": "4", "learned": "Helm", "confidential_note": "Bo is late"}
    thanks = await _run(verbs.CHECKIN_SUBMIT, _ctx(uow, clock, "ana", pairing_id=PAIR, **answer))
    assert "Thanks" in thanks and "Bo is late" not in thanks
    notices = [m for m in uow.store.outbox.values() if m.intent is Intent.CONCERN_RAISED]
    assert [m.recipient_id for m in notices] == ["fay"] and "Bo is late" not in str(notices)


@covers(verbs.DELETE_CONFIRM)
async def test_delete_needs_its_confirmation_and_then_erases_the_person(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(StaleCard):
        await act(verbs.DELETE_CONFIRM, _ctx(uow, clock, "ana"))
    assert not uow.store.persons["ana"].erased
    done = await _run(verbs.DELETE_CONFIRM, _ctx(uow, clock, "ana", confirm="yes"))
    assert "deleted" in done and uow.store.persons["ana"].erased


@covers(verbs.REPORT_OPEN, verbs.FACILITATOR_TAKE_OVER)
async def test_only_a_facilitator_reads_the_report_and_a_taken_over_program_cannot_be_taken_twice(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[TEAM_PROGRAM] = replace(uow.store.programs.pop(PROGRAM), id=TEAM_PROGRAM)
    with pytest.raises(PermissionDenied):
        await act(verbs.REPORT_OPEN, _ctx(uow, clock, "ana", program_id=TEAM_PROGRAM))
    assert "Report" in await _run(verbs.REPORT_OPEN, _ctx(uow, clock, "fay", program_id=TEAM_PROGRAM))
    with pytest.raises(InvalidTransition):
        await act(verbs.FACILITATOR_TAKE_OVER, _ctx(uow, clock, "fay", program_id=TEAM_PROGRAM))


async def test_an_answer_from_a_stale_read_is_refused_by_the_fake_as_by_the_database(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    stale = FakeUnitOfWork(uow.store)
    async with stale:
        old = await stale.pairings.get(ORG, PAIR)
        assert old is not None
        await _run(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "ana", pairing_id=PAIR))
        old.decline("bo", clock.now())
        await stale.pairings.save(old)
        with pytest.raises(ConcurrentChange):
            await stale.commit()
    assert uow.store.pairings[PAIR].members[0].response is Response.ACCEPTED
