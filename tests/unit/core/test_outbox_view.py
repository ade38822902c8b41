"""Whether a queued message is still current (`core.views.outbox`), against the fakes: what the sender skips
and why, and what a current row is drawn from."""

from __future__ import annotations

from datetime import timedelta

from core.bus import MessageBus
from core.model import CheckIn, Enrollment, Intent, OutboxMessage, PairingStatus, Round
from core.views import outbox
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def _message(
    clock: FakeClock, intent: Intent, subject: str, to: str = "ana", **payload: object
) -> OutboxMessage:
    return OutboxMessage(
        f"m-{intent.value}-{to}", ORG, to, intent, subject, f"k-{intent.value}-{to}", clock.now(), payload
    )


async def _current(uow: FakeUnitOfWork, *messages: OutboxMessage) -> list[outbox.Current | outbox.Stale]:
    async with FakeUnitOfWork(uow.store) as reading:
        return await outbox.current(messages, reading)


async def test_a_proposal_is_current_until_the_recipient_answers_it(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    message = _message(clock, Intent.PAIRING_PROPOSED, pairing.id)
    [found] = await bus.read(lambda u: _current(u, message))
    assert isinstance(found, outbox.AboutPairing)
    assert (found.person.id, found.view.viewer_id, found.asked_as) == ("ana", "ana", "aad-ana")
    pairing.accept("ana", clock.now())
    assert await bus.read(lambda u: _current(u, message)) == [
        outbox.Stale("The proposal was answered or closed before it was sent.", PROGRAM)
    ]


async def test_a_check_in_reminder_is_stale_once_the_person_checked_in_since_it_was_due(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    pairing.status = PairingStatus.ACTIVE
    reminder = _message(clock, Intent.CHECK_IN_REMINDER, pairing.id, due=clock.now().date().isoformat())
    assert isinstance((await bus.read(lambda u: _current(u, reminder)))[0], outbox.AboutPairing)
    uow.store.check_ins["c1"] = CheckIn(
        "c1", ORG, pairing.id, "ana", clock.now() + timedelta(hours=1), met=True, usefulness=4
    )
    [stale] = await bus.read(lambda u: _current(u, reminder))
    assert stale == outbox.Stale("The person checked in before the reminder was sent.", PROGRAM)


async def test_nothing_is_sent_to_someone_who_deleted_their_data(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    uow.store.persons["bo"].erased = True
    found = await bus.read(
        lambda u: _current(
            u,
            _message(clock, Intent.PAIRING_PROPOSED, pairing.id, "bo"),
            _message(clock, Intent.WELCOME, PROGRAM, "bo"),
        )
    )
    assert found == [outbox.Stale("The person deleted their data.")] * 2


async def test_a_round_s_no_match_notice_is_stale_once_a_newer_round_opened(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.rounds["r1"] = Round("r1", ORG, PROGRAM, 1, clock.now())
    message = _message(clock, Intent.UNMATCHED, "r1", reason="Nobody teaches Rust yet.")
    [found] = await bus.read(lambda u: _current(u, message))
    assert isinstance(found, outbox.AboutProgram) and found.reason == "Nobody teaches Rust yet."
    uow.store.rounds["r2"] = Round("r2", ORG, PROGRAM, 2, clock.now() + timedelta(days=7))
    assert await bus.read(lambda u: _current(u, message)) == [
        outbox.Stale("A newer round opened before this one's message was sent.", PROGRAM)
    ]


async def test_a_welcome_is_stale_once_the_person_joined(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    welcome = _message(clock, Intent.WELCOME, PROGRAM)
    assert isinstance((await bus.read(lambda u: _current(u, welcome)))[0], outbox.AboutProgram)
    uow.store.enrollments["e1"] = Enrollment("e1", ORG, PROGRAM, "ana", 1, clock.now())
    assert await bus.read(lambda u: _current(u, welcome)) == [
        outbox.Stale("The person joined before the welcome was sent.", PROGRAM)
    ]


def test_rows_about_one_pairing_are_read_together_and_any_other_row_alone(clock: FakeClock) -> None:
    assert outbox.group_key(_message(clock, Intent.INTRODUCTION, "p1")) == "pairing:p1"
    assert outbox.group_key(_message(clock, Intent.CHECK_IN, "p1:2026-11-02")) == "pairing:p1"
    assert outbox.group_key(_message(clock, Intent.WELCOME, PROGRAM)) == "row:m-welcome-ana"
