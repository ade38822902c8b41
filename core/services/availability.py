"""Weekly availability as people say it ("Mon–Fri, 09:00–17:00", in their own time zone) and as the profile
keeps it (`Profile.weekly_availability`: hours of the week, 0 = Monday 00:00 … 167)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Weekly:
    """The same hours on some days: `start` to `end` (whole hours, end exclusive, 24 = midnight)."""

    days: tuple[int, ...]
    start: int
    end: int

    def hours(self) -> frozenset[int]:
        return frozenset(d * HOURS_PER_DAY + h for d in self.days for h in range(self.start, self.end))


def as_weekly(hours: Iterable[int]) -> Weekly | None:
    """The hours as days with one shared time range, or None when they are empty or not that simple (a
    course questionnaire's grid may be)."""
    hours = frozenset(hours)
    if not hours:
        return None
    days = tuple(sorted({h // HOURS_PER_DAY for h in hours}))
    of_day = [h % HOURS_PER_DAY for h in hours]
    weekly = Weekly(days, min(of_day), max(of_day) + 1)
    return weekly if weekly.hours() == hours else None


def _days(days: tuple[int, ...]) -> str:
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)


def _ranges(hours: list[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for hour in sorted(hours):
        if found and found[-1][1] == hour:
            found[-1] = (found[-1][0], hour + 1)
        else:
            found.append((hour, hour + 1))
    return found


def describe(hours: Iterable[int]) -> str:
    """ "Mon–Fri 09:00–17:00", or day by day when the days differ; "not given" when empty."""
    hours = frozenset(hours)
    if not hours:
        return "not given"
    weekly = as_weekly(hours)
    if weekly is not None:
        return f"{_days(weekly.days)} {weekly.start:02d}:00–{weekly.end:02d}:00"
    parts = []
    for day in range(7):
        ranges = _ranges([h % HOURS_PER_DAY for h in hours if h // HOURS_PER_DAY == day])
        if ranges:
            spans = ", ".join(f"{a:02d}:00–{b:02d}:00" for a, b in ranges)
            parts.append(f"{DAY_NAMES[day]} {spans}")
    return "; ".join(parts)
