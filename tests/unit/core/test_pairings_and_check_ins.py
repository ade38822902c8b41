from __future__ import annotations

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import InvalidInput, InvalidTransition, PermissionDenied
from core.model import Intent, PairingStatus, Response
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def answer(person: str, what: str, pairing: str = "pair-1") -> commands.RespondToPairing:
    return commands.RespondToPairing(ORG, pairing, person, what)


def intents(uow: FakeUnitOfWork) -> list[tuple[str, Intent]]:
    return sorted((m.recipient_id, m.intent) for m in uow.store.outbox.values())


async def test_when_everyone_accepts_the_pairing_starts_and_each_member_gets_one_introduction(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    first = await bus.handle(answer("ana", "accept"))
    assert first.status is PairingStatus.PROPOSED and intents(uow) == []
    second = await bus.handle(answer("bo", "accept"))
    assert second.status is PairingStatus.ACTIVE
    assert [h.status for h in second.history] == [PairingStatus.ACCEPTED, PairingStatus.ACTIVE]
    assert intents(uow) == [("ana", Intent.INTRODUCTION), ("bo", Intent.INTRODUCTION)]


async def test_a_second_click_on_accept_changes_nothing(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await bus.handle(answer("ana", "accept"))
    commits = uow.store.commits
    with pytest.raises(InvalidTransition, match="already accepted"):
        await bus.handle(answer("ana", "accept"))
    assert uow.store.commits == commits


async def test_accepting_a_declined_pairing_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await bus.handle(answer("bo", "decline"))
    with pytest.raises(InvalidTransition, match="already declined"):
        await bus.handle(answer("ana", "accept"))
    assert uow.store.pairings["pair-1"].member("ana").response is Response.PENDING


async def test_asking_for_someone_else_tells_the_partner_only_that_it_will_not_go_ahead(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await bus.handle(answer("ana", "someone_else"))
    [message] = uow.store.outbox.values()
    assert (message.recipient_id, message.intent, message.payload) == ("bo", Intent.PAIRING_DECLINED, {})


async def test_only_members_can_answer_a_pairing(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(PermissionDenied):
        await bus.handle(answer("cy", "accept"))


async def test_an_unknown_answer_is_refused_by_name(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(InvalidInput, match="'maybe'"):
        await bus.handle(answer("ana", "maybe"))


async def _active_pairing(bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    await bus.handle(answer("ana", "accept"))
    await bus.handle(answer("bo", "accept"))


def check_in(person: str = "ana", **fields: object) -> commands.SubmitCheckIn:
    values: dict[str, object] = {"met": True, "usefulness": 4, "learned": "Helm charts"} | fields
    return commands.SubmitCheckIn(ORG, "pair-1", person, **values)  # type: ignore[arg-type]


async def test_checking_in_on_someone_elses_pairing_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _active_pairing(bus, uow, clock)
    with pytest.raises(PermissionDenied):
        await bus.handle(check_in("cy"))
    assert uow.store.check_ins == {}


async def test_a_check_in_on_a_proposed_pairing_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo")
    with pytest.raises(InvalidTransition, match="active pairings"):
        await bus.handle(check_in())


@pytest.mark.parametrize("usefulness", [0, 6, True])
async def test_usefulness_outside_one_to_five_is_refused(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock, usefulness: object
) -> None:
    await _active_pairing(bus, uow, clock)
    with pytest.raises(InvalidInput) as error:
        await bus.handle(check_in(usefulness=usefulness))
    assert error.value.field == "usefulness"


async def test_a_confidential_note_becomes_a_concern_and_only_facilitators_are_told(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _active_pairing(bus, uow, clock)
    await bus.handle(check_in(confidential_note="My partner keeps missing meetings"))
    [concern] = uow.store.concerns.values()
    assert (concern.program_id, concern.reporter_id, concern.pairing_id) == (PROGRAM, "ana", "pair-1")
    concern_messages = [m for m in uow.store.outbox.values() if m.intent is Intent.CONCERN_RAISED]
    assert [m.recipient_id for m in concern_messages] == ["fay"]
    assert all("missing" not in str(m.payload) for m in uow.store.outbox.values())
    [stored] = uow.store.check_ins.values()
    assert "missing" not in stored.learned + stored.blockers
