"""The calendar of a program: when its next round is due, when check-ins go out, when to remind.

Dates are counted in the program's time zone: a round or a check-in is due at `SEND_AT` local time on its
day, so a team in Tokyo and one in Berlin each hear from peerlearn in their own morning, across DST changes.

- Rounds are due every `cadence.days` from `starts_on`. A round opened by hand within half a cadence before
  a due date counts for it (no second round two days after a facilitator's "match now"). After an outage,
  one round opens, never a burst of missed ones.
- Check-ins for an active pairing are due half a cadence after it started, then every cadence.
- A member who has not checked in `REMINDER_AFTER` after a check-in was due is reminded once.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from core import commands
from core.bus import MessageBus
from core.errors import DomainError
from core.model import EnrollmentStatus, Intent, Pairing, PairingStatus, Program, ScopeKind
from core.ports import Clock, RoundRunner, UnitOfWork
from core.ports.delivery import ProgramDirectory
from core.services.notify import notify
from core.services.rounds import LocalRounds, RoundJustRun, TooFewToMatch

SEND_AT = time(9, 0)
REMINDER_AFTER = timedelta(days=2)

log = logging.getLogger("peerlearn.schedule")


def local_instant(day: date, timezone: str, at: time = SEND_AT) -> datetime:
    """`at` on `day` in `timezone`, as a UTC instant (a time skipped by a DST change moves forward)."""
    zone = zoneinfo.ZoneInfo(timezone)
    local = datetime.combine(day, at, tzinfo=zone)
    # Round-trip through UTC to normalize a non-existent local time (spring forward) to a real instant.
    return local.astimezone(UTC).astimezone(zone).astimezone(UTC)


def _latest_anchor(first: date, every_days: int, timezone: str, now: datetime) -> date | None:
    """The latest day `first + k * every_days` (k >= 0) whose `SEND_AT` instant is not after `now`."""
    today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    if today < first:
        return None
    day = first + timedelta(days=(today - first).days // every_days * every_days)
    if local_instant(day, timezone) > now:
        day -= timedelta(days=every_days)
    return day if day >= first else None


def round_due(program: Program, last_opened_at: datetime | None, now: datetime) -> datetime | None:
    """The instant the current period's round fell due, when it has not been opened yet; else None."""
    if not program.active or program.starts_on is None or program.scope_kind is not ScopeKind.TEAMS_TEAM:
        return None
    if program.needs_facilitator:  # paused until someone takes it over: never run unattended
        return None
    anchor = _latest_anchor(program.starts_on, program.cadence.days, program.timezone, now)
    if anchor is None:
        return None
    due = local_instant(anchor, program.timezone)
    if last_opened_at is not None and last_opened_at >= due - timedelta(days=program.cadence.days / 2):
        return None
    return due


def started_at(pairing: Pairing) -> datetime:
    return max(
        (c.at for c in pairing.history if c.status is PairingStatus.ACTIVE), default=pairing.created_at
    )


def check_in_due(program: Program, pairing: Pairing, now: datetime) -> date | None:
    """The day of the latest check-in due for an active pairing (None before the first one)."""
    if pairing.status is not PairingStatus.ACTIVE:
        return None
    zone = zoneinfo.ZoneInfo(program.timezone)
    first = started_at(pairing).astimezone(zone).date() + timedelta(days=max(program.cadence.days // 2, 1))
    return _latest_anchor(first, program.cadence.days, program.timezone, now)


def check_in_subject(pairing_id: str, due: date) -> str:
    return f"{pairing_id}:{due.isoformat()}"


@dataclass(frozen=True)
class ScheduleRun:
    rounds_opened: list[tuple[str, str]]  # (program id, round id)
    errors: list[tuple[str, str]]  # (program id, what went wrong)
    check_ins_queued: int = 0
    reminders_queued: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (program id, why no round was opened)


async def open_due_rounds(
    directory: ProgramDirectory, bus: MessageBus, runner: RoundRunner | None = None
) -> ScheduleRun:
    """Open every round that is due, each with `runner` (the app's worker processes; None: here).

    A due round with fewer than two people to match is skipped, not opened empty: it is logged, the
    facilitator's report says so, and it opens at the next run once two people can be matched."""
    opened: list[tuple[str, str]] = []
    errors: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for organization_id, program_id in await directory.running_programs():
        due = await bus.read(partial(_round_due, organization_id, program_id, bus.clock.now()))
        if due is None:
            continue
        try:
            outcome = await (runner or LocalRounds(bus)).run(
                commands.RunRound(organization_id, program_id, None)
            )
        except RoundJustRun:  # a facilitator's "match now" stored this period's round while this one matched
            continue
        except TooFewToMatch as exc:
            log.info(
                "scheduled round skipped",
                extra={"program_id": program_id, "ready": exc.ready, "reason": exc.message},
            )
            skipped.append((program_id, exc.message))
            continue
        except DomainError as exc:
            errors.append((program_id, exc.message))
            continue
        opened.append((program_id, outcome.round.id))
    return ScheduleRun(opened, errors, skipped=skipped)


async def _round_due(
    organization_id: str, program_id: str, now: datetime, uow: UnitOfWork
) -> datetime | None:
    program = await uow.programs.get(organization_id, program_id)
    if program is None:
        return None
    recent = await uow.rounds.recent(organization_id, program_id, 1)
    return round_due(program, recent[0].opened_at if recent else None, now)


async def queue_check_ins(directory: ProgramDirectory, bus: MessageBus) -> ScheduleRun:
    """Queue the check-ins that are due and the reminders for them, a program per unit of work; the outbox
    keys make this repeatable."""
    check_ins = reminders = 0
    for organization_id, program_id in await directory.running_programs():
        queued = await bus.handle(commands.QueueCheckIns(organization_id, program_id))
        check_ins += queued.check_ins_queued
        reminders += queued.reminders_queued
    return ScheduleRun([], [], check_ins, reminders)


async def queue_program_check_ins(cmd: commands.QueueCheckIns, uow: UnitOfWork, clock: Clock) -> ScheduleRun:
    """One program's due check-ins and reminders (`queue_check_ins`)."""
    organization_id, program_id = cmd.organization_id, cmd.program_id
    check_ins = reminders = 0
    program = await uow.programs.get(organization_id, program_id)
    if program is None or program.scope_kind is not ScopeKind.TEAMS_TEAM:
        return ScheduleRun([], [], 0, 0)
    now = clock.now()
    taking_part = {
        e.person_id
        for e in await uow.enrollments.for_program(organization_id, program_id)
        if e.status is EnrollmentStatus.ACTIVE
    }
    for pairing in await uow.pairings.for_program(organization_id, program_id):
        due = check_in_due(program, pairing, now)
        if due is None:
            continue
        members = [m for m in pairing.member_ids() if m in taking_part]
        subject = check_in_subject(pairing.id, due)
        payload: dict[str, object] = {"pairing_id": pairing.id, "due": due.isoformat()}
        check_ins += await notify(uow, clock, organization_id, members, Intent.CHECK_IN, subject, payload)
        due_at = local_instant(due, program.timezone)
        if now < due_at + REMINDER_AFTER:
            continue
        answered = {
            c.person_id
            for c in await uow.check_ins.for_pairing(organization_id, pairing.id)
            if c.submitted_at >= due_at
        }
        silent = [m for m in members if m not in answered]
        reminders += await notify(
            uow, clock, organization_id, silent, Intent.CHECK_IN_REMINDER, subject, payload
        )
    return ScheduleRun([], [], check_ins, reminders)
