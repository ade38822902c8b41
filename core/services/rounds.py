"""Running a round of matching for a program: who takes part, what the matcher proposes, and who is told."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

import matching
from core import commands
from core.bus import MessageBus
from core.errors import ConcurrentChange, InvalidTransition, PermissionDenied
from core.matcher import InProcessMatcher, Matcher
from core.model import (
    OPEN_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Intent,
    MatchReason,
    Pairing,
    PairingMember,
    PairingStatus,
    Program,
    ProgramKind,
    Round,
    RoundStatus,
    RoundSummary,
    ScopeKind,
    new_id,
)
from core.ports import Clock, UnitOfWork
from core.services import _lookups, notes
from core.services.notify import notify_all
from core.services.participants import (
    GUIDED_ROLES,
    GUIDING_ROLES,
    ROLE_OF,
    goal_tags,
    history_for,
    settings_for,
    to_participant,
)

T = TypeVar("T")

# Pairings of these kinds last one round; mentoring and onboarding pairings run until completed.
ONE_ROUND_KINDS = frozenset({ProgramKind.PEER_PAIRS, ProgramKind.STUDY_GROUPS})
# People whose profiles are read in one short transaction while a round loads; pairings written per statement.
READ_SLICE = 1000
# Pairings (or enrollments) per write transaction while a round is stored: a card action that arrives
# during a slice waits for it. At 100,000 people on SQLite a slice of 50 held the writer for 24 ms (median;
# 47 ms at p99; 100 held it for 50-75 ms, which put card actions over 100 ms). A slice that lost a race to
# a card action is written again up to SLICE_ATTEMPTS times.
WRITE_SLICE = 50
SLICE_ATTEMPTS = 3
FOR_MEMBER = "for:"  # a stored reason's factor starts "for:<person id>:" when it is written to that member
PARTNER_LEFT = (
    "The person you were matched with left just as this round was formed; you will be among the first "
    "matched next round."
)


class RoundJustRun(InvalidTransition):
    """Another request or instance opened a round of the program while this one was matching."""

    def __init__(self, program_name: str) -> None:
        super().__init__(
            f"A round of '{program_name}' was just run (by another facilitator or on schedule), so this one "
            "was not stored: the proposals of that round are already out."
        )


class TooFewToMatch(InvalidTransition):
    """Fewer than two people could be matched: no round is opened (an empty, numbered round helps nobody)."""

    def __init__(self, program_name: str, ready: int) -> None:
        self.ready = ready
        super().__init__(
            f"A round needs at least two people to match; '{program_name}' has {ready} who could be matched "
            "now (joined, not paused, not already in a running pairing), so no round was opened."
        )


@dataclass(frozen=True)
class RoundOutcome:
    round: Round
    pairings: list[Pairing]
    unmatched: list[tuple[str, str]]  # (person id, the reason a person can read)

    def summary(self) -> RoundSummary:
        return RoundSummary(
            self.round, len(self.pairings), sum(len(p.members) for p in self.pairings), tuple(self.unmatched)
        )


def _seed(program: Program, index: int) -> int:
    digest = hashlib.sha256(f"{program.id}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _shared_goal(match: matching.Match, goals: dict[str, str]) -> str:
    """A first shared goal the members can edit: the learner's skill, or the member goal closest to everyone's.

    It names nobody: it is shown to every member as *their* goal, and it must not keep a person's name
    after they delete their data."""
    if match.skill:
        return f"By the end, use {match.skill} on a real task at work."
    written = {m: goals[m].strip() for m in match.members if goals.get(m, "").strip()}
    if not written:
        return "Agree in your first meeting on one thing each of you wants to be able to do by the end."
    tags = {m: goal_tags(text) for m, text in written.items()}
    # The goal that shares the most words with the others' goals is the best first draft of a shared one.
    central = max(sorted(written), key=lambda m: sum(len(tags[m] & tags[o]) for o in written if o != m))
    return written[central].rstrip(".") + "."


def _classify(program: Program, pairing: Pairing) -> str:
    """What a new round does to a pairing of the previous ones: delete, end, complete, or keep running."""
    if pairing.status is PairingStatus.PROPOSED and program.scope_kind is ScopeKind.LMS_COURSE:
        return "delete"  # an unpublished draft: form anew
    if pairing.status is PairingStatus.PROPOSED or (
        program.kind in ONE_ROUND_KINDS and pairing.status is PairingStatus.ACCEPTED
    ):
        return "end"
    if pairing.status is PairingStatus.ACTIVE and program.kind in ONE_ROUND_KINDS:
        return "complete"
    return "running" if pairing.status in OPEN_STATUSES else "closed"


async def _close_previous(
    uow: UnitOfWork, program: Program, pairings: list[Pairing], clock: Clock
) -> list[Pairing]:
    """Unanswered proposals expire; one-round pairings complete; unpublished course drafts are discarded.

    Returns the pairings still running.
    """
    now, running = clock.now(), []
    for pairing in pairings:
        step = _classify(program, pairing)
        if step == "delete":
            await uow.pairings.delete(program.organization_id, pairing.id)
        elif step == "end":
            pairing.end(now, None)
            await uow.pairings.save(pairing)
        elif step == "complete":
            pairing.complete(now, None)
            await uow.pairings.save(pairing)
            if program.scope_kind is ScopeKind.TEAMS_TEAM:  # its members are asked 1:1 for a learning note
                await notes.invite_members(uow, clock, pairing)
        elif step == "running":
            running.append(pairing)
    return running


def _busy(program: Program, running: list[Pairing]) -> tuple[set[str], dict[str, int]]:
    """Who cannot be in a new pairing, and how many people each mentor or buddy already guides."""
    guiding = {pid: 0 for p in running for pid in p.member_ids()}
    busy: set[str] = set()
    for pairing in running:
        for member in pairing.members:
            if member.role in GUIDING_ROLES:
                guiding[member.person_id] += 1
            elif member.role in GUIDED_ROLES or program.kind in ONE_ROUND_KINDS:
                busy.add(member.person_id)
    return busy, guiding


def check_runnable(program: Program, actor_id: str | None) -> None:
    """Refuse a round nobody may open now (`actor_id` None: the schedule). `run_round` checks it again."""
    if actor_id is not None and not program.is_facilitator(actor_id):
        raise PermissionDenied("Only the program's facilitators can run a round.")
    if not program.active:
        raise InvalidTransition(f"The program '{program.name}' is not running, so no round can start.")
    if program.needs_facilitator:
        raise InvalidTransition(
            f"'{program.name}' has no facilitator, so it is paused. A team owner can take it over."
        )


@dataclass(frozen=True)
class _Input:
    """What the first transaction read: the matcher's input, and the round it will open."""

    program: Program
    index: int
    latest_round_id: str | None  # the program's newest round when this was read: the write checks it
    participants: list[matching.Participant]
    history: matching.History
    goals: dict[str, str]
    now: datetime


