from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.bus import MessageBus
from core.model import CheckIn, Enrollment, Intent, Pairing, PairingStatus
from core.services.schedule import queue_check_ins
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork, FakeUnitOfWorkFactory


class Directory:
    async def running_programs(self) -> list[tuple[str, str]]:
        return [(ORG, PROGRAM)]


def _active(uow: FakeUnitOfWork, clock: FakeClock) -> Pairing:
    program = uow.store.programs[PROGRAM]
    program.starts_on = date(2026, 11, 2)
    for person in ("ana", "bo"):
        uow.store.enrollments[person] = Enrollment(person, ORG, PROGRAM, person, 1, clock.now())
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    pairing.status = PairingStatus.ACCEPTED
    pairing.start(clock.now())
    return pairing


def _queued(uow: FakeUnitOfWork, intent: Intent) -> list[str]:
    return sorted(m.recipient_id for m in uow.store.outbox.values() if m.intent is intent)


async def test_check_ins_are_queued_once_when_due_and_the_silent_are_reminded_once(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    clock.current = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    pairing = _active(uow, clock)
    uows = FakeUnitOfWorkFactory(uow.store)

    await queue_check_ins(Directory(), MessageBus(uows, clock))
    assert _queued(uow, Intent.CHECK_IN) == []  # biweekly: the first check-in is a week after the start

    clock.current = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
    first = await queue_check_ins(Directory(), MessageBus(uows, clock))
    again = await queue_check_ins(Directory(), MessageBus(uows, clock))
    assert (first.check_ins_queued, again.check_ins_queued) == (2, 0)
    assert _queued(uow, Intent.CHECK_IN) == ["ana", "bo"]

    uow.store.check_ins["c1"] = CheckIn(
        "c1", ORG, pairing.id, "ana", clock.now() + timedelta(hours=1), True, 4
    )
    clock.current += timedelta(days=2)
    reminded = await queue_check_ins(Directory(), MessageBus(uows, clock))
    await queue_check_ins(Directory(), MessageBus(uows, clock))
    assert reminded.reminders_queued == 1
    assert _queued(uow, Intent.CHECK_IN_REMINDER) == ["bo"]
    assert all(
        m.payload == {"pairing_id": pairing.id, "due": "2026-11-09"} for m in uow.store.outbox.values()
    )


async def test_paused_members_get_no_check_in(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    clock.current = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    _active(uow, clock)
    uow.store.enrollments["bo"].pause(date(2026, 12, 1), date(2026, 11, 2))
    clock.current = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
    await queue_check_ins(Directory(), MessageBus(FakeUnitOfWorkFactory(uow.store), clock))
    assert _queued(uow, Intent.CHECK_IN) == ["ana"]
