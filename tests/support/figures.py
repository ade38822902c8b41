"""A program's figures (`core.model.figures`) computed from its objects, one by one: the definition the
database's counts (`storage.repositories.figures`) are held to, and what the fake unit of work answers."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Sequence

from core.model import CheckIn, Enrollment, EnrollmentStatus, Pairing, PairingStatus, Profile, Response, Round
from core.model.figures import Figure, ProgramTally, Ratings, RoundTally, SkillTally

SAID_NO = frozenset({Response.DECLINED, Response.ASKED_FOR_SOMEONE_ELSE})


def _answers(pairings: Sequence[Pairing]) -> tuple[Figure, Figure]:
    answers = [m for p in pairings for m in p.members if m.response is not Response.PENDING]
    deciders = len({m.person_id for m in answers})
    accepted = sum(m.response is Response.ACCEPTED for m in answers)
    return Figure(accepted, deciders), Figure(sum(m.response in SAID_NO for m in answers), deciders)


def _meetings(check_ins: Sequence[CheckIn]) -> Figure:
    return Figure(len({c.pairing_id for c in check_ins if c.met}), len({c.person_id for c in check_ins}))


def _rated(check_ins: Sequence[CheckIn]) -> Ratings:
    rated = [c for c in check_ins if c.met and c.usefulness is not None]
    return Ratings(sum(c.usefulness or 0 for c in rated), len(rated), len({c.person_id for c in rated}))


def tally_of(
    enrollments: Sequence[Enrollment],
    pairings: Sequence[Pairing],
    check_ins: Sequence[CheckIn],
    profiles: Sequence[Profile],
    rounds: Sequence[Round],
    erased: Collection[str] = (),
) -> ProgramTally:
    """`profiles`: everyone's who has one (only those of people still in the program count); `erased`: people
    who deleted their data, counted nowhere."""
    pairings = [
        dataclasses.replace(p, members=[m for m in p.members if m.person_id not in erased]) for p in pairings
    ]
    check_ins = [c for c in check_ins if c.person_id not in erased]
    staying = {e.person_id for e in enrollments if e.status is not EnrollmentStatus.LEFT}
    wanted: Counter[str] = Counter()
    taught: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for profile in profiles:
        if profile.person_id not in staying:
            continue
        for skill in profile.learns:
            wanted[skill.key] += 1
            labels[skill.key] = min(labels.get(skill.key, skill.label), skill.label)
        for key in {s.key for s in profile.teaches}:
            taught[key] += 1
    accepted, declined = _answers(pairings)
    rated = [c for c in check_ins if c.met and c.usefulness is not None]
    per_round = []
    for round_ in rounds:
        mine = [p for p in pairings if p.round_id == round_.id]
        ids = {p.id for p in mine}
        r_accepted, r_declined = _answers(mine)
        per_round.append(
            RoundTally(
                round_id=round_.id,
                opted_in=sum(e.consented_at <= round_.opened_at for e in enrollments),
                proposals=len(mine),
                matched=len({m.person_id for p in mine for m in p.members}),
                accepted=r_accepted,
                declined=r_declined,
                meetings_held=_meetings([c for c in check_ins if c.pairing_id in ids]),
                rated=_rated([c for c in check_ins if c.pairing_id in ids]),
            )
        )
    return ProgramTally(
        statuses=dict(Counter(e.status for e in enrollments)),
        proposals=len(pairings),
        accepted=accepted,
        declined=declined,
        waiting=sum(
            m.response is Response.PENDING
            for p in pairings
            if p.status is PairingStatus.PROPOSED
            for m in p.members
        ),
        check_ins=Figure(len(check_ins), len({c.person_id for c in check_ins})),
        meetings_held=_meetings(check_ins),
        ratings=dict(Counter(c.usefulness for c in rated if c.usefulness is not None)),
        raters=len({c.person_id for c in rated}),
        skills=sorted(
            (SkillTally(k, labels[k], n, taught[k]) for k, n in wanted.items()), key=lambda s: s.key
        ),
        rounds=per_round,
    )
