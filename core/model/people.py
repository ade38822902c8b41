from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date

from core.errors import InvalidInput
from core.model.skills import SkillLevel
from core.model.text import clean

FORMER_PARTICIPANT = "Former participant"
MAX_HOURS_PER_MONTH = 80
MAX_GOALS_LENGTH = 500
MAX_DEPARTMENT_LENGTH = 80
HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class TeamsIdentity:
    """How Teams knows a person: the Entra tenant and object id, and the Teams user id ("29:…")."""

    tenant_id: str
    aad_object_id: str
    teams_user_id: str


@dataclass(frozen=True)
class LtiIdentity:
    """How an LMS knows a person: the platform's issuer and the user's subject there."""

    issuer: str
    subject: str


def normalize_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().casefold()
    return value or None


@dataclass
class Person:
    id: str
    organization_id: str
    display_name: str
    # Only an address the identity provider vouches for (Entra UPN/mail, LTI `email` claim) is stored here:
    # it is what links a person's Teams and LMS identities.
    verified_email: str | None = None
    teams: TeamsIdentity | None = None
    lti: list[LtiIdentity] = field(default_factory=list)
    erased: bool = False

    def can_be_linked_with(self, other: Person) -> bool:
        """Two records are one person when they share an organization and the same verified email or UPN."""
        return (
            self.id != other.id
            and self.organization_id == other.organization_id
            and not self.erased
            and not other.erased
            and self.verified_email is not None
            and self.verified_email == other.verified_email
        )

    def absorb(self, other: Person) -> None:
        """Take over `other`'s identities (the linking rule must hold); `other` is then to be removed."""
        if not self.can_be_linked_with(other):
            raise InvalidInput(
                "person", "These two accounts do not share a verified email, so they stay apart."
            )
        if self.teams is None:
            self.teams = other.teams
        for identity in other.lti:
            if identity not in self.lti:
                self.lti.append(identity)

    def erase(self) -> None:
        """Anonymize in place: the row stays so other people's history keeps its shape, nothing personal does."""
        self.display_name = FORMER_PARTICIPANT
        self.verified_email = None
        self.teams = None
        self.lti = []
        self.erased = True


def validate_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            "timezone",
            f"The time zone '{name}' is unknown. Pick the city you work in from the list, e.g. Berlin.",
        ) from exc
    return name


@dataclass
class Profile:
    """What a person tells the program about themselves. Every field is optional until they fill it."""

    person_id: str
    teaches: tuple[SkillLevel, ...] = ()
    learns: tuple[SkillLevel, ...] = ()
    department: str | None = None
    timezone: str = "UTC"
    hours_per_month: int | None = None
    goals: str = ""
    discoverable_as_expert: bool = False
    # Hours of the week (0 = Monday 00:00 in the person's time zone … 167) the person can meet; empty = unknown.
    weekly_availability: frozenset[int] = frozenset()
    mentor_capacity: int = 1
    is_new_hire: bool = False
    started_on: date | None = None

    def validate(self) -> None:
        for skills, what in ((self.teaches, "teach"), (self.learns, "learn")):
            keys = [s.key for s in skills]
            if len(keys) != len(set(keys)):
                raise InvalidInput("skills", f"A skill appears twice in what you {what}; list each once.")
            if len(keys) > 20:
                raise InvalidInput(
                    "skills", f"You listed {len(keys)} skills to {what}; keep it to 20 at most."
                )
        if self.department is not None:
            self.department = clean(self.department, "department", what="The department name") or None
        self.goals = clean(self.goals, "goals", what="Your goals", multiline=True)
        if self.department is not None and len(self.department) > MAX_DEPARTMENT_LENGTH:
            raise InvalidInput(
                "department",
                f"The department name is too long; use at most {MAX_DEPARTMENT_LENGTH} characters.",
            )
        validate_timezone(self.timezone)
        if self.hours_per_month is not None and not 0 <= self.hours_per_month <= MAX_HOURS_PER_MONTH:
            raise InvalidInput(
                "hours_per_month",
                f"Hours a month is '{self.hours_per_month}'. Use a whole number from 0 to {MAX_HOURS_PER_MONTH}.",
            )
        if len(self.goals) > MAX_GOALS_LENGTH:
            raise InvalidInput(
                "goals", f"Your goals are {len(self.goals)} characters; use at most {MAX_GOALS_LENGTH}."
            )
        if any(not 0 <= hour < HOURS_PER_WEEK for hour in self.weekly_availability):
            raise InvalidInput(
                "weekly_availability", "Availability hours must be between 0 and 167 (hours of the week)."
            )
        if not 0 <= self.mentor_capacity <= 10:
            raise InvalidInput(
                "mentor_capacity",
                f"Capacity is '{self.mentor_capacity}'. Use a number of mentees from 0 to 10.",
            )
