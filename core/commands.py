"""Commands: what an entrypoint asks `core` to do, as small immutable values.

Each carries the acting person's id (already checked by the entrypoint to be who the request says)
and the organization it acts in. Values arrive parsed but not yet validated against the domain's rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.model import ParticipantRole
from core.model.conversations import StoredConversation
from core.model.platforms import NewRegistration, ToolKey


@dataclass(frozen=True)
class ResolveTeamsPerson:
    tenant_id: str
    aad_object_id: str
    teams_user_id: str
    display_name: str
    verified_email: str | None = None


@dataclass(frozen=True)
class ResolveLtiPerson:
    organization_id: str
    issuer: str
    subject: str
    display_name: str
    verified_email: str | None = None


@dataclass(frozen=True)
class Enroll:
    organization_id: str
    program_id: str
    person_id: str
    accepted_code_of_conduct_version: int | None
    role: ParticipantRole = ParticipantRole.EITHER


@dataclass(frozen=True)
class SkillInput:
    name: str
    level: int


@dataclass(frozen=True)
class UpdateProfile:
    organization_id: str
    person_id: str
    teaches: tuple[SkillInput, ...] = ()
    learns: tuple[SkillInput, ...] = ()
    department: str | None = None
    timezone: str = "UTC"
    hours_per_month: int | None = None
    goals: str = ""
    discoverable_as_expert: bool = False
    weekly_availability: frozenset[int] = frozenset()
    mentor_capacity: int = 1
    is_new_hire: bool = False
    started_on: date | None = None


@dataclass(frozen=True)
class Pause:
    organization_id: str
    person_id: str
    weeks: int
    program_id: str | None = None  # None: every program the person takes part in


@dataclass(frozen=True)
class Resume:
    organization_id: str
    person_id: str
    program_id: str | None = None


@dataclass(frozen=True)
class Leave:
    organization_id: str
    person_id: str
    program_id: str | None = None


@dataclass(frozen=True)
class ExportMyData:
    organization_id: str
    person_id: str


@dataclass(frozen=True)
class DeleteMyData:
    organization_id: str
    person_id: str


@dataclass(frozen=True)
class RespondToPairing:
    organization_id: str
    pairing_id: str
    person_id: str
    answer: str  # "accept", "decline" or "someone_else"


@dataclass(frozen=True)
class SubmitCheckIn:
    organization_id: str
    pairing_id: str
    person_id: str
    met: bool
    usefulness: int | None
    learned: str = ""
    blockers: str = ""
    confidential_note: str = ""


@dataclass(frozen=True)
class RaiseConcern:
    organization_id: str
    program_id: str
    person_id: str
    text: str
    pairing_id: str | None = None


@dataclass(frozen=True)
class ProgramSetup:
    organization_id: str
    actor_id: str
    program_id: str
    kind: str
    cadence: str
    group_size: int
    prefer_cross_department: bool
    starts_on: date | None = None
    max_level_gap: int = 3
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRound:
    """Open a round of matching. `actor_id` None means the scheduler runs it; otherwise a facilitator must."""

    organization_id: str
    program_id: str
    actor_id: str | None
    seed: int | None = None


# The Teams door's own records


@dataclass(frozen=True)
class ClaimActivity:
    """Mark a Teams activity id handled; answered False when it was already (Teams retried a delivery)."""

    key: str


@dataclass(frozen=True)
class KeepConversation:
    """Keep where the bot reaches a person, a team or a chat again (a conversation reference)."""

    conversation: StoredConversation


@dataclass(frozen=True)
class AddTeamMembers:
    """Who is in a Teams team, as its roster or a join event says; `owners` are the team's owners."""

    organization_id: str
    team_id: str
    person_ids: tuple[str, ...]
    owners: frozenset[str] = frozenset()


# Team programs (the Teams door)


@dataclass(frozen=True)
class QueueCheckIns:
    """Queue a program's due check-ins and reminders (the worker, for every running program)."""

    organization_id: str
    program_id: str


@dataclass(frozen=True)
class EnsureTeamProgram:
    organization_id: str
    team_id: str
    team_name: str
    installer_id: str | None = None


@dataclass(frozen=True)
class EnsureOrganizationProgram:
    """The organization's own program, for people who installed the app for themselves: found or created."""

    organization_id: str


@dataclass(frozen=True)
class DeactivateTeamProgram:
    organization_id: str
    team_id: str


@dataclass(frozen=True)
class RemoveTeamMember:
    organization_id: str
    team_id: str
    aad_object_id: str


@dataclass(frozen=True)
class AddFacilitator:
    organization_id: str
    program_id: str
    actor_id: str
    person_id: str


@dataclass(frozen=True)
class TakeOver:
    """A team owner (or, for the organization's program, anyone) takes over a program nobody facilitates."""

    organization_id: str
    program_id: str
    actor_id: str


# Course programs (the LTI door)


@dataclass(frozen=True)
class EnsureCourseProgram:
    organization_id: str
    course_id: str  # unique per platform deployment: the entrypoint prefixes the LTI context id
    course_title: str
    actor_id: str
    actor_is_instructor: bool
    group_size: int | None = None  # from a deep-linked resource link's custom parameters


@dataclass(frozen=True)
class UpdateCourseSettings:
    organization_id: str
    program_id: str
    actor_id: str
    group_size: int
    criteria: frozenset[str]
    questionnaire_deadline: date | None = None


@dataclass(frozen=True)
class SaveQuestionnaire:
    organization_id: str
    program_id: str
    profile: UpdateProfile
    accepted_code_of_conduct_version: int | None
    section: str | None = None


@dataclass(frozen=True)
class MoveMember:
    organization_id: str
    program_id: str
    actor_id: str
    person_id: str
    to_pairing_id: str


@dataclass(frozen=True)
class PublishGroups:
    organization_id: str
    program_id: str
    actor_id: str


# Learning notes (issue 17: knowledge kept). `sharing` is "private", "attributed" or "anonymous".


@dataclass(frozen=True)
class WriteLearningNote:
    """Write (or rewrite) the acting member's note about a completed pairing."""

    organization_id: str
    person_id: str
    pairing_id: str
    text: str
    skills: tuple[str, ...]
    sharing: str = "private"


@dataclass(frozen=True)
class ShareLearningNote:
    organization_id: str
    person_id: str
    note_id: str
    attributed: bool


@dataclass(frozen=True)
class UnshareLearningNote:
    organization_id: str
    person_id: str
    note_id: str


@dataclass(frozen=True)
class DeleteLearningNote:
    organization_id: str
    person_id: str
    note_id: str


# The LTI door's protocol state (platform registrations, the tool's keys, launch data): handled by
# `core.services.platforms` in the request's unit of work, so a launch writes what it keeps with the rest.


@dataclass(frozen=True)
class RegisterPlatform:
    """Register an LMS (Dynamic Registration, or the command line); `organization_id` None: the platform's own."""

    registration: NewRegistration
    organization_id: str | None = None


@dataclass(frozen=True)
class SavePlatformKeySet:
    registration_id: str
    key_set: Mapping[str, Any]


@dataclass(frozen=True)
class RotateToolKey:
    key: ToolKey


@dataclass(frozen=True)
class KeepLaunchData:
    """Keep a value (a login's binding, a validated launch) under its key until `expires_at`."""

    organization_id: str
    key: str
    value: Any
    expires_at: datetime


@dataclass(frozen=True)
class TakeLaunchData:
    """Take a value out once (a login's binding): of two units of work, at most one gets it."""

    organization_id: str
    key: str
