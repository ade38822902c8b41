"""Reading what Microsoft Graph says about calendars: a mailbox's time zone and working hours
(`GET /users/{id}/mailboxSettings`) and people's free/busy (`POST /users/{id}/calendar/getSchedule`).

Graph writes times as `{"dateTime": "2026-12-07T09:00:00.0000000", "timeZone": "UTC"}` (seven decimals, the zone
apart, a Windows name or a zone's own); anything it sends that cannot be read is left out, never guessed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.windows_zones import zone_of_windows_name
from core.ports.teams import MailboxSettings
from core.services.availability import HOURS_PER_DAY

DAY_NAMES = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
BLOCKING = frozenset({"busy", "tentative", "oof"})  # "free" and "workingElsewhere" leave the time open
_TIME = re.compile(r"^(\d{1,2}):(\d{2})")
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def graph_time(instant: datetime) -> str:
    """An aware instant as Graph's `dateTime` in UTC."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _instant(value: object) -> datetime | None:
    """Graph's `{"dateTime", "timeZone"}` as an aware instant."""
    if not isinstance(value, dict):
        return None
    text, zone_name = value.get("dateTime"), value.get("timeZone") or "UTC"
    zone = zone_of_windows_name(str(zone_name))
    if not isinstance(text, str) or zone is None:
        return None
    try:
        local = datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip().removesuffix("Z")))
    except ValueError:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)) if local.tzinfo is None else local


def _hour(value: object, *, up: bool) -> int | None:
    """ "08:30:00.0000000" as a whole hour: rounded up for a start, down for an end (inside working hours)."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return min(hour + (1 if up and minute else 0), HOURS_PER_DAY)


def mailbox_from(data: dict[str, Any]) -> MailboxSettings:
    """The mailbox's zone, and its working hours when they are set in that same zone."""
    zone = zone_of_windows_name(str(data.get("timeZone") or ""))
    working = data.get("workingHours")
    if zone is None or not isinstance(working, dict):
        return MailboxSettings(zone)
    their_zone = working.get("timeZone")
    named = their_zone.get("name") if isinstance(their_zone, dict) else None
    if named and zone_of_windows_name(str(named)) != zone:
        return MailboxSettings(zone)  # hours on another clock than the one the profile will keep
    start, end = _hour(working.get("startTime"), up=True), _hour(working.get("endTime"), up=False)
    days = [DAY_NAMES.get(str(d).lower()) for d in working.get("daysOfWeek") or []]
    if start is None or end is None or end <= start or any(d is None for d in days):
        return MailboxSettings(zone)
    hours = frozenset(d * HOURS_PER_DAY + h for d in days if d is not None for h in range(start, end))
    return MailboxSettings(zone, hours)


def busy_from(data: dict[str, Any]) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each readable schedule's blocking items, by its email in lower case."""
    found: dict[str, list[tuple[datetime, datetime]]] = {}
    for schedule in data.get("value") or []:
        if not isinstance(schedule, dict) or schedule.get("error") or not schedule.get("scheduleId"):
            continue  # Graph could not read this mailbox: nothing is known about it
        items = []
        for item in schedule.get("scheduleItems") or []:
            if not isinstance(item, dict) or str(item.get("status", "")).lower() not in BLOCKING:
                continue
            start, end = _instant(item.get("start")), _instant(item.get("end"))
            if start is not None and end is not None and end > start:
                items.append((start.astimezone(UTC), end.astimezone(UTC)))
        found[str(schedule["scheduleId"]).lower()] = sorted(items)
    return found
