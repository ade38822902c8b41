"""Turning enrolled people into what the matcher sees (`matching.Participant`) and history into `matching.History`."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime

import matching
from core.model import (
    MemberRole,
    Pairing,
    ParticipantRole,
    Person,
    Profile,
    Program,
    Response,
)

HOURS_PER_WEEK = 168
_WORD = re.compile(r"[^\W\d_][\w+#.-]*", re.UNICODE)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "get",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "learn",
        "learning",
        "me",
        "more",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "the",
        "to",
        "want",
        "we",
        "what",
        "with",
        "would",
        "like",
        "better",
        "able",
        "do",
        "can",
        "use",
        "using",
        "about",
    ]
)


def goal_tags(*texts: str) -> frozenset[str]:
    """The words that carry a goal ("ship a Rust CLI" → {"ship", "rust", "cli"}), for comparing goals."""
    folded = (unicodedata.normalize("NFKC", text) for text in texts)
    words = (w.casefold().strip(".-") for text in folded for w in _WORD.findall(text))
    return frozenset(w for w in words if len(w) >= 2 and w not in _STOPWORDS)


def utc_offset_minutes(timezone: str, at: datetime) -> int:
    offset = at.astimezone(zoneinfo.ZoneInfo(timezone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def availability_in_utc(local_hours: Iterable[int], offset_minutes: int) -> frozenset[int] | None:
    """Shift hours of the week from the person's zone to UTC; None when the person gave none (unknown)."""
    shift = round(offset_minutes / 60)
    hours = frozenset((hour - shift) % HOURS_PER_WEEK for hour in local_hours)
    return hours or None


def to_participant(
    person: Person,
    profile: Profile | None,
    role: ParticipantRole,
    *,
    now: datetime,
    active_mentees: int,
    unmatched_last_round: bool,
    attributes: Mapping[str, str] | None = None,
) -> matching.Participant:
    profile = profile or Profile(person_id=person.id)
    offset = utc_offset_minutes(profile.timezone, now)
    teaches = {s.label: s.level for s in profile.teaches} if role is not ParticipantRole.LEARNER else {}
    learns = {s.label: s.level for s in profile.learns} if role is not ParticipantRole.MENTOR else {}
    tenure = (now.date() - profile.started_on).days if profile.started_on else None
    return matching.Participant(
        id=person.id,
        display_name=person.display_name,
        teaches=teaches,
        learns=learns,
        department=profile.department,
        utc_offset_minutes=offset,
        weekly_availability=availability_in_utc(profile.weekly_availability, offset),
        hours_per_month=profile.hours_per_month,
        capacity=profile.mentor_capacity,
        active_mentees=active_mentees,
        is_new_hire=profile.is_new_hire,
        tenure_days=tenure,
        goals=goal_tags(profile.goals, *(s.label for s in profile.learns)),
        attributes=dict(attributes or {}),
        unmatched_last_round=unmatched_last_round,
    )


def settings_for(program: Program) -> matching.ProgramSettings:
    options = program.settings
    return matching.ProgramSettings(
        kind=program.kind.value,
        group_size=program.group_size,
        max_level_gap=max(1, program.max_level_gap),
        cooldown_rounds=program.cooldown_rounds,
        prefer_cross_department=program.prefer_cross_department,
        min_shared_hours=options.min_shared_hours,
        isolate_rule_attributes=options.isolate_rule_attributes,
        avoid_previous_groupmates=options.avoid_previous_groupmates,
    )


def history_for(
    pairings: Iterable[Pairing], round_index_of: Mapping[str, int], current_round: int
) -> matching.History:
    """Past pairings of the program, and the pairs that must never be proposed again.

    A pairing someone declined or asked to change is never proposed again: whoever said no is not asked twice.
    """
    past: list[matching.PastGroup] = []
    never: set[frozenset[str]] = set()
    for pairing in pairings:
        members = pairing.member_ids()
        if pairing.round_id is not None and pairing.round_id in round_index_of:
            past.append(matching.PastGroup(round_index_of[pairing.round_id], frozenset(members)))
        said_no = [
            m.person_id
            for m in pairing.members
            if m.response in (Response.DECLINED, Response.ASKED_FOR_SOMEONE_ELSE)
        ]
        for person in said_no:
            never.update(frozenset({person, other}) for other in members if other != person)
    return matching.History(past=tuple(past), never_match=frozenset(never), current_round=current_round)


ROLE_OF = {
    matching.Role.MENTOR: MemberRole.MENTOR,
    matching.Role.MENTEE: MemberRole.MENTEE,
    matching.Role.BUDDY: MemberRole.BUDDY,
    matching.Role.NEWCOMER: MemberRole.NEWCOMER,
    matching.Role.PEER: MemberRole.PEER,
    matching.Role.MEMBER: MemberRole.PEER,
}
GUIDING_ROLES = frozenset({MemberRole.MENTOR, MemberRole.BUDDY})
GUIDED_ROLES = frozenset({MemberRole.MENTEE, MemberRole.NEWCOMER})
