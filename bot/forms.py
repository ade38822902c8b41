"""Card submissions checked before anything else runs: types, lengths, allowed values.

A parser returns either a command or the field errors to show on the same card, together with the
values as typed (so nothing the person wrote is lost)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from adaptive_cards.profile import zone_of
from core import commands
from core.errors import DomainError, InvalidInput
from core.model.people import MAX_DEPARTMENT_LENGTH, MAX_GOALS_LENGTH
from core.model.skills import MAX_LEVEL, MIN_LEVEL, SkillLevel
from core.model.text import clean
from core.services import availability

MAX_FIELDS = 100  # a full profile card: 20 skill rows each way with levels, and its other fields
MAX_VALUE = 2000
ID = re.compile(r"^[0-9a-f]{32}$")
SKILL_ROWS = 20
T = TypeVar("T")

PROFILE_LIMITS = {
    "department": 80,
    "timezone": 64,
    "hours_per_month": 4,
    "goals": 500,
    "discoverable": 5,
    "available_days": 40,
    "available_from": 8,
    "available_to": 8,
}
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")
SETUP_LIMITS = {
    "kind": 20,
    "cadence": 10,
    "group_size": 2,
    "cross_department": 5,
    "starts_on": 10,
    "max_level_gap": 2,
}
DEFAULT_LEVEL_GAP = 3
CHECK_IN_LIMITS = {"met": 3, "usefulness": 1, "learned": 2000, "blockers": 2000, "confidential_note": 2000}


@dataclass(frozen=True)
class Form(Generic[T]):
    values: dict[str, str]
    errors: dict[str, str]
    command: T | None


class StaleCard(Exception):
    """The card's data is not something this bot produced: forged, from another tenant, or garbled."""


def plain(value: object) -> str | None:
    """A submitted value as text; Teams sends strings, but a forged body may send anything."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def card_id(data: Mapping[str, object], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not ID.match(value):
        raise StaleCard(f"This card has no valid '{name}'; it may be out of date. Nothing was changed.")
    return value


def _collect(data: Mapping[str, object], limits: Mapping[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    if len(data) > MAX_FIELDS:
        raise StaleCard("This card sent more fields than any of our cards has. Nothing was changed.")
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, limit in limits.items():
        if name not in data:
            continue
        text = plain(data[name])
        if text is None:
            errors[name] = f"'{name}' must be text."
            continue
        text = text.strip()
        if len(text) > limit:
            errors[name] = f"This is {len(text)} characters long; use at most {limit}."
            text = text[:MAX_VALUE]
        values[name] = text
    return values, errors


def _whole(values: dict[str, str], errors: dict[str, str], name: str, low: int, high: int) -> int | None:
    raw = values.get(name, "")
    if not raw:
        return None
    if not re.fullmatch(r"-?\d+", raw) or not low <= int(raw) <= high:
        errors.setdefault(name, f"'{raw}' is not a whole number from {low} to {high}.")
        return None
    return int(raw)


def _flag(values: Mapping[str, str], name: str) -> bool:
    return values.get(name, "false").casefold() == "true"


def parse_profile(
    data: Mapping[str, object], organization_id: str, person_id: str
) -> Form[commands.UpdateProfile]:
    """Every mistake of the submit at once, each next to its field: skills (folded onto the vocabulary, so
    "JS" and "JavaScript" in one list are the same skill twice), levels, department, time zone, hours,
    availability and goals are all checked before the form is refused."""
    limits = dict(PROFILE_LIMITS)
    for direction in ("teach", "learn"):
        for i in range(SKILL_ROWS):
            limits[f"{direction}_skill_{i}"], limits[f"{direction}_level_{i}"] = 60, 1
    values, errors = _collect(data, limits)
    skills: dict[str, list[commands.SkillInput]] = {"teach": [], "learn": []}
    for direction, found in skills.items():
        seen: dict[str, str] = {}
        for i in range(SKILL_ROWS):
            name = values.get(f"{direction}_skill_{i}", "")
            skill_id, level_id = f"{direction}_skill_{i}", f"{direction}_level_{i}"
            if not name or skill_id in errors:
                continue
            level = _whole(values, errors, level_id, MIN_LEVEL, MAX_LEVEL)
            try:
                skill = SkillLevel.of(name, level or MIN_LEVEL)
            except DomainError as error:
                errors.setdefault(skill_id, error.message)
                continue
            if skill.key in seen:
                same = "" if seen[skill.key] == name else f" (the same skill as '{seen[skill.key]}')"
                errors.setdefault(skill_id, f"'{name}' is listed twice{same}; keep one row.")
            seen.setdefault(skill.key, name)
            if level is None:
                errors.setdefault(level_id, f"Pick a level from 1 to 5 for '{name}'.")
                continue
            found.append(commands.SkillInput(skill.label, level))
    hours = _whole(values, errors, "hours_per_month", 0, 80)
    department = _text(values, errors, "department", "The department name", MAX_DEPARTMENT_LENGTH)
    goals = _text(values, errors, "goals", "Your goals", MAX_GOALS_LENGTH, multiline=True)
    timezone = "UTC"
    if values.get("timezone"):
        found_zone = zone_of(values["timezone"])  # a label ("Berlin (UTC+01:00)"), a city or a zone
        if found_zone is None:
            errors.setdefault(
                "timezone",
                f"We do not know the time zone '{values['timezone']}'. Type a city near you, e.g. Berlin, "
                "and pick it from the list.",
            )
        else:
            timezone = values["timezone"] = found_zone
    weekly = _weekly(values, errors)
    if errors:
        return Form(values, errors, None)
    command = commands.UpdateProfile(
        organization_id=organization_id,
        person_id=person_id,
        teaches=tuple(skills["teach"]),
        learns=tuple(skills["learn"]),
        department=department or None,
        timezone=timezone,
        hours_per_month=hours,
        goals=goals,
        discoverable_as_expert=_flag(values, "discoverable"),
        weekly_availability=weekly,
    )
    return Form(values, errors, command)


def _text(
    values: dict[str, str],
    errors: dict[str, str],
    name: str,
    what: str,
    limit: int,
    *,
    multiline: bool = False,
) -> str:
    try:
        cleaned = clean(values.get(name, ""), name, what=what, multiline=multiline)
    except InvalidInput as error:
        errors.setdefault(name, error.message)
        return ""
    if len(cleaned) > limit:
        errors.setdefault(name, f"This is {len(cleaned)} characters long; use at most {limit}.")
    return cleaned


def _hour(values: dict[str, str], errors: dict[str, str], name: str, *, end: bool) -> int | None:
    """A time of day as a whole hour: a start rounds down, an end rounds up; an end of 00:00 is midnight."""
    raw = values.get(name, "")
    match = TIME.match(raw)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        errors.setdefault(name, f"'{raw}' is not a time of day like 09:00.")
        return None
    hour, minutes = int(match[1]), int(match[2])
    if end:
        hour += 1 if minutes else 0
        return 24 if hour == 0 else hour
    return hour


def _weekly(values: dict[str, str], errors: dict[str, str]) -> frozenset[int]:
    """The days and from–to hours, in the person's own time zone, as hours of the week."""
    days_raw = [d.strip().casefold() for d in values.get("available_days", "").split(",") if d.strip()]
    given = [n for n in ("available_from", "available_to") if values.get(n)]
    if not days_raw and not given:
        return frozenset()
    unknown = [d for d in days_raw if d not in availability.DAYS]
    if unknown:
        errors.setdefault("available_days", f"'{unknown[0][:10]}' is not a day of the week.")
    elif not days_raw:
        errors.setdefault("available_days", "Pick the days these hours are for.")
    for name in ("available_from", "available_to"):
        if name not in given:
            errors.setdefault(name, "Give both times: from and to.")
    start = _hour(values, errors, "available_from", end=False) if "available_from" in given else None
    stop = _hour(values, errors, "available_to", end=True) if "available_to" in given else None
    if start is not None and stop is not None and stop <= start:
        errors.setdefault("available_to", "The end is before the start; use times within one day.")
    if "available_days" in errors or start is None or stop is None or "available_to" in errors:
        return frozenset()
    days = tuple(sorted({availability.DAYS.index(d) for d in days_raw}))
    return availability.Weekly(days, start, stop).hours()


