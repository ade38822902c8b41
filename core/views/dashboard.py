"""The facilitator dashboard's read model: a program's health over its rounds, in figures only.

Everything here is read inside a unit of work the caller has already opened (`bus.unit()` or `bus.read`);
nothing opens, nests or commits one. Only the program's facilitators may read it (`PermissionDenied`
otherwise, which the tab turns into a page saying why).

The minimum-group rule (`core.views.aggregates`) holds for every figure made of people's answers: an
acceptance, a meeting held or a usefulness rating over fewer than `min_group` distinct people is None, which
the page shows as "fewer than N". Counts of people (opted in, matched, unreachable) are shown as they are, as
on the report card. A person who deleted their data is in no figure: their profile, enrollment and check-ins
are gone already, and their place in old pairings (which stays, anonymized) is left out here too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import NotFound, PermissionDenied
from core.model import (
    EnrollmentStatus,
    Program,
    ProgramOptions,
    Round,
    RoundStatus,
    ScopeKind,
)
from core.model.figures import RoundTally
from core.model.programs import ORGANIZATION_SCOPE
from core.ports import UnitOfWork
from core.ports.delivery import DeliveryRecords
from core.views import aggregates
from core.views.reports import SkillDemand, skills_demanded

DASHBOARD_ROUNDS = 12  # the latest rounds the dashboard charts
# People are read a thousand at a time: one query's parameters stay far below PostgreSQL's 32,767 at
# 100,000 participants.
SLICE = 1000
NOT_FACILITATOR = "Only this program's facilitators can see its dashboard."


@dataclass(frozen=True)
class RoundHealth:
    """One round. `accepted`, `declined`, `meetings_held` and `average_usefulness` are None when fewer than
    `min_group` distinct people of this round gave the answers they are made of."""

    index: int
    opened_at: datetime
    opted_in: int  # people who had joined by the time the round opened (and are still here)
    matched: int  # people in the round's proposals
    proposals: int  # the round's pairings and groups
    accepted: int | None  # people who said yes
    declined: int | None  # people who said no, or asked for someone else
    meetings_held: int | None  # the round's pairings where someone said they met
    average_usefulness: float | None  # over the round's check-ins of people who met

    @property
    def acceptance_rate(self) -> float | None:
        if self.accepted is None or self.declined is None or self.accepted + self.declined == 0:
            return None
        return self.accepted / (self.accepted + self.declined)


@dataclass(frozen=True)
class Reach:
    """Whether the program's messages got through: counts of messages, and the people whose latest message
    failed (so a facilitator can follow up in person), by name. Names only, never why."""

    delivered: int
    skipped: int
    failed: int
    unreachable: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProgramHealth:
    program: Program
    min_group: int
    opted_in: int  # active and paused
    paused: int
    left: int
    rounds: list[RoundHealth]  # oldest first, the latest `DASHBOARD_ROUNDS`
    usefulness: dict[int, int] | None  # how many check-ins rated 1…5; None under `min_group` raters
    average_usefulness: float | None
    skills: list[SkillDemand]  # wanted against taught, most wanted first
    reach: Reach | None  # None: not read (the messages' outcomes are `uow.deliveries`)

    @property
    def settings(self) -> ProgramOptions:
        return self.program.settings


async def programs_to_pick(
    uow: UnitOfWork, organization_id: str, person_id: str, team_id: str | None
) -> list[Program]:
    """The programs a person may put on a dashboard tab here: in a team, the team's program if they facilitate
    it; elsewhere (a group chat), every program they facilitate, the organization's own first."""
    if team_id is not None:
        found = await uow.programs.by_scope(organization_id, ScopeKind.TEAMS_TEAM, team_id)
        return [found] if found is not None and found.is_facilitator(person_id) else []
    mine = [p for p in await uow.programs.for_organization(organization_id) if p.is_facilitator(person_id)]
    return sorted(mine, key=lambda p: (p.scope_id != ORGANIZATION_SCOPE, p.name.casefold(), p.id))


async def facilitated_program(
    uow: UnitOfWork, organization_id: str, program_id: str, person_id: str
) -> Program:
    """The program, if `person_id` facilitates it; NotFound for an id unknown in this organization (another
    tenant's ids are simply not found), PermissionDenied for anyone else."""
    program = await uow.programs.get(organization_id, program_id)
    if program is None:
        raise NotFound("That program does not exist here (it may belong to another organization).")
    if not program.is_facilitator(person_id):
        raise PermissionDenied(NOT_FACILITATOR)
    return program


