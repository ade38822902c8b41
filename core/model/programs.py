from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import ConsentRequired, InvalidInput, InvalidTransition
from core.model.program_options import ProgramOptions

DEFAULT_CODE_OF_CONDUCT = (
    "We meet as peers. We keep what is said in a session confidential, give our time as agreed, "
    "treat each other with respect, and tell the facilitator in confidence when something is wrong."
)


ORGANIZATION_SCOPE = "organization"
"""The `scope_id` of the organization-wide program: the one a person joins from a personal chat."""


class ProgramKind(enum.StrEnum):
    MENTORING = "mentoring"
    PEER_PAIRS = "peer_pairs"
    ONBOARDING = "onboarding"
    STUDY_GROUPS = "study_groups"


class ScopeKind(enum.StrEnum):
    TEAMS_TEAM = "teams_team"
    LMS_COURSE = "lms_course"


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    @property
    def days(self) -> int:
        return {"weekly": 7, "biweekly": 14, "monthly": 28}[self.value]


@dataclass
class Program:
    """A peer-learning program run for one scope: a Teams team or an LMS course."""

    id: str
    organization_id: str
    name: str
    kind: ProgramKind
    scope_kind: ScopeKind
    scope_id: str
    cadence: Cadence = Cadence.BIWEEKLY
    group_size: int = 2
    prefer_cross_department: bool = False
    # How far apart a teacher's and a learner's levels may be: 3 lets an expert at 5 teach someone at 2, not
    # at 1 (the gap too wide for a first session to help either).
    max_level_gap: int = 3
    cooldown_rounds: int = 3
    timezone: str = "UTC"
    starts_on: date | None = None
    facilitator_ids: list[str] = field(default_factory=list)
    code_of_conduct: str = DEFAULT_CODE_OF_CONDUCT
    code_of_conduct_version: int = 1
    active: bool = True
    # Bumped by every save: a save from a stale read is refused (`core.errors.ConcurrentChange`).
    version: int = 0
    settings: ProgramOptions = field(default_factory=ProgramOptions)

    def validate(self) -> None:
        low, high = (2, 2) if self.kind is not ProgramKind.STUDY_GROUPS else (3, 6)
        if self.kind is ProgramKind.PEER_PAIRS:
            high = 3
        if not low <= self.group_size <= high:
            raise InvalidInput(
                "group_size",
                f"Group size is '{self.group_size}'. A {self.kind.value.replace('_', ' ')} program takes {low} to {high}.",
            )
        if not 0 <= self.max_level_gap <= 4:
            raise InvalidInput("max_level_gap", f"Level gap is '{self.max_level_gap}'. Use 0 to 4.")
        if not 0 <= self.cooldown_rounds <= 52:
            raise InvalidInput(
                "cooldown_rounds", f"Cool-down is '{self.cooldown_rounds}' rounds. Use 0 to 52."
            )
        if not self.name.strip() or len(self.name) > 120:
            raise InvalidInput("name", "A program needs a name of 1 to 120 characters.")

    def is_facilitator(self, person_id: str) -> bool:
        return person_id in self.facilitator_ids

    def member_attributes_of(self, person_id: str) -> dict[str, str]:
        """What the course knows of one member beyond their answers (their LMS section)."""
        return self.settings.member_attributes_of(person_id)

    def forget_member_attributes(self, person_id: str) -> bool:
        """Drop one member's attributes (their data was deleted); True when there were any."""
        if person_id not in self.settings.member_attributes:
            return False
        self.settings = self.settings.without_member(person_id)
        return True

    @property
    def needs_facilitator(self) -> bool:
        """Nobody runs it: its rounds wait until someone takes it over (see `core.services.stewardship`)."""
        return not self.facilitator_ids

    def change_code_of_conduct(self, text: str) -> None:
        """A new text is a new version: everyone must accept it again before the next round."""
        if not text.strip():
            raise InvalidInput("code_of_conduct", "The code of conduct cannot be empty.")
        self.code_of_conduct = text.strip()
        self.code_of_conduct_version += 1


class EnrollmentStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class ParticipantRole(enum.StrEnum):
    """What a person wants from a program: a mentor, a learner, or either (peers, study groups)."""

    MENTOR = "mentor"
    LEARNER = "learner"
    EITHER = "either"


@dataclass
class Enrollment:
    id: str
    organization_id: str
    program_id: str
    person_id: str
    consent_version: int
    consented_at: datetime
    role: ParticipantRole = ParticipantRole.EITHER
    status: EnrollmentStatus = EnrollmentStatus.ACTIVE
    paused_until: date | None = None
    unmatched_last_round: bool = False

    def is_available_on(self, day: date) -> bool:
        if self.status is EnrollmentStatus.LEFT:
            return False
        if self.status is EnrollmentStatus.PAUSED:
            return self.paused_until is not None and day >= self.paused_until
        return True

    def has_current_consent(self, program: Program) -> bool:
        return self.consent_version >= program.code_of_conduct_version

    def consent(self, program: Program, accepted_version: int, at: datetime) -> None:
        if accepted_version != program.code_of_conduct_version:
            raise ConsentRequired(
                f"You accepted version {accepted_version} of the code of conduct, but the current one is "
                f"version {program.code_of_conduct_version}. Read it again and accept the current version."
            )
        self.consent_version = accepted_version
        self.consented_at = at
        self.status = EnrollmentStatus.ACTIVE
        self.paused_until = None

    def pause(self, until: date, today: date) -> None:
        if self.status is EnrollmentStatus.LEFT:
            raise InvalidTransition("You have left this program; join it again before pausing.")
        if until <= today:
            raise InvalidInput(
                "paused_until", f"A pause must end after today; '{until.isoformat()}' does not."
            )
        self.status = EnrollmentStatus.PAUSED
        self.paused_until = until

    def resume(self) -> None:
        if self.status is EnrollmentStatus.LEFT:
            raise InvalidTransition("You have left this program; join it again instead of resuming.")
        if self.status is EnrollmentStatus.ACTIVE:
            raise InvalidTransition("You are not paused: you are already taking part.")
        self.status = EnrollmentStatus.ACTIVE
        self.paused_until = None

    def leave(self) -> None:
        if self.status is EnrollmentStatus.LEFT:
            raise InvalidTransition("You have already left this program.")
        self.status = EnrollmentStatus.LEFT
        self.paused_until = None
