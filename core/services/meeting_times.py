"""A first meeting at a real time: the next slot every member of a pairing is free, from their weekly hours.

Weekly availability is hours of the week on each person's own wall clock (0 = Monday 00:00–01:00, … 167).
The search walks real instants (aware UTC datetimes) and reads each one on every member's clock through
`zoneinfo`, so it stays right across daylight-saving changes, which fall on different dates in different
zones (Europe and North America are a few weeks apart each spring and autumn), and for zones whose offset
is not a whole hour (India, Nepal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LENGTH = timedelta(minutes=30)  # a first meeting: get to know each other and pick a real task
NOTICE = timedelta(hours=4)  # never propose a time people cannot read about in time
HORIZON = timedelta(days=14)  # two weeks covers every weekly hour, whatever a clock change does meanwhile
STEP = timedelta(minutes=15)  # every UTC offset in use is a multiple of 15 minutes


@dataclass(frozen=True)
class Availability:
    """When one member can meet: hours of the week in their own time zone (empty = they have not said), less
    what their calendar has booked (`busy`: aware instants, start inclusive, end exclusive), when it is known."""

    timezone: str
    hours: frozenset[int]
    busy: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime

    def local(self, timezone: str) -> tuple[datetime, datetime]:
        """The slot on the clock of someone in `timezone`."""
        zone = _zone(timezone)
        return self.start.astimezone(zone), self.end.astimezone(zone)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # Profiles are validated when saved; a zone dropped from the system's database reads as UTC.
        return ZoneInfo("UTC")


def hour_of_week(instant: datetime, timezone: str) -> int:
    """The hour of the week `instant` falls in on the wall clock of `timezone` (0 = Monday 00:00–01:00)."""
    local = instant.astimezone(_zone(timezone))
    return local.weekday() * 24 + local.hour


def _free(member: Availability, start: datetime, length: timedelta) -> bool:
    # A 15-minute grid lands on every local hour boundary, so checking each quarter checks each hour touched.
    quarters = int(length / STEP)
    if not all(
        hour_of_week(start + i * STEP, member.timezone) in member.hours for i in range(max(quarters, 1))
    ):
        return False
    return not any(b_start < start + length and start < b_end for b_start, b_end in member.busy)


def _without_their_own_meeting(members: Sequence[Availability], length: timedelta) -> list[Availability]:
    """The members' busy times, less a meeting of the first meeting's length that every one of them has at
    the same time: the one they booked from the card, which must not push the proposal elsewhere."""
    if len(members) < 2 or not all(m.busy for m in members):
        return list(members)
    shared = set.intersection(*({b for b in m.busy if b[1] - b[0] == length} for m in members))
    return [replace(m, busy=tuple(b for b in m.busy if b not in shared)) for m in members]


def _on_the_hour(instant: datetime, members: Sequence[Availability]) -> bool:
    """Start on a full hour of someone's clock: 10:00 in Berlin is 14:30 in Kolkata, never 10:15 for all."""
    return any(instant.astimezone(_zone(m.timezone)).minute == 0 for m in members)


def next_shared_slot(
    members: Sequence[Availability],
    after: datetime,
    *,
    notice: timedelta = NOTICE,
    horizon: timedelta = HORIZON,
    length: timedelta = LENGTH,
) -> Slot | None:
    """The earliest slot of `length` starting at least `notice` after `after` in which every member is free
    (their hours, less what their calendars have booked), within `horizon`; None when someone has not said
    when they are free or the hours never meet.

    With calendars, a meeting every member has at the same time, of the first meeting's length, is taken as
    the one they booked from the card and does not count as busy: proposing another time once they booked
    it would undo the card's own advice."""
    if after.tzinfo is None:
        raise ValueError(f"'after' must be an aware datetime, got the naive '{after.isoformat()}'")
    if not members or any(not m.hours for m in members):
        return None
    earliest = (after + notice).astimezone(UTC)
    # Round up to the 15-minute grid.
    excess = timedelta(
        minutes=earliest.minute % 15, seconds=earliest.second, microseconds=earliest.microsecond
    )
    candidate = earliest if not excess else earliest - excess + STEP
    last = earliest + horizon
    members = _without_their_own_meeting(members, length)
    while candidate <= last:
        if _on_the_hour(candidate, members) and all(_free(m, candidate, length) for m in members):
            return Slot(candidate, candidate + length)
        candidate += STEP
    return None
