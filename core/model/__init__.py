"""The domain objects. Plain dataclasses; they enforce their own rules and import no framework."""

from core.model.ids import new_id
from core.model.organizations import Organization, OrganizationKind
from core.model.outbox import Intent, OutboxMessage, OutboxStatus
from core.model.pairings import (
    OPEN_STATUSES,
    CheckIn,
    Concern,
    ConcernStatus,
    MatchReason,
    MemberRole,
    Pairing,
    PairingMember,
    PairingStatus,
    Response,
    Round,
    RoundStatus,
    RoundSummary,
    StatusChange,
)
from core.model.people import FORMER_PARTICIPANT, LtiIdentity, Person, Profile, TeamsIdentity, normalize_email
from core.model.program_options import ProgramOptions
from core.model.programs import (
    DEFAULT_CODE_OF_CONDUCT,
    Cadence,
    Enrollment,
    EnrollmentStatus,
    ParticipantRole,
    Program,
    ProgramKind,
    ScopeKind,
)
from core.model.skills import SkillLevel, normalize_skill

__all__ = [
    "DEFAULT_CODE_OF_CONDUCT",
    "FORMER_PARTICIPANT",
    "OPEN_STATUSES",
    "Cadence",
    "CheckIn",
    "Concern",
    "ConcernStatus",
    "Enrollment",
    "EnrollmentStatus",
    "Intent",
    "LtiIdentity",
    "MatchReason",
    "MemberRole",
    "Organization",
    "OrganizationKind",
    "OutboxMessage",
    "OutboxStatus",
    "Pairing",
    "PairingMember",
    "PairingStatus",
    "ParticipantRole",
    "Person",
    "Profile",
    "Program",
    "ProgramKind",
    "ProgramOptions",
    "Response",
    "Round",
    "RoundStatus",
    "RoundSummary",
    "ScopeKind",
    "SkillLevel",
    "StatusChange",
    "TeamsIdentity",
    "new_id",
    "normalize_email",
    "normalize_skill",
]
