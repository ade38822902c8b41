"""The profile editor: skills to teach and to learn with levels (typeahead from the organization's
vocabulary), department, time zone (a city, pre-filled from Teams), weekly availability, hours, goals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Element,
    Errors,
    action_set,
    card,
    choice_set,
    columns,
    error_banner,
    execute,
    field_error,
    heading,
    input_number,
    input_text,
    subheading,
    text,
    toggle,
)
from core.model import Profile
from core.services import availability, vocabulary

SKILL_ROWS = 4
MAX_SKILL_ROWS = 20
LEVELS = (
    ("1", "1 · beginner"),
    ("2", "2 · basic"),
    ("3", "3 · working"),
    ("4", "4 · strong"),
    ("5", "5 · expert"),
)
LABEL_OFFSET = re.compile(r"\s*\(UTC[+-]\d\d:\d\d\)\s*$")
DAY_CHOICES = tuple(zip(availability.DAYS, availability.DAY_NAMES, strict=True))


def _time(hour: int) -> str:
    return "23:59" if hour >= availability.HOURS_PER_DAY else f"{hour:02d}:00"


def profile_values(profile: Profile | None, *, detected_timezone: str | None = None) -> dict[str, str]:
    """The editor's fields filled from a stored profile; a first profile takes the time zone Teams gave."""
    if profile is None:
        return {"timezone": detected_timezone or "UTC", "discoverable": "false"}
    values = {
        "department": profile.department or "",
        "timezone": profile.timezone,
        "hours_per_month": "" if profile.hours_per_month is None else str(profile.hours_per_month),
        "goals": profile.goals,
        "discoverable": "true" if profile.discoverable_as_expert else "false",
    }
    weekly = availability.as_weekly(profile.weekly_availability)
    if weekly is not None:
        values |= weekly_values(weekly)
    for direction, skills in (("teach", profile.teaches), ("learn", profile.learns)):
        for i, skill in enumerate(skills):
            values[f"{direction}_skill_{i}"] = skill.label
            values[f"{direction}_level_{i}"] = str(skill.level)
    return values


def weekly_values(weekly: availability.Weekly) -> dict[str, str]:
    """The editor's days and hours fields for `weekly`."""
    return {
        "available_days": ",".join(availability.DAYS[d] for d in weekly.days),
        "available_from": _time(weekly.start),
        "available_to": _time(weekly.end),
    }


def skill_rows_in(values: Mapping[str, str], direction: str) -> int:
    filled = [i for i in range(MAX_SKILL_ROWS) if values.get(f"{direction}_skill_{i}")]
    return min(max(SKILL_ROWS, (max(filled) + 2) if filled else 0), MAX_SKILL_ROWS)


def typeahead(
    id_: str, label: str, dataset: str, choices: Sequence[vocabulary.Choice], value: str, placeholder: str
) -> Element:
    """Teams' typeahead: filtered as the person types, the bot answering `application/search` for `dataset`
    (SDKs without `choices.data` show the static choices, still filtered)."""
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": id_,
        "label": label,
        "style": "filtered",
        "choices": [{"title": c.title, "value": c.value} for c in choices],
        "choices.data": {"type": "Data.Query", "dataset": dataset},
        "placeholder": placeholder,
    }
    if value:
        element["value"] = value
    return element


def _skill_rows(
    values: Mapping[str, str], errors: Errors, direction: str, suggestions: Sequence[str]
) -> list[Element]:
    rows: list[Element] = []
    for i in range(skill_rows_in(values, direction)):
        skill_id, level_id = f"{direction}_skill_{i}", f"{direction}_level_{i}"
        current = values.get(skill_id, "")
        chosen = [vocabulary.Choice(s, s) for s in dict.fromkeys([current, *suggestions]) if s]
        rows.append(
            columns(
                (
                    [
                        typeahead(
                            skill_id,
                            "Skill",
                            vocabulary.SKILLS,
                            chosen,
                            current,
                            "Type to search, e.g. Python",
                        )
                    ],
                    "stretch",
                ),
                (
                    choice_set(level_id, "Level", LEVELS, values.get(level_id, ""), placeholder="Level"),
                    "auto",
                ),
            )
        )
        rows += field_error(errors, skill_id) + field_error(errors, level_id)
    return rows


def timezone_value(zone: str, at: datetime) -> str:
    """What the time zone field holds for `zone`: its label ("Berlin (UTC+01:00)") when the city names only
    that zone, so that a client showing the raw value (Microsoft's JS renderer shows a filtered choice set's
    value, not its title) still shows a place; the zone's own name otherwise. The form reads both back."""
    label = vocabulary.timezone_label(zone, at)
    city = label.rsplit(" (UTC", 1)[0]
    return label if vocabulary.resolve_timezone(city) == zone else zone


def zone_of(value: str | None) -> str | None:
    """The time zone a field's value names: a zone's own name, a label ("Berlin (UTC+01:00)") or a city."""
    if not value:
        return None
    return vocabulary.resolve_timezone(LABEL_OFFSET.sub("", value))