async def _load(cmd: commands.RunRound, bus: MessageBus) -> _Input:
    """Read what the matcher needs: the program's state in one transaction that writes nothing, then the
    people and their profiles a slice at a time, each slice in a short read of its own.

    A slice at a time, because reading 100,000 profiles is seconds of work on the event loop and, on SQLite,
    of the process's only connection: between slices, requests are answered. A profile edited meanwhile may
    be read before or after the edit, as if the round had started a moment earlier or later; who takes part
    and who is busy are read once, and checked again when the round is stored (`_write`)."""
    org = cmd.organization_id
    now = bus.clock.now()
    async with bus.reading() as uow:
        program = await _lookups.program(uow, org, cmd.program_id)
        check_runnable(program, cmd.actor_id)
        pairings = await uow.pairings.for_program(org, program.id)
        recent = await uow.rounds.recent(org, program.id, max(program.cooldown_rounds, 1) + 1)
        enrollments = await uow.enrollments.for_program(org, program.id)
    steps = {p.id: _classify(program, p) for p in pairings}
    busy, guiding = _busy(program, [p for p in pairings if steps[p.id] == "running"])
    enrollments = [
        e
        for e in enrollments
        if e.is_available_on(now.date()) and e.has_current_consent(program) and e.person_id not in busy
    ]
    index = recent[0].index + 1 if recent else 1
    past = [p for p in pairings if steps[p.id] != "delete"]
    history = history_for(past, {r.id: r.index for r in recent}, index)
    # Attributes for diversity rules (e.g. a course section), keyed by person, as the course settings keep them.
    attributes = program.settings.member_attributes
    participants: list[matching.Participant] = []
    goals: dict[str, str] = {}
    for start in range(0, len(enrollments), READ_SLICE):
        await asyncio.sleep(0)  # let the requests that waited for the connection or the loop go first
        some = enrollments[start : start + READ_SLICE]
        async with bus.reading() as uow:
            people = {p.id: p for p in await uow.persons.many(org, [e.person_id for e in some])}
            profiles = {p.person_id: p for p in await uow.profiles.many(org, list(people))}
        goals.update((person, profile.goals) for person, profile in profiles.items())
        participants += [
            to_participant(
                people[e.person_id],
                profiles.get(e.person_id),
                e.role,
                now=now,
                active_mentees=guiding.get(e.person_id, 0),
                unmatched_last_round=e.unmatched_last_round,
                attributes=attributes.get(e.person_id),
            )
            for e in some
            if e.person_id in people and not people[e.person_id].erased
        ]
    if len(participants) < 2:
        raise TooFewToMatch(program.name, len(participants))
    return _Input(program, index, recent[0].id if recent else None, participants, history, goals, now)


