"""A program's figures as the database counts them: what the facilitator's report and dashboard show.

Counted, not loaded: at 100,000 people, making a program's enrollments, pairings and profiles into objects
took 29 s of the serving loop for one report. Each count that a person's own answer could be read from
carries how many distinct people it is over, so the minimum-group rule (`core.views.aggregates`) applies.
People who deleted their data count nowhere: not as members, not as having answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.model.programs import EnrollmentStatus


@dataclass(frozen=True)
class Figure:
    value: int
    people: int  # distinct people whose answers it counts


@dataclass(frozen=True)
class Ratings:
    """Usefulness given by people who met: the sum and the number of ratings, and by how many people."""

    total: int = 0
    count: int = 0
    people: int = 0


@dataclass(frozen=True)
class RoundTally:
    round_id: str
    opted_in: int  # enrollments (any status) consented by the time the round opened
    proposals: int  # the round's pairings
    matched: int  # distinct people in the round's pairings
    accepted: Figure  # members who said yes, over the members who answered
    declined: Figure  # members who declined or asked for someone else, over the members who answered
    meetings_held: Figure  # the round's pairings where someone said they met, over who checked in
    rated: Ratings = Ratings()


@dataclass(frozen=True)
class SkillTally:
    key: str
    label: str  # the alphabetically first spelling people used
    wanted: int  # people in the program (not left) who want to learn it
    taught: int  # people in the program (not left) who teach it


@dataclass(frozen=True)
class ProgramTally:
    statuses: Mapping[EnrollmentStatus, int]
    proposals: int  # pairings
    accepted: Figure
    declined: Figure
    waiting: int  # members of proposed pairings who have not answered
    check_ins: Figure
    meetings_held: Figure  # pairings where someone said they met, over who checked in
    ratings: Mapping[int, int]  # check-ins that met and rated usefulness 1..5, by rating
    raters: int  # distinct people who gave those ratings
    skills: list[SkillTally] = field(default_factory=list)  # every skill someone wants to learn
    rounds: list[RoundTally] = field(default_factory=list)  # the rounds asked for, in the order asked
