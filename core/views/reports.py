"""The facilitator's view of a program's health: aggregates only, never anyone's private answers.

Concerns are the one exception, by design: they are written for the facilitator, so only a facilitator
can produce this report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.errors import PermissionDenied
from core.model import (
    ConcernStatus,
    EnrollmentStatus,
    PairingStatus,
    Program,
    Response,
    Round,
)
from core.model.figures import RoundTally, SkillTally
from core.ports import Clock, UnitOfWork
from core.services import _lookups, schedule
from core.views import aggregates

ANSWERED = frozenset({PairingStatus.ACCEPTED, PairingStatus.ACTIVE, PairingStatus.COMPLETED})
SAID_NO = frozenset({Response.DECLINED, Response.ASKED_FOR_SOMEONE_ELSE})
CHART_ROUNDS = 8  # the latest rounds a report charts
CHART_SKILLS = 8


@dataclass(frozen=True)
class RoundFigures:
    """One round. Counts of people are shown as they are; what people answered is None under `min_group`
    distinct people in *this* round."""

    index: int
    opened_at: datetime
    opted_in: int  # people who had joined by the time the round opened (and have not been erased)
    matched: int  # people in the round's proposals
    accepted: int | None  # people who said yes
    declined: int | None  # people who said no, or asked for someone else
    meetings_held: int | None  # the round's pairings where someone said they met


@dataclass(frozen=True)
class SkillDemand:
    """How many people want to learn a skill and how many teach it; a count of fewer than `min_group`
    people is None, except 0 (that nobody teaches a skill is what a facilitator acts on)."""

    label: str
    wanted: int | None
    taught: int | None


@dataclass(frozen=True)
class OpenConcern:
    id: str
    text: str
    reporter_name: str
    created_at: datetime


@dataclass(frozen=True)
class FacilitatorReport:
    """Counts of people and proposals are shown as they are; every figure made of people's answers is None
    when fewer than `min_group` distinct people gave them (see `core.views.aggregates`)."""

    program: Program
    opted_in: int
    paused: int
    left: int
    proposals: int
    accepted: int | None
    declined: int | None
    meetings_held: int | None
    check_ins: int | None
    average_usefulness: float | None
    open_concerns: list[OpenConcern]
    skills_wanted_untaught: list[tuple[str, int | None]]
    min_group: int = aggregates.DEFAULT_MIN_GROUP
    rounds: list[RoundFigures] = field(default_factory=list)  # oldest first, the latest `CHART_ROUNDS`
    usefulness: dict[int, int] | None = None  # how many check-ins rated 1…5; None under `min_group` raters
    skills: list[SkillDemand] = field(default_factory=list)  # most wanted first
    waiting: int = 0  # people who have not answered an open proposal yet
    anyone_wants_to_learn: bool = False  # a profile names a skill to learn (for the empty state)
    # A scheduled round that fell due and was not opened because fewer than two people could be matched:
    # when it fell due, and how many people were ready then (it opens once two are).
    round_skipped: datetime | None = None
    ready: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        if self.accepted is None or self.declined is None:
            return None
        decided = self.accepted + self.declined
        return None if decided == 0 else self.accepted / decided


@dataclass(frozen=True)
class Readiness:
    """Whether a round could match anyone now: people opted in, and those of them a round would consider
    (not paused, the current code of conduct accepted)."""

    opted_in: int
    available: int

    @property
    def enough(self) -> bool:
        return self.available >= 2


async def readiness(organization_id: str, program_id: str, uow: UnitOfWork, clock: Clock) -> Readiness:
    program = await _lookups.program(uow, organization_id, program_id)
    # Counted by the database: a facilitator's "Match now" on a program of 100,000 spent 1.7 s of the
    # serving loop making their enrollments into objects, and every request waited meanwhile.
    opted_in, available = await uow.enrollments.readiness(
        organization_id, program_id, clock.now().date(), program.code_of_conduct_version
    )
    return Readiness(opted_in, available)


async def facilitator_report(
    organization_id: str,
    program_id: str,
    actor_id: str,
    uow: UnitOfWork,
    min_group: int | None = None,
    now: datetime | None = None,
) -> FacilitatorReport:
    """`now` given: a scheduled round that is due but cannot open for lack of people is reported."""
    program = await _lookups.program(uow, organization_id, program_id)
    if not program.is_facilitator(actor_id):
        raise PermissionDenied("Only this program's facilitators can see its report.")
    rounds = await uow.rounds.recent(organization_id, program_id, CHART_ROUNDS)
    # Counted by the database: at 100,000 people, loading the program's enrollments, pairings and profiles
    # as objects took 29 s of the serving loop, and every other request waited.
    tally = await uow.figures.tally(organization_id, program_id, [r.id for r in rounds])
    statuses = tally.statuses
    concerns = [
        c
        for c in await uow.concerns.for_program(organization_id, program_id)
        if c.status is ConcernStatus.OPEN
    ]
    reporters = {p.id: p for p in await uow.persons.many(organization_id, [c.reporter_id for c in concerns])}
    threshold = aggregates.min_group(min_group)
    ready = 0
    skipped = None
    if now is not None:
        _, ready = await uow.enrollments.readiness(
            organization_id, program_id, now.date(), program.code_of_conduct_version
        )
        if ready < 2:
            skipped = schedule.round_due(program, rounds[0].opened_at if rounds else None, now)
    ratings = tally.ratings
    rated = sum(ratings.values())
    return FacilitatorReport(
        program=program,
        opted_in=statuses.get(EnrollmentStatus.ACTIVE, 0) + statuses.get(EnrollmentStatus.PAUSED, 0),
        paused=statuses.get(EnrollmentStatus.PAUSED, 0),
        left=statuses.get(EnrollmentStatus.LEFT, 0),
        proposals=tally.proposals,
        # Each person's own answer counts, so one yes shows at once, not only when the last member answers.
        accepted=aggregates.shown(tally.accepted, threshold),
        declined=aggregates.shown(tally.declined, threshold),
        # A meeting held is a pairing where at least one member said they met.
        meetings_held=aggregates.shown(tally.meetings_held, threshold),
        check_ins=aggregates.shown(tally.check_ins, threshold),
        average_usefulness=aggregates.over_people(
            tally.raters,
            round(sum(n * k for n, k in ratings.items()) / rated, 2) if rated else None,
            threshold,
        ),
        open_concerns=[
            OpenConcern(
                c.id,
                c.text,
                reporters[c.reporter_id].display_name
                if c.reporter_id in reporters
                else "A former participant",
                c.created_at,
            )
            for c in sorted(concerns, key=lambda c: c.created_at)
        ],
        skills_wanted_untaught=sorted(
            ((s.label, s.wanted if s.wanted >= threshold else None) for s in tally.skills if not s.taught),
            key=lambda item: (-(item[1] or 0), item[0]),
        ),
        min_group=threshold,
        rounds=per_round(rounds, tally.rounds, threshold),
        usefulness=aggregates.over_people(
            tally.raters, {n: ratings.get(n, 0) for n in range(1, 6)}, threshold
        ),
        skills=skills_demanded(tally.skills, threshold),
        waiting=tally.waiting,
        anyone_wants_to_learn=bool(tally.skills),
        round_skipped=skipped,
        ready=ready,
    )


def per_round(rounds: Sequence[Round], tallies: Sequence[RoundTally], threshold: int) -> list[RoundFigures]:
    """The minimum-group rule applies per round: a round's answers are shown only if enough people gave them."""
    counted = {t.round_id: t for t in tallies}
    return [
        RoundFigures(
            index=round_.index,
            opened_at=round_.opened_at,
            opted_in=counted[round_.id].opted_in,
            matched=counted[round_.id].matched,
            accepted=aggregates.shown(counted[round_.id].accepted, threshold),
            declined=aggregates.shown(counted[round_.id].declined, threshold),
            meetings_held=aggregates.shown(counted[round_.id].meetings_held, threshold),
        )
        for round_ in sorted(rounds, key=lambda r: r.index)
    ]


def skills_demanded(skills: Sequence[SkillTally], threshold: int) -> list[SkillDemand]:
    """Skills people want, most wanted first, against how many teach them."""

    def shown(n: int) -> int | None:
        return n if n == 0 or n >= threshold else None

    ranked = sorted(skills, key=lambda s: (-s.wanted, s.label.casefold()))
    return [SkillDemand(s.label, shown(s.wanted), shown(s.taught)) for s in ranked]
