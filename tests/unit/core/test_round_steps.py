"""A round in three steps: read the input, match with no transaction open, store only if still current."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import pytest

import matching
from core import commands
from core.bus import MessageBus
from core.errors import PermissionDenied
from core.matcher import InProcessMatcher
from core.model import Enrollment, Intent, Person, RoundStatus
from core.services import rounds, schedule
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeClock, FakeUnitOfWork, FakeUnitOfWorkFactory, SameUnit


class MatcherThatWaits:
    """Matches in process, but first runs `meanwhile`: what other requests do while a worker process matches."""

    def __init__(self, uow: FakeUnitOfWork, meanwhile: Callable[[], Awaitable[object]]) -> None:
        self.uow, self.meanwhile = uow, meanwhile
        self.open_while_matching: bool | None = None

    async def match(
        self,
        participants: Sequence[matching.Participant],
        settings: matching.ProgramSettings,
        history: matching.History,
        seed: int,
    ) -> matching.MatchResult:
        self.open_while_matching = hasattr(self.uow, "working")  # the fake holds `working` while open
        await self.meanwhile()
        return await InProcessMatcher().match(participants, settings, history, seed)


@pytest.fixture
def bus(uow: FakeUnitOfWork, clock: FakeClock) -> MessageBus:
    """Every unit of work of the round on the fixture's own fake, so a matcher can see whether one is open."""
    return MessageBus(SameUnit(uow), clock)


def enroll(uow: FakeUnitOfWork, clock: FakeClock, *people: str) -> None:
    for person in people:
        uow.store.persons.setdefault(person, Person(person, ORG, person.title()))
        uow.store.enrollments[f"e-{person}"] = Enrollment(f"e-{person}", ORG, PROGRAM, person, 1, clock.now())


async def nothing() -> None:
    return None


async def test_no_transaction_is_open_while_the_matcher_runs(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo")
    matcher = MatcherThatWaits(uow, nothing)
    outcome = await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus, matcher)
    assert matcher.open_while_matching is False
    assert [sorted(p.member_ids()) for p in outcome.pairings] == [["ana", "bo"]]
    assert len(uow.store.rounds) == 1


async def test_a_round_opened_while_matching_is_not_written_twice(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo", "cy", "dee")
    other = FakeUnitOfWork(uow.store)  # another facilitator, or the schedule on another instance

    async def another_round() -> None:
        await rounds.run_round(commands.RunRound(ORG, PROGRAM, None), MessageBus(SameUnit(other), clock))

    matcher = MatcherThatWaits(uow, another_round)
    with pytest.raises(rounds.RoundJustRun, match="was just run"):
        await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus, matcher)
    assert [r.index for r in uow.store.rounds.values()] == [1]
    assert len(uow.store.pairings) == 2  # the other round's pairs only
    proposed = [m for m in uow.store.outbox.values() if m.intent is Intent.PAIRING_PROPOSED]
    assert len(proposed) == 4  # each person told once


async def test_whoever_leaves_while_matching_is_not_proposed_and_their_partner_hears_why(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo")
    other = FakeUnitOfWork(uow.store)

    async def bo_leaves() -> None:
        async with other:
            enrollment = await other.enrollments.get(ORG, PROGRAM, "bo")
            assert enrollment is not None
            enrollment.leave()
            await other.enrollments.save(enrollment)
            await other.commit()

    matcher = MatcherThatWaits(uow, bo_leaves)
    outcome = await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus, matcher)
    assert outcome.pairings == [] and uow.store.pairings == {}
    assert outcome.unmatched == [("ana", rounds.PARTNER_LEFT)]
    told = [(m.recipient_id, m.intent) for m in uow.store.outbox.values()]
    assert told == [("ana", Intent.UNMATCHED)]
    assert uow.store.enrollments["e-ana"].unmatched_last_round  # first in line next round
    assert uow.store.enrollments["e-bo"].status.value == "left"  # the stale copy was not written back


