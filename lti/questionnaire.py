"""The learner's questionnaire as a form: what was posted, read back into `Answers` that the page shows again,
and every mistake at once, each under its field, so a slip never costs the learner their answers."""

from __future__ import annotations

import html
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from markupsafe import Markup

from core import commands
from core.model import Profile

SKILL_ROWS = 3
MAX_GOALS = 500


@dataclass(frozen=True)
class SkillRow:
    name: str = ""
    level: str = ""


@dataclass
class Answers:
    goals: str = ""
    teach: list[SkillRow] = field(default_factory=lambda: [SkillRow() for _ in range(SKILL_ROWS)])
    learn: list[SkillRow] = field(default_factory=lambda: [SkillRow() for _ in range(SKILL_ROWS)])
    slots: frozenset[int] = frozenset()  # the start hour of each ticked two-hour block
    timezone: str = ""
    code_of_conduct: bool = False

    @classmethod
    def of(cls, profile: Profile | None, accepted: bool) -> Answers:
        if profile is None:
            return cls()

        def rows(skills: tuple[object, ...]) -> list[SkillRow]:
            found = [SkillRow(getattr(s, "label", ""), str(getattr(s, "level", ""))) for s in skills]
            return (found + [SkillRow() for _ in range(SKILL_ROWS)])[:SKILL_ROWS]

        return cls(
            goals=profile.goals,
            teach=rows(profile.teaches),
            learn=rows(profile.learns),
            slots=frozenset(h for h in profile.weekly_availability if h % 2 == 0),
            timezone=profile.timezone,
            code_of_conduct=accepted,
        )


@cache
def zones() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The time zones a learner can pick, grouped by region: (region, ((IANA name, place), …))."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        region, _, place = name.partition("/")
        if not place or region in ("Etc", "SystemV", "US", "posix", "right") or name == "localtime":
            continue
        groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " – ")))
    groups["Other"] = [("UTC", "UTC (coordinated universal time)")]
    return tuple((region, tuple(items)) for region, items in groups.items())


@cache
def _zone_options() -> tuple[tuple[str, str], ...]:
    """Each zone's `<option>` markup, by name, with the `<optgroup>` tags in between (name "")."""
    parts: list[tuple[str, str]] = []
    for region, places in zones():
        parts.append(("", f'<optgroup label="{html.escape(region)}">'))
        for name, place in places:
            parts.append((name, f'<option value="{html.escape(name)}">{html.escape(place)}</option>'))
        parts.append(("", "</optgroup>"))
    return tuple(parts)


@lru_cache(maxsize=64)
def zone_options(selected: str) -> Markup:
    """The picker's options with `selected` chosen: built once per zone, not per page (about 600 options)."""
    chosen = f'<option value="{html.escape(selected)}">'
    # Every name and label in the markup was escaped by `_zone_options`; `selected` only picks one of them.
    return Markup(  # noqa: S704
        "".join(
            markup.replace(chosen, chosen[:-1] + " selected>", 1) if name == selected else markup
            for name, markup in _zone_options()
        )
    )


@cache
def zone_names() -> frozenset[str]:
    return frozenset(name for _, items in zones() for name, _ in items)


Form = Mapping[str, object]


def _text(form: Form, name: str, limit: int) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def read(form: Form, slots: Sequence[object]) -> tuple[Answers, dict[str, str]]:
    """The posted answers and the mistakes in them, by field id."""
    errors: dict[str, str] = {}
    answers = Answers(
        goals=_text(form, "goals", MAX_GOALS + 100).strip(),
        timezone=_text(form, "timezone", 64).strip(),
        code_of_conduct=form.get("code_of_conduct") == "on",
        slots=frozenset(int(v) for v in slots if isinstance(v, str) and v.isdigit() and int(v) < 168),
    )
    if not answers.goals:
        errors["goals"] = "Say in a sentence what you want to be able to do by the end of the course."
    elif len(answers.goals) > MAX_GOALS:
        errors["goals"] = f"Your goal is {len(answers.goals)} characters long; keep it to {MAX_GOALS}."
    for kind in ("teach", "learn"):
        rows, seen = [], set()
        for i in range(SKILL_ROWS):
            row = SkillRow(_text(form, f"{kind}_{i}", 80).strip(), _text(form, f"{kind}_level_{i}", 2))
            rows.append(row)
            if not row.name:
                continue
            if len(row.name) > 60:
                errors[f"{kind}_{i}"] = f"'{row.name[:20]}…' is too long; use at most 60 characters."
            elif row.name.casefold() in seen:
                errors[f"{kind}_{i}"] = f"'{row.name}' is listed twice; list each skill once."
            if row.level not in ("1", "2", "3", "4", "5"):
                errors[f"{kind}_level_{i}"] = (
                    f"Choose a level from 1 (beginner) to 5 (expert) for '{row.name[:40]}'."
                    if not row.level
                    else f"'{row.level}' is not a level; choose one from 1 (beginner) to 5 (expert) for "
                    f"'{row.name[:40]}'."
                )
            seen.add(row.name.casefold())
        setattr(answers, kind, rows)
    if answers.timezone not in zone_names():
        errors["timezone"] = (
            "Choose your time zone from the list."
            if not answers.timezone
            else f"The time zone '{answers.timezone}' is not one this tool knows; choose yours from the list."
        )
    if not answers.code_of_conduct:
        errors["code_of_conduct"] = "Tick the box to accept the group's code of conduct."
    return answers, errors


def to_command(answers: Answers, organization_id: str, person_id: str) -> commands.UpdateProfile:
    def skills(rows: list[SkillRow]) -> tuple[commands.SkillInput, ...]:
        return tuple(commands.SkillInput(r.name, int(r.level)) for r in rows if r.name)

    return commands.UpdateProfile(
        organization_id=organization_id,
        person_id=person_id,
        teaches=skills(answers.teach),
        learns=skills(answers.learn),
        timezone=answers.timezone,
        goals=answers.goals,
        weekly_availability=frozenset(h + i for h in answers.slots for i in range(2) if h + i < 168),
    )