async def program_health(
    uow: UnitOfWork,
    organization_id: str,
    program_id: str,
    actor_id: str,
    *,
    min_group: int | None = None,
    records: DeliveryRecords | None = None,
) -> ProgramHealth:
    """The dashboard of one program for one of its facilitators. `records`: delivery outcomes (by default
    what `uow.deliveries` holds)."""
    program = await facilitated_program(uow, organization_id, program_id, actor_id)
    rounds = await uow.rounds.recent(organization_id, program_id, DASHBOARD_ROUNDS + 1)
    shown = [r for r in rounds if r.status is not RoundStatus.FORMING][:DASHBOARD_ROUNDS]
    # Counted by the database (`uow.figures`), as the report is: people who deleted their data count nowhere.
    tally = await uow.figures.tally(organization_id, program_id, [r.id for r in shown])
    reach = await _reach(uow, organization_id, program_id, records or uow.deliveries)
    threshold = aggregates.min_group(min_group)
    statuses = tally.statuses
    ratings = tally.ratings
    count = sum(ratings.values())
    return ProgramHealth(
        program=program,
        min_group=threshold,
        opted_in=statuses.get(EnrollmentStatus.ACTIVE, 0) + statuses.get(EnrollmentStatus.PAUSED, 0),
        paused=statuses.get(EnrollmentStatus.PAUSED, 0),
        left=statuses.get(EnrollmentStatus.LEFT, 0),
        rounds=rounds_health(shown, tally.rounds, threshold),
        usefulness=aggregates.over_people(
            tally.raters, {n: ratings.get(n, 0) for n in range(1, 6)}, threshold
        ),
        average_usefulness=aggregates.over_people(
            tally.raters, _mean(sum(n * k for n, k in ratings.items()), count), threshold
        ),
        skills=skills_demanded(tally.skills, threshold),
        reach=reach,
    )


def rounds_health(
    rounds: Sequence[Round], tallies: Sequence[RoundTally], threshold: int
) -> list[RoundHealth]:
    """Per round, oldest first; the minimum-group rule holds per round."""
    counted = {t.round_id: t for t in tallies}
    figures = []
    for round_ in sorted(rounds, key=lambda r: r.index):
        tally = counted[round_.id]
        figures.append(
            RoundHealth(
                index=round_.index,
                opened_at=round_.opened_at,
                opted_in=tally.opted_in,
                matched=tally.matched,
                proposals=tally.proposals,
                accepted=aggregates.shown(tally.accepted, threshold),
                declined=aggregates.shown(tally.declined, threshold),
                meetings_held=aggregates.shown(tally.meetings_held, threshold),
                average_usefulness=aggregates.over_people(
                    tally.rated.people, _mean(tally.rated.total, tally.rated.count), threshold
                ),
            )
        )
    return figures


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


async def _reach(uow: UnitOfWork, organization_id: str, program_id: str, records: DeliveryRecords) -> Reach:
    counts = await records.counts_for_program(organization_id, program_id)
    ids = await records.unreachable(organization_id, program_id)
    people = [
        person
        for start in range(0, len(ids), SLICE)
        for person in await uow.persons.many(organization_id, ids[start : start + SLICE])
    ]
    return Reach(
        delivered=counts.get("delivered", 0),
        skipped=counts.get("skipped", 0),
        failed=counts.get("failed", 0),
        unreachable=sorted((p.display_name for p in people if not p.erased), key=str.casefold),
    )


def program_settings(program: Program) -> list[tuple[str, str]]:
    """The program's settings as a facilitator reads them (never a member's own attributes)."""
    options = program.settings
    rows = [
        ("Kind", program.kind.value.replace("_", " ")),
        ("Status", "running" if program.active else "stopped"),
        (
            "Rounds",
            program.cadence.value + (f", from {_day(program.starts_on)}" if program.starts_on else ""),
        ),
        ("Group size", str(program.group_size)),
        ("Largest level gap", str(program.max_level_gap)),
        ("Rounds before the same people meet again", str(program.cooldown_rounds)),
        ("Prefer other departments", _yes(program.prefer_cross_department)),
        ("Time zone", program.timezone),
        ("Facilitators", str(len(program.facilitator_ids))),
        ("Code of conduct", f"version {program.code_of_conduct_version}"),
        ("Group chat for each pairing", _yes(options.group_chats)),
        ("Hours a week members share, at least", str(options.min_shared_hours)),
        ("Avoid previous groupmates", _yes(options.avoid_previous_groupmates)),
    ]
    if program.scope_kind is ScopeKind.LMS_COURSE:
        chosen = [name.replace("_", " ") for name, on in options.criteria.items() if on]
        rows.append(("Grouping criteria", ", ".join(chosen) or "none"))
        if options.questionnaire_deadline is not None:
            rows.append(("Questionnaire closes", _day(options.questionnaire_deadline)))
    return rows


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"
