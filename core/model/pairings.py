"""Rounds, pairings (a pairing is a pair, a trio or a study group) and their life cycle.

proposed ──every member accepts──▶ accepted ──introduced──▶ active ──▶ completed
    │                                                          │
    └──any member declines or asks for someone else──▶ declined └──▶ ended (a member left)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from core.errors import InvalidTransition, PermissionDenied


class RoundStatus(enum.StrEnum):
    FORMING = "forming"  # being stored, a slice at a time (`core.services.rounds`); open once complete
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Round:
    id: str
    organization_id: str
    program_id: str
    index: int
    opened_at: datetime
    status: RoundStatus = RoundStatus.OPEN


@dataclass(frozen=True)
class RoundSummary:
    """What the person or job that opened a round is told: small, so it crosses a process boundary cheaply."""

    round: Round
    pairings: int
    people: int  # in a pairing of the round
    unmatched: tuple[tuple[str, str], ...]  # (person id, the reason a person can read)


class PairingStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED = "ended"


OPEN_STATUSES = frozenset({PairingStatus.PROPOSED, PairingStatus.ACCEPTED, PairingStatus.ACTIVE})


class MemberRole(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"
    BUDDY = "buddy"
    NEWCOMER = "newcomer"


class Response(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ASKED_FOR_SOMEONE_ELSE = "asked_for_someone_else"


@dataclass
class PairingMember:
    person_id: str
    role: MemberRole
    response: Response = Response.PENDING


@dataclass(frozen=True)
class MatchReason:
    factor: str
    contribution: float
    text: str


@dataclass(frozen=True)
class StatusChange:
    status: PairingStatus
    at: datetime
    by_person_id: str | None


@dataclass
class Pairing:
    id: str
    organization_id: str
    program_id: str
    round_id: str | None
    members: list[PairingMember]
    created_at: datetime
    status: PairingStatus = PairingStatus.PROPOSED
    shared_goal: str = ""
    skill: str | None = None
    score: float = 0.0
    reasons: list[MatchReason] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)
    # Bumped by every save: two members answering at once cannot both write what they read.
    version: int = 0

    def member(self, person_id: str) -> PairingMember:
        for member in self.members:
            if member.person_id == person_id:
                return member
        raise PermissionDenied("Only the members of this pairing can answer it.")

    def member_ids(self) -> list[str]:
        return [m.person_id for m in self.members]

    def _move(self, status: PairingStatus, at: datetime, by: str | None) -> None:
        self.status = status
        self.history.append(StatusChange(status=status, at=at, by_person_id=by))

    def accept(self, person_id: str, at: datetime) -> bool:
        """Record one member's yes; returns True when this yes completed the pairing (everyone accepted)."""
        member = self.member(person_id)
        self._require_proposed("accept")
        if member.response is Response.ACCEPTED:
            raise InvalidTransition("You already accepted this pairing.")
        member.response = Response.ACCEPTED
        if all(m.response is Response.ACCEPTED for m in self.members):
            self._move(PairingStatus.ACCEPTED, at, person_id)
            return True
        return False

    def decline(self, person_id: str, at: datetime, *, ask_for_someone_else: bool = False) -> None:
        """A no from any member closes the proposal. Asking for someone else is a no without a reason given."""
        member = self.member(person_id)
        self._require_proposed("decline")
        member.response = Response.ASKED_FOR_SOMEONE_ELSE if ask_for_someone_else else Response.DECLINED
        self._move(PairingStatus.DECLINED, at, person_id)

    def start(self, at: datetime) -> None:
        if self.status is not PairingStatus.ACCEPTED:
            raise InvalidTransition(
                f"A pairing starts once everyone accepted; this one is {self.status.value}."
            )
        self._move(PairingStatus.ACTIVE, at, None)

    def complete(self, at: datetime, by: str | None) -> None:
        if self.status is not PairingStatus.ACTIVE:
            raise InvalidTransition(
                f"Only an active pairing can be completed; this one is {self.status.value}."
            )
        self._move(PairingStatus.COMPLETED, at, by)

    def end(self, at: datetime, by: str | None) -> None:
        """Close a pairing early (a member left or was erased). Closed pairings stay closed."""
        if self.status not in OPEN_STATUSES:
            return
        self._move(PairingStatus.ENDED, at, by)

    def _require_proposed(self, what: str) -> None:
        if self.status is not PairingStatus.PROPOSED:
            raise InvalidTransition(
                f"This pairing is already {self.status.value}, so it cannot be {what}ed any more."
            )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class CheckIn:
    """One member's answer to a feedback round about one pairing."""

    id: str
    organization_id: str
    pairing_id: str
    person_id: str
    submitted_at: datetime
    met: bool
    usefulness: int | None
    learned: str = ""
    blockers: str = ""


class ConcernStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Concern:
    """Raised in confidence: only the program's facilitators can read it."""

    id: str
    organization_id: str
    program_id: str
    reporter_id: str
    text: str
    created_at: datetime
    pairing_id: str | None = None
    status: ConcernStatus = ConcernStatus.OPEN