async def test_the_facilitator_check_refuses_before_anything_is_matched(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo")
    matcher = MatcherThatWaits(uow, nothing)
    with pytest.raises(PermissionDenied):
        await rounds.run_round(commands.RunRound(ORG, PROGRAM, "ana"), bus, matcher)
    assert matcher.open_while_matching is None and uow.store.rounds == {}


class OneProgram:
    async def running_programs(self) -> list[tuple[str, str]]:
        return [(ORG, PROGRAM)]


async def test_the_schedule_skips_a_round_a_facilitator_opened_while_it_matched(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana", "bo")
    uow.store.programs[PROGRAM].starts_on = clock.now().date() - timedelta(days=14)  # due now
    facilitator = FakeUnitOfWork(uow.store)

    async def match_now() -> None:
        await rounds.run_round(
            commands.RunRound(ORG, PROGRAM, "fay"), MessageBus(SameUnit(facilitator), clock)
        )

    matcher = MatcherThatWaits(uow, match_now)

    uows = FakeUnitOfWorkFactory(uow.store)
    run = await schedule.open_due_rounds(
        OneProgram(), MessageBus(uows, clock), rounds.LocalRounds(MessageBus(uows, clock), matcher)
    )
    assert (run.rounds_opened, run.errors) == ([], [])
    assert [r.index for r in uow.store.rounds.values()] == [1]


async def test_scheduled_round_with_one_person_opens_no_round_and_says_why(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana")
    uow.store.programs[PROGRAM].starts_on = clock.now().date() - timedelta(days=14)  # due now
    run = await schedule.open_due_rounds(OneProgram(), MessageBus(FakeUnitOfWorkFactory(uow.store), clock))
    assert run.rounds_opened == [] and run.errors == []
    assert [program for program, _ in run.skipped] == [PROGRAM]
    assert "at least two people" in run.skipped[0][1] and "has 1 who could be matched" in run.skipped[0][1]
    assert uow.store.rounds == {} and uow.store.outbox == {}  # no empty numbered round, nobody told


async def test_scheduled_round_with_nobody_opens_no_round_run_after_run(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].starts_on = clock.now().date() - timedelta(days=14)
    for _ in range(3):  # the worker asks every minute: still no round 1, 2, 3…
        run = await schedule.open_due_rounds(
            OneProgram(), MessageBus(FakeUnitOfWorkFactory(uow.store), clock)
        )
        assert len(run.skipped) == 1
    assert uow.store.rounds == {}


async def test_the_skipped_round_opens_once_a_second_person_joins(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana")
    uow.store.programs[PROGRAM].starts_on = clock.now().date() - timedelta(days=14)
    assert (
        await schedule.open_due_rounds(OneProgram(), MessageBus(FakeUnitOfWorkFactory(uow.store), clock))
    ).skipped
    enroll(uow, clock, "bo")
    run = await schedule.open_due_rounds(OneProgram(), MessageBus(FakeUnitOfWorkFactory(uow.store), clock))
    assert run.skipped == [] and len(run.rounds_opened) == 1
    assert [r.index for r in uow.store.rounds.values()] == [1]


async def test_match_now_with_one_person_refuses_and_opens_no_round(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    enroll(uow, clock, "ana")
    with pytest.raises(rounds.TooFewToMatch):
        await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus)
    assert uow.store.rounds == {}


class StopsAfterCommits(FakeUnitOfWork):
    """A unit of work whose process stops (raises) at its `limit`-th commit: what a crash between slices does."""

    def __init__(self, uow: FakeUnitOfWork, limit: int) -> None:
        super().__init__(uow.store)
        self.limit, self.count = limit, 0

    async def commit(self) -> None:
        self.count += 1
        if self.count == self.limit:
            raise RuntimeError("the process stopped here")
        await super().commit()


async def test_a_big_round_is_stored_in_short_transactions_each_slice_with_its_proposals(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rounds, "WRITE_SLICE", 2)
    people = [f"p{k:02}" for k in range(12)]
    enroll(uow, clock, *people)
    outcome = await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus)
    assert len(outcome.pairings) == 6 and outcome.round.status is RoundStatus.OPEN
    assert uow.store.commits >= 1 + 3 + 1  # the claim, three slices of pairings, the round opened
    proposed = sorted(
        m.recipient_id for m in uow.store.outbox.values() if m.intent is Intent.PAIRING_PROPOSED
    )
    assert proposed == people
    (stored,) = uow.store.rounds.values()
    assert stored.status is RoundStatus.OPEN


async def test_a_round_stopped_between_slices_keeps_whole_slices_and_the_next_round_matches_the_rest(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rounds, "WRITE_SLICE", 2)
    people = [f"p{k:02}" for k in range(8)]
    enroll(uow, clock, *people)
    # Commits: the claim, (no earlier pairings to close), slice 1 of pairings, then the process stops.
    with pytest.raises(RuntimeError):
        stopping = StopsAfterCommits(uow, 3)
        await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), MessageBus(SameUnit(stopping), clock))
    (forming,) = uow.store.rounds.values()
    assert forming.status is RoundStatus.FORMING
    stored = list(uow.store.pairings.values())
    assert len(stored) == 2  # one whole slice: never a pairing without its proposals
    told = {m.recipient_id for m in uow.store.outbox.values() if m.intent is Intent.PAIRING_PROPOSED}
    assert told == {m for p in stored for m in p.member_ids()}

    clock.advance(days=1)
    nxt = await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus)
    assert nxt.round.index == forming.index + 1
    again = {m for p in nxt.pairings for m in p.member_ids()}
    assert set(people) - told <= again  # whoever the stopped round did not store is matched now