def _timezone(values: Mapping[str, str], errors: Errors, detected: str | None, at: datetime) -> list[Element]:
    current = zone_of(values.get("timezone"))
    zones = list(dict.fromkeys([z for z in (current, detected) if z] + list(vocabulary.COMMON_TIMEZONES)))
    choices = [vocabulary.Choice(vocabulary.timezone_label(z, at), timezone_value(z, at)) for z in zones]
    shown = timezone_value(current, at) if current else values.get("timezone", "")
    found: list[Element] = [
        typeahead("timezone", "Time zone", vocabulary.TIMEZONES, choices, shown, "Type a city, e.g. Berlin"),
        *field_error(errors, "timezone"),
    ]
    if detected and detected != current:
        label = vocabulary.timezone_label(detected, at)
        found.append(text(f"Teams says you are in {label}: pick it if that is where you work.", subtle=True))
    return found


def _availability(values: Mapping[str, str], errors: Errors, kept: str | None) -> list[Element]:
    days: Element = {
        "type": "Input.ChoiceSet",
        "id": "available_days",
        "label": "Days",
        "isMultiSelect": True,
        "style": "compact",
        "placeholder": "Days",
        "choices": [{"title": title, "value": value} for value, title in DAY_CHOICES],
    }
    if values.get("available_days"):
        days["value"] = values["available_days"]
    times = columns(
        ([_time_input("available_from", "From", values)], "stretch"),
        ([_time_input("available_to", "To", values)], "stretch"),
    )
    found: list[Element] = [
        subheading("When I can meet"),
        text("In your own time zone, every week. Leave it empty if you would rather not say.", subtle=True),
    ]
    if kept:
        found.append(
            text(f"Kept from your course questionnaire: {kept}. Pick days and hours here to replace it.")
        )
    return [
        *found,
        days,
        *field_error(errors, "available_days"),
        times,
        *field_error(errors, "available_from"),
        *field_error(errors, "available_to"),
    ]


def _time_input(id_: str, label: str, values: Mapping[str, str]) -> Element:
    element: Element = {"type": "Input.Time", "id": id_, "label": label}
    if values.get(id_):
        element["value"] = values[id_]
    return element


def profile_editor(
    values: Mapping[str, str],
    errors: Errors | None = None,
    *,
    saved: bool = False,
    unmatched: Sequence[str] = (),
    offer_join: bool = False,
    detected_timezone: str | None = None,
    kept_availability: str | None = None,
    suggestions: Sequence[str] = vocabulary.POPULAR,
    at: datetime | None = None,
    from_outlook: bool = False,
) -> Card:
    """`unmatched`: why nobody can be matched with this profile yet (said instead of a bare "Saved");
    `offer_join` adds the action that fixes "you have not joined a program"; `suggestions`: the skills each
    skill row lists before anything is typed (the typeahead searches the whole vocabulary); `from_outlook`:
    the time zone (and working hours, if any) were filled in from the person's Outlook settings."""
    errors = errors or {}
    at = at or datetime.now(UTC)
    body: list[Element] = [heading("Your profile"), *error_banner(errors)]
    if from_outlook:
        what = "time zone and working hours come" if values.get("available_days") else "time zone comes"
        body.append(
            text(
                f"Your {what} from your Outlook settings: change them here if they are not right.",
                subtle=True,
            )
        )
    if errors:
        body.append(bullets_of(errors))
    actions = [
        execute("Save my profile", verbs.PROFILE_SAVE, primary=True),
        execute("My status", verbs.STATUS, inputs=False),
    ]
    if saved and unmatched:
        body.append(
            text(
                "Saved, but nobody can be matched with you yet: " + "; ".join(unmatched) + ".",
                color="Warning",
            )
        )
        if offer_join:
            body.append(action_set([execute("Join", verbs.JOIN, inputs=False)]))
    elif saved:
        body.append(
            text(
                "✅ Saved. You can be matched from the next round; change it whenever you like.", color="Good"
            )
        )
    body += [
        subheading("What I can teach"),
        text(
            "Type a skill and pick it from the list (a new one is fine). Levels go from 1 (beginner) to "
            "5 (expert). Leave a row empty to skip it.",
            subtle=True,
        ),
        *field_error(errors, "teach"),
        *_skill_rows(values, errors, "teach", suggestions),
        subheading("What I want to learn"),
        *field_error(errors, "learn"),
        *_skill_rows(values, errors, "learn", suggestions),
        *_availability(values, errors, kept_availability),
        subheading("About me"),
        *_timezone(values, errors, detected_timezone, at),
        *input_text("department", "Department", values.get("department", ""), max_length=80, errors=errors),
        *input_number(
            "hours_per_month",
            "Hours a month I can give",
            values.get("hours_per_month", ""),
            low=0,
            high=80,
            errors=errors,
        ),
        *input_text(
            "goals",
            "My goals",
            values.get("goals", ""),
            max_length=500,
            multiline=True,
            placeholder="What do you want to be able to do in three months?",
            errors=errors,
        ),
        *toggle(
            "discoverable",
            "Colleagues may find me as an expert for what I teach",
            values.get("discoverable") == "true",
            errors=errors,
        ),
    ]
    return card(body, actions)


def bullets_of(errors: Errors) -> Element:
    """Every mistake at once, at the top, as well as next to its field."""
    return text("\n".join(f"- {message}" for message in errors.values()), color="Attention")
