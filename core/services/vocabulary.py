"""What the profile's typeahead offers: skills (the organization's so far plus the seed list, synonyms folded,
a new skill still allowed) and time zones (by city, shown as "Berlin (UTC+01:00)", never as an IANA name)."""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from core.errors import DomainError
from core.model import OrganizationKind
from core.model.skills import MAX_SKILL_NAME, SEED_SKILLS, SYNONYMS, loose_key, skill_label
from core.ports import UnitOfWork

SKILLS = "skills"
TIMEZONES = "timezones"
MAX_CHOICES = 15  # what Teams shows of a typeahead's answer
SUGGESTED = 8  # skills a skill row lists before anything is typed
POPULAR = (
    "Python",
    "JavaScript",
    "SQL",
    "Excel",
    "Project management",
    "Kubernetes",
    "Presenting",
    "Leadership",
)
_REGIONS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
COMMON_TIMEZONES = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Chicago",
    "America/New_York", "America/Halifax", "America/Sao_Paulo", "Atlantic/Azores", "UTC", "Europe/London",
    "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw",
    "Africa/Lagos", "Africa/Johannesburg", "Europe/Helsinki", "Europe/Istanbul", "Africa/Nairobi",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)  # fmt: skip


@dataclass(frozen=True)
class Choice:
    title: str
    value: str


# Time zones ------------------------------------------------------------------------------------------------


@cache
def _zones() -> tuple[str, ...]:
    return tuple(
        sorted(z for z in zoneinfo.available_timezones() if z == "UTC" or z.split("/", 1)[0] in _REGIONS)
    )


def _city(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


def known_timezone(name: str | None) -> str | None:
    """`name` when it is a time zone we can compute with, else None (Teams may send anything)."""
    if not name or len(name) > 64:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name


def timezone_label(name: str, at: datetime) -> str:
    """ "Berlin (UTC+01:00)": the city people know and the offset on `at` (summer time included)."""
    offset = at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    city = "Coordinated Universal Time" if name == "UTC" else _city(name)
    return f"{city} (UTC{sign}{hours:02d}:{rest:02d})"


def resolve_timezone(text: str) -> str | None:
    """The time zone a person means: a zone's own name, or a city only one zone is named after ("Berlin")."""
    text = text.strip()
    if known_timezone(text) is not None:
        return text
    wanted = loose_key(text)
    if not wanted:
        return None
    found = [z for z in _zones() if loose_key(_city(z)) == wanted]
    return found[0] if len(found) == 1 else None


def timezone_choices(query: str, at: datetime, limit: int = MAX_CHOICES) -> list[Choice]:
    """Zones whose city (or region) starts with, then contains, what was typed; the common ones first."""
    wanted = loose_key(query)
    starts, contains = [], []
    for zone in sorted(_zones(), key=lambda z: (z not in COMMON_TIMEZONES, z)):
        city, full = loose_key(_city(zone)), loose_key(zone)
        if not wanted or city.startswith(wanted):
            starts.append(zone)
        elif wanted in full:
            contains.append(zone)
    return [Choice(timezone_label(z, at), z) for z in (starts + contains)[:limit]]


# Skills ----------------------------------------------------------------------------------------------------


def suggested_skills(organization: Iterable[str], limit: int = SUGGESTED) -> list[str]:
    """What a skill row lists before anything is typed: the organization's most used, then the seed list."""
    return list(dict.fromkeys([*organization, *POPULAR, *SEED_SKILLS]))[:limit]


async def organization_skills(organization_id: str, uow: UnitOfWork) -> list[str]:
    """The skills people of the organization teach or want to learn, most used first, as shown to them."""
    person_ids: set[str] = set()
    for program in await uow.programs.for_organization(organization_id):
        person_ids.update(e.person_id for e in await uow.enrollments.for_program(organization_id, program.id))
    profiles = await uow.profiles.many(organization_id, sorted(person_ids))
    used = Counter(s.label for p in profiles for s in (*p.teaches, *p.learns))
    return [label for label, _ in sorted(used.items(), key=lambda item: (-item[1], item[0].casefold()))]


def skill_choices(query: str, organization: Iterable[str], limit: int = MAX_CHOICES) -> list[Choice]:
    """What the skill typeahead offers for `query`: what it stands for when it is a synonym ("JS" →
    JavaScript), then the organization's skills and the seed list that start with it, then those containing
    it; and, when nothing is exactly it, the typed name itself as a new skill."""
    typed = " ".join(query.split())[:MAX_SKILL_NAME]
    wanted = loose_key(typed)
    labels = list(dict.fromkeys([*organization, *SEED_SKILLS]))
    by_key = {loose_key(label): label for label in labels}
    ranked: list[str] = []
    if wanted and (meant := by_key.get(loose_key(SYNONYMS.get(wanted, "")) or wanted)) is not None:
        ranked.append(meant)
    for other, label in SYNONYMS.items():  # "kube" offers Kubernetes before anything merely containing it
        if wanted and loose_key(other).startswith(wanted):
            ranked.append(label)
    ranked += [label for label in labels if loose_key(label).startswith(wanted)]
    ranked += [label for label in labels if wanted and wanted in loose_key(label)]
    choices = [Choice(label, label) for label in dict.fromkeys(ranked)]
    try:
        new = skill_label(typed) if typed else ""
    except DomainError:
        new = ""
    if new and loose_key(new) not in {loose_key(c.value) for c in choices}:
        choices = [*choices[: limit - 1], Choice(f"{new} (new skill)", new)]
    return choices[:limit]


async def tenant_skills(tenant_id: str, uow: UnitOfWork) -> list[str]:
    """The skills of the organization a Teams tenant is (none for a tenant we do not know yet)."""
    organization = await uow.organizations.by_external_id(OrganizationKind.TEAMS_TENANT, tenant_id)
    return [] if organization is None else await organization_skills(organization.id, uow)