def parse_setup(
    data: Mapping[str, object], organization_id: str, program_id: str, actor_id: str
) -> Form[commands.ProgramSetup]:
    values, errors = _collect(data, SETUP_LIMITS)
    for name in ("kind", "cadence"):
        if not values.get(name):
            errors.setdefault(name, f"Choose a {name}.")
    size = _whole(values, errors, "group_size", 2, 6)
    if size is None:
        errors.setdefault("group_size", "Give a group size from 2 to 6.")
    gap = _whole(values, errors, "max_level_gap", 1, 4)
    starts_on = None
    if values.get("starts_on"):
        try:
            starts_on = date.fromisoformat(values["starts_on"])
        except ValueError:
            errors.setdefault("starts_on", f"'{values['starts_on']}' is not a date like 2026-12-01.")
    if errors or size is None:
        return Form(values, errors, None)
    command = commands.ProgramSetup(
        organization_id=organization_id,
        actor_id=actor_id,
        program_id=program_id,
        kind=values["kind"],
        cadence=values["cadence"],
        group_size=size,
        prefer_cross_department=_flag(values, "cross_department"),
        starts_on=starts_on,
        max_level_gap=DEFAULT_LEVEL_GAP if gap is None else gap,
    )
    return Form(values, errors, command)


def parse_check_in(
    data: Mapping[str, object], organization_id: str, pairing_id: str, person_id: str
) -> Form[commands.SubmitCheckIn]:
    values, errors = _collect(data, CHECK_IN_LIMITS)
    met = values.get("met", "")
    if met not in ("yes", "no"):
        errors.setdefault("met", "Say whether you met: yes or not yet.")
    usefulness = _whole(values, errors, "usefulness", 1, 5)
    if met == "yes" and usefulness is None:
        errors.setdefault("usefulness", "You met: say how useful it was, from 1 to 5.")
    if errors:
        return Form(values, errors, None)
    command = commands.SubmitCheckIn(
        organization_id=organization_id,
        pairing_id=pairing_id,
        person_id=person_id,
        met=met == "yes",
        usefulness=usefulness if met == "yes" else None,
        learned=values.get("learned", ""),
        blockers=values.get("blockers", ""),
        confidential_note=values.get("confidential_note", ""),
    )
    return Form(values, errors, command)


def field_of(error: InvalidInput, known: Mapping[str, str]) -> str:
    """The card input a domain error is about (its own field when the card has one)."""
    return known.get(error.field, error.field)


def weeks(data: Mapping[str, object]) -> int:
    raw = plain(data.get("weeks")) or ""
    if not re.fullmatch(r"\d{1,3}", raw.strip()):
        raise InvalidInput("weeks", f"'{raw[:20]}' is not a number of weeks. Try 'pause 2'.")
    return int(raw)
