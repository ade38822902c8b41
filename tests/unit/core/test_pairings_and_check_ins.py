from __future__ import annotations

import pytest

from core import commands
from core.errors import InvalidInput, InvalidTransition, PermissionDenied
from core.model import Intent, PairingStatus, Response
from core.services import checkins, pairings
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def answer(person: str, what: str, pairing: str = "pair-1") -> commands.RespondToPairing:
    return commands.RespondToPairing(ORG, pairing, person, what)


def intents(uow: FakeUnitOfWork) -> list[tuple[str, Intent]]:
    return sorted((m.recipient_id, m.intent) for m in uow.store.outbox.values())


async def test_when_everyone_accepts_the_pairing_starts_and_each_member_gets_one_introduction(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    first = await pairings.respond(answer("ana", "accept"), uow, clock)
    assert first.status is PairingStatus.PROPOSED and intents(uow) == []
    second = await pairings.respond(answer("bo", "accept"), uow, clock)
    assert second.status is PairingStatus.ACTIVE
    assert [h.status for h in second.history] == [PairingStatus.ACCEPTED, PairingStatus.ACTIVE]
    assert intents(uow) == [("ana", Intent.INTRODUCTION), ("bo", Intent.INTRODUCTION)]


async def test_a_second_click_on_accept_changes_nothing(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await pairings.respond(answer("ana", "accept"), uow, clock)
    commits = uow.store.commits
    with pytest.raises(InvalidTransition, match="already accepted"):
        await pairings.respond(answer("ana", "accept"), uow, clock)
    assert uow.store.commits == commits


async def test_accepting_a_declined_pairing_is_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await pairings.respond(answer("bo", "decline"), uow, clock)
    with pytest.raises(InvalidTransition, match="already declined"):
        await pairings.respond(answer("ana", "accept"), uow, clock)
    assert uow.store.pairings["pair-1"].member("ana").response is Response.PENDING


async def test_asking_for_someone_else_tells_the_partner_only_that_it_will_not_go_ahead(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await pairings.respond(answer("ana", "someone_else"), uow, clock)
    [message] = uow.store.outbox.values()
    assert (message.recipient_id, message.intent, message.payload) == ("bo", Intent.PAIRING_DECLINED, {})


async def test_only_members_can_answer_a_pairing(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(PermissionDenied):
        await pairings.respond(answer("cy", "accept"), uow, clock)


async def test_an_unknown_answer_is_refused_by_name(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(InvalidInput, match="'maybe'"):
        await pairings.respond(answer("ana", "maybe"), uow, clock)


async def _active_pairing(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await pairings.respond(answer("ana", "accept"), uow, clock)
    await pairings.respond(answer("bo", "accept"), uow, clock)


def check_in(person: str = "ana", **fields: object) -> commands.SubmitCheckIn:
    values: dict[str, object] = {"met": True, "usefulness": 4, "learned": "Helm charts"} | fields
    return commands.SubmitCheckIn(ORG, "pair-1", person, **values)  # type: ignore[arg-type]


async def test_checking_in_on_someone_elses_pairing_is_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    await _active_pairing(uow, clock)
    with pytest.raises(PermissionDenied):
        await checkins.submit_check_in(check_in("cy"), uow, clock)
    assert uow.store.check_ins == {}


async def test_a_check_in_on_a_proposed_pairing_is_refused(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(InvalidTransition, match="active pairings"):
        await checkins.submit_check_in(check_in(), uow, clock)


@pytest.mark.parametrize("usefulness", [0, 6, True])
async def test_usefulness_outside_one_to_five_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock, usefulness: object
) -> None:
    await _active_pairing(uow, clock)
    with pytest.raises(InvalidInput) as error:
        await checkins.submit_check_in(check_in(usefulness=usefulness), uow, clock)
    assert error.value.field == "usefulness"


async def test_a_confidential_note_becomes_a_concern_and_only_facilitators_are_told(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _active_pairing(uow, clock)
    await checkins.submit_check_in(
        check_in(confidential_note="My partner keeps missing meetings"), uow, clock
    )
    [concern] = uow.store.concerns.values()
    assert (concern.program_id, concern.reporter_id, concern.pairing_id) == (PROGRAM, "ana", "pair-1")
    concern_messages = [m for m in uow.store.outbox.values() if m.intent is Intent.CONCERN_RAISED]
    assert [m.recipient_id for m in concern_messages] == ["fay"]
    assert all("missing" not in str(m.payload) for m in uow.store.outbox.values())
    [stored] = uow.store.check_ins.values()
    assert "missing" not in stored.learned + stored.blockers
