"""The values the matcher takes and returns.

Everything here is a frozen dataclass or an enum; the matcher never mutates its input.
Skill names and goal tags are compared after `str.strip().casefold()`, and shown as first given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

ProgramKind = Literal["mentoring", "peer_pairs", "onboarding", "study_groups"]
HOURS_PER_WEEK = 168


@dataclass(frozen=True, slots=True)
class Participant:
    """One person who opted in to a program, as the matcher sees them.

    `weekly_availability` holds hour-of-week slots in UTC (0 = Monday 00:00 UTC .. 167), or None when unknown.
    `hours_per_month` None means "not stated" (no limit); 0 means "no time this month".
    `capacity` is how many mentees (or newcomers, for a buddy) the person takes at once;
    `active_mentees` are the pairings already running, counted against it.
    """

    id: str
    display_name: str | None = None
    teaches: Mapping[str, int] = field(default_factory=dict)
    learns: Mapping[str, int] = field(default_factory=dict)
    department: str | None = None
    team: str | None = None
    utc_offset_minutes: int = 0
    weekly_availability: frozenset[int] | None = None
    hours_per_month: int | None = None
    capacity: int = 1
    active_mentees: int = 0
    is_new_hire: bool = False
    tenure_days: int | None = None
    goals: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)
    unmatched_last_round: bool = False

    @property
    def name(self) -> str:
        return self.display_name or self.id


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each soft preference adds to a pairing's score (each factor is scaled to 0..1 first)."""

    skill: float = 4.0
    goals: float = 2.0
    cross_department: float = 1.0
    same_department: float = 1.0
    same_team: float = 1.0
    timezone: float = 1.0
    availability: float = 1.0
    fairness: float = 2.0
    previous_groupmate: float = 2.0
    isolation: float = 10.0


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    kind: ProgramKind
    group_size: int = 2
    max_level_gap: int = 3  # an expert at 5 may teach someone at 2, not at 1
    cooldown_rounds: int = 3
    prefer_cross_department: bool = False
    min_shared_hours: int = 0
    isolate_rule_attributes: tuple[str, ...] = ()
    avoid_previous_groupmates: bool = True
    hours_per_pairing: int = 2
    min_buddy_tenure_days: int = 90
    weights: Weights = Weights()

    def __post_init__(self) -> None:
        if self.kind not in ("mentoring", "peer_pairs", "onboarding", "study_groups"):
            raise ValueError(
                f"Program kind '{self.kind}' is not one of mentoring, peer_pairs, onboarding, study_groups."
            )
        if not 2 <= self.group_size <= 6:
            raise ValueError(f"Group size '{self.group_size}' is not between 2 and 6.")
        if self.max_level_gap < 1:
            raise ValueError(f"Maximum level gap '{self.max_level_gap}' must be at least 1.")
        if self.cooldown_rounds < 0 or self.min_shared_hours < 0 or self.hours_per_pairing < 0:
            raise ValueError("Cool-down, minimum shared hours and hours per pairing cannot be negative.")


@dataclass(frozen=True, slots=True)
class PastGroup:
    """A pairing or group proposed in round `round_index` (accepted or declined alike)."""

    round_index: int
    members: frozenset[str]


@dataclass(frozen=True, slots=True)
class History:
    """What happened before this round.

    `current_round` defaults to one after the latest past round. A pair is in cool-down when it was together in a
    round `r` with `r >= current_round - cooldown_rounds`.
    """

    past: tuple[PastGroup, ...] = ()
    never_match: frozenset[frozenset[str]] = frozenset()
    current_round: int | None = None

    def round_now(self) -> int:
        if self.current_round is not None:
            return self.current_round
        return max((g.round_index for g in self.past), default=-1) + 1


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    BUDDY = "buddy"
    NEWCOMER = "newcomer"
    PEER = "peer"
    MEMBER = "member"


class UnmatchedCode(StrEnum):
    NO_TIME = "no_time"
    NOTHING_TO_MATCH = "nothing_to_match"
    LEVEL_GAP = "level_gap"
    NO_MENTOR_CAPACITY = "no_mentor_capacity"
    NOT_NEEDED = "not_needed"
    AT_CAPACITY = "at_capacity"
    NO_COMPATIBLE_PARTNER = "no_compatible_partner"
    NO_BUDDY_AVAILABLE = "no_buddy_available"
    TOO_FEW_PARTICIPANTS = "too_few_participants"


@dataclass(frozen=True, slots=True)
class Reason:
    factor: str
    contribution: float
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """A pairing or group. `roles[i]` is the role of `members[i]`; mentors and buddies come first.

    `reasons` are the match's reasons, for the record. `member_reasons[i]` are the same written to `members[i]`
    ("you teach ...; Megan wants ...", "you three ..."), with cautions last as `Reason("caution", 0.0, "heads-up:
    ...")`, and shared hours in that member's time: `writer` writes them when first asked for. Empty when built
    without a writer.
    """

    members: tuple[str, ...]
    roles: tuple[Role, ...]
    score: float
    reasons: tuple[Reason, ...]
    skill: str | None = None
    writer: Callable[[], tuple[tuple[Reason, ...], ...]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def member_reasons(self) -> tuple[tuple[Reason, ...], ...]:
        return self.writer() if self.writer is not None else ()

    def reasons_for(self, member: str) -> tuple[Reason, ...]:
        """The reasons written to `member` (the shared ones when there are none of their own)."""
        if self.member_reasons:
            return self.member_reasons[self.members.index(member)]
        return self.reasons


@dataclass(frozen=True, slots=True)
class Unmatched:
    participant_id: str
    code: UnmatchedCode
    text: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Every participant is in at least one match or in `unmatched` exactly once, never both.

    Only mentors (and buddies) can be in several matches, up to their spare capacity.
    """

    kind: ProgramKind
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def total_score(self) -> float:
        return sum(m.score for m in self.matches)