def _reasons(program: Program, match: matching.Match) -> list[MatchReason]:
    """The match's shared reasons, then, in a Teams program, those written to each member ("you teach…",
    "you three…"), each marked with whom it is for (`reasons_for` reads them back). A course's groups keep the
    shared reasons only: the instructor's page lists them all."""
    shared = [MatchReason(r.factor, round(r.contribution, 4), r.text) for r in match.reasons]
    if program.scope_kind is not ScopeKind.TEAMS_TEAM or not match.member_reasons:
        return shared
    return shared + [
        MatchReason(f"{FOR_MEMBER}{member}:{r.factor}", round(r.contribution, 4), r.text)
        for member in match.members
        for r in match.reasons_for(member)
    ]


def reasons_for(pairing: Pairing, person_id: str) -> list[MatchReason]:
    """The reasons written to `person_id`, as a round stored them; the shared ones when there are none."""
    mark = f"{FOR_MEMBER}{person_id}:"
    own = [
        replace(r, factor=r.factor.removeprefix(mark)) for r in pairing.reasons if r.factor.startswith(mark)
    ]
    return own or [r for r in pairing.reasons if not r.factor.startswith(FOR_MEMBER)]


async def _pairings(loaded: _Input, round_id: str, matches: list[matching.Match]) -> list[Pairing]:
    program, made = loaded.program, []
    for count, match in enumerate(matches, start=1):
        made.append(
            Pairing(
                id=new_id(),
                organization_id=program.organization_id,
                program_id=program.id,
                round_id=round_id,
                members=[
                    PairingMember(m, ROLE_OF[r]) for m, r in zip(match.members, match.roles, strict=True)
                ],
                created_at=loaded.now,
                shared_goal=_shared_goal(match, loaded.goals),
                skill=match.skill,
                score=round(match.score, 4),
                reasons=_reasons(program, match),
            )
        )
        if count % READ_SLICE == 0:
            await asyncio.sleep(0)  # tens of thousands of pairings: let requests in between
    return made


async def _claim(cmd: commands.RunRound, loaded: _Input, bus: MessageBus) -> Round:
    """Store the round as forming, if no round was opened since `loaded` was read. The round's index is
    unique per program, so of two instances that matched at once, one gets here and the other is told
    `RoundJustRun`."""
    org = cmd.organization_id
    round_ = Round(new_id(), org, loaded.program.id, loaded.index, loaded.now, RoundStatus.FORMING)
    try:
        async with bus.unit() as work:
            uow = work.uow
            program = await _lookups.program(uow, org, cmd.program_id)
            check_runnable(program, cmd.actor_id)
            recent = await uow.rounds.recent(org, program.id, 1)
            if (recent[0].id if recent else None) != loaded.latest_round_id:
                raise RoundJustRun(program.name)
            await uow.rounds.save(round_)
    except ConcurrentChange as exc:  # the same index, stored by another instance a moment earlier
        raise RoundJustRun(loaded.program.name) from exc
    return round_


async def _in_slices(items: Sequence[T], write: Callable[[Sequence[T]], Awaitable[None]]) -> None:
    """`write` each slice of `items` in its own short transaction, yielding to waiting requests between.

    A slice that lost a race (a member answered a proposal of it at that very moment) is written again."""
    for start in range(0, len(items), WRITE_SLICE):
        await asyncio.sleep(0)
        for attempt in range(1, SLICE_ATTEMPTS + 1):
            try:
                await write(items[start : start + WRITE_SLICE])
                break
            except ConcurrentChange:
                if attempt == SLICE_ATTEMPTS:
                    raise


async def _close_previous_in_slices(loaded: _Input, bus: MessageBus) -> list[Pairing]:
    """`_close_previous` for the program's earlier pairings, a slice per transaction, each read afresh."""
    org, program = loaded.program.organization_id, loaded.program
    async with bus.reading() as uow:
        ids = [p.id for p in await uow.pairings.for_program(org, program.id)]
    running: list[Pairing] = []

    async def close(some: Sequence[str]) -> None:
        async with bus.unit() as work:
            uow = work.uow
            still = await _close_previous(uow, program, await uow.pairings.many(org, some), bus.clock)
        running.extend(still)

    await _in_slices(ids, close)
    return running


