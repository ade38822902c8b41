"""The profile editor: skills to teach and to learn with levels, department, time zone, hours, goals."""

from __future__ import annotations

from collections.abc import Mapping

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Element,
    Errors,
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

SKILL_ROWS = 4
LEVELS = (
    ("1", "1 · beginner"),
    ("2", "2 · basic"),
    ("3", "3 · working"),
    ("4", "4 · strong"),
    ("5", "5 · expert"),
)


def profile_values(profile: Profile | None) -> dict[str, str]:
    """The editor's fields filled from a stored profile."""
    if profile is None:
        return {"timezone": "UTC", "discoverable": "false"}
    values = {
        "department": profile.department or "",
        "timezone": profile.timezone,
        "hours_per_month": "" if profile.hours_per_month is None else str(profile.hours_per_month),
        "goals": profile.goals,
        "discoverable": "true" if profile.discoverable_as_expert else "false",
    }
    for direction, skills in (("teach", profile.teaches), ("learn", profile.learns)):
        for i, skill in enumerate(skills):
            values[f"{direction}_skill_{i}"] = skill.label
            values[f"{direction}_level_{i}"] = str(skill.level)
    return values


def skill_rows_in(values: Mapping[str, str], direction: str) -> int:
    filled = [i for i in range(20) if values.get(f"{direction}_skill_{i}")]
    return max(SKILL_ROWS, (max(filled) + 2) if filled else 0)


def _skill_rows(values: Mapping[str, str], errors: Errors, direction: str) -> list[Element]:
    rows: list[Element] = []
    for i in range(min(skill_rows_in(values, direction), 20)):
        skill_id, level_id = f"{direction}_skill_{i}", f"{direction}_level_{i}"
        rows.append(
            columns(
                (
                    input_text(
                        skill_id, "Skill", values.get(skill_id, ""), max_length=60, placeholder="e.g. Python"
                    ),
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


def profile_editor(values: Mapping[str, str], errors: Errors | None = None, *, saved: bool = False) -> Card:
    errors = errors or {}
    body: list[Element] = [heading("Your profile"), *error_banner(errors)]
    if saved:
        body.append(text("✅ Saved. You can change it whenever you like.", color="Good"))
    body += [
        subheading("What I can teach"),
        text("Levels go from 1 (beginner) to 5 (expert). Leave a row empty to skip it.", subtle=True),
        *field_error(errors, "teach"),
        *_skill_rows(values, errors, "teach"),
        subheading("What I want to learn"),
        *field_error(errors, "learn"),
        *_skill_rows(values, errors, "learn"),
        subheading("About me"),
        *input_text("department", "Department", values.get("department", ""), max_length=80, errors=errors),
        *input_text(
            "timezone",
            "Time zone",
            values.get("timezone", ""),
            max_length=64,
            placeholder="e.g. Europe/Berlin",
            errors=errors,
        ),
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
    return card(
        body,
        [
            execute("Save my profile", verbs.PROFILE_SAVE, primary=True),
            execute("My status", verbs.STATUS, inputs=False),
        ],
    )