async def _write(
    cmd: commands.RunRound, loaded: _Input, result: matching.MatchResult, bus: MessageBus
) -> RoundOutcome:
    """Store the round, if it is still the round that was loaded, in short transactions.

    One transaction for the whole round held SQLite's only writer for most of a minute at 100,000 people
    (every card action waited), so: the round is claimed as forming (`_claim`); the earlier pairings are
    closed a slice at a time; the new pairings are stored a slice at a time, each slice with its proposals
    (a proposal is never queued without its pairing, nor a pairing stored without its proposal); then the
    unmatched notices and enrollment flags; last, the round is open. Whatever changed while the matcher ran
    is honoured: whoever left, paused, withdrew consent or joined a running pairing meanwhile is not proposed
    (their partners are told they were not matched this time).

    If the process stops between slices, the round stays forming with the slices stored so far: those
    proposals are out; the others were simply not matched this round, and the next round matches them.
    """
    org = cmd.organization_id
    clock = bus.clock
    round_ = await _claim(cmd, loaded, bus)
    program = loaded.program
    proposed = await _pairings(loaded, round_.id, list(result.matches))
    running = await _close_previous_in_slices(loaded, bus)
    busy, _ = _busy(program, running)
    async with bus.reading() as uow:
        enrollments = {
            e.person_id: e
            for e in await uow.enrollments.for_program(org, program.id)
            if e.is_available_on(loaded.now.date())
            and e.has_current_consent(program)
            and e.person_id not in busy
        }
    created = [p for p in proposed if all(m in enrollments for m in p.member_ids())]
    unmatched = [(u.participant_id, u.text) for u in result.unmatched if u.participant_id in enrollments]
    if len(created) < len(proposed):
        kept = {p.id for p in created}
        unmatched += [
            (m, PARTNER_LEFT)
            for p in proposed
            if p.id not in kept
            for m in p.member_ids()
            if m in enrollments
        ]
    tell = program.scope_kind is ScopeKind.TEAMS_TEAM  # course groups are drafts until published

    async def store(some: Sequence[Pairing]) -> None:
        async with bus.unit() as work:
            uow = work.uow
            await uow.pairings.add_new(some)
            if tell:
                await notify_all(
                    uow, clock, org, [(p.member_ids(), Intent.PAIRING_PROPOSED, p.id, None) for p in some]
                )

    await _in_slices(created, store)
    left_out = {person for person, _ in unmatched}
    changed: list[Enrollment] = []
    for person in (p.id for p in loaded.participants):
        e = enrollments.get(person)
        if e is None:
            continue
        resumed = e.status is EnrollmentStatus.PAUSED  # the pause has run out: taking part again
        if resumed or e.unmatched_last_round != (person in left_out):
            changed.append(e)

    async def flag(some: Sequence[Enrollment]) -> None:
        async with bus.unit() as work:
            uow = work.uow
            for e in some:
                fresh = await uow.enrollments.get(org, e.program_id, e.person_id)
                if fresh is None:
                    continue
                if fresh.status is EnrollmentStatus.PAUSED and fresh.is_available_on(loaded.now.date()):
                    fresh.resume()
                fresh.unmatched_last_round = e.person_id in left_out
                await uow.enrollments.save(fresh)

    await _in_slices(changed, flag)

    async def tell_unmatched(some: Sequence[tuple[str, str]]) -> None:
        async with bus.unit() as work:
            uow = work.uow
            await notify_all(
                uow,
                clock,
                org,
                [([person], Intent.UNMATCHED, round_.id, {"reason": why}) for person, why in some],
            )

    if tell:
        await _in_slices(unmatched, tell_unmatched)
    opened = replace(round_, status=RoundStatus.OPEN)

    async def open_round(some: Sequence[Round]) -> None:
        async with bus.unit() as work:
            uow = work.uow
            for r in some:
                await uow.rounds.save(r)

    await _in_slices([opened], open_round)  # retried like a slice when a writer held the database
    return RoundOutcome(opened, created, unmatched)


async def run_round(cmd: commands.RunRound, bus: MessageBus, matcher: Matcher | None = None) -> RoundOutcome:
    """Open the program's next round in three steps, none of which holds a transaction while matching:
    read the input (`_load`), match with `matcher` (a worker process when the app runs), store the result
    (one transaction, only if no round was opened meanwhile: else `RoundJustRun`).

    Each step is a unit of work of `bus` (the round is a job of several short ones, see `_write`).
    """
    loaded = await _load(cmd, bus)
    seed = cmd.seed or _seed(loaded.program, loaded.index)
    result = await (matcher or InProcessMatcher()).match(
        loaded.participants, settings_for(loaded.program), loaded.history, seed
    )
    return await _write(cmd, loaded, result, bus)


class LocalRounds:
    """Runs rounds in this process (matching with `matcher`, in-process by default): for tests and scripts.
    The app runs them in its worker processes (`peerlearn.matching_pool.PoolRounds`)."""

    def __init__(self, bus: MessageBus, matcher: Matcher | None = None) -> None:
        self.bus, self.matcher = bus, matcher

    async def run(self, command: commands.RunRound) -> RoundSummary:
        return (await run_round(command, self.bus, self.matcher)).summary()
