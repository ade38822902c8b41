"""How a round ran before it left the serving loop, kept verbatim (from a90d5d9) for the benchmark's `in-loop`
mode only: one transaction from the first read to the last write, `matching.match` called on the event loop.
"""

from __future__ import annotations

import matching
from core import commands
from core.errors import InvalidTransition, PermissionDenied
from core.model import (
    OPEN_STATUSES,
    EnrollmentStatus,
    Intent,
    MatchReason,
    Pairing,
    PairingMember,
    PairingStatus,
    Program,
    Round,
    ScopeKind,
    new_id,
)
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import Notice, notify_all
from core.services.participants import (
    GUIDED_ROLES,
    GUIDING_ROLES,
    ROLE_OF,
    history_for,
    settings_for,
    to_participant,
)
from core.services.rounds import ONE_ROUND_KINDS, RoundOutcome, _seed, _shared_goal


async def _close_previous(
    uow: UnitOfWork, program: Program, pairings: list[Pairing], clock: Clock
) -> tuple[list[Pairing], list[Pairing]]:
    """Unanswered proposals expire; one-round pairings complete; unpublished course drafts are discarded.

    Returns the pairings still running, and those that stay in the program's history.
    """
    now, running, kept = clock.now(), [], []
    for pairing in pairings:
        if pairing.status is PairingStatus.PROPOSED and program.scope_kind is ScopeKind.LMS_COURSE:
            await uow.pairings.delete(program.organization_id, pairing.id)  # an unpublished draft: form anew
            continue
        kept.append(pairing)
        if pairing.status is PairingStatus.PROPOSED or (
            program.kind in ONE_ROUND_KINDS and pairing.status is PairingStatus.ACCEPTED
        ):
            pairing.end(now, None)
            await uow.pairings.save(pairing)
        elif pairing.status is PairingStatus.ACTIVE and program.kind in ONE_ROUND_KINDS:
            pairing.complete(now, None)
            await uow.pairings.save(pairing)
        elif pairing.status in OPEN_STATUSES:
            running.append(pairing)
    return running, kept


async def run_round(cmd: commands.RunRound, uow: UnitOfWork, clock: Clock) -> RoundOutcome:
    async with uow:
        org = cmd.organization_id
        program = await _lookups.program(uow, org, cmd.program_id)
        if cmd.actor_id is not None and not program.is_facilitator(cmd.actor_id):
            raise PermissionDenied("Only the program's facilitators can run a round.")
        if not program.active:
            raise InvalidTransition(f"The program '{program.name}' is not running, so no round can start.")
        if program.needs_facilitator:
            raise InvalidTransition(
                f"'{program.name}' has no facilitator, so it is paused. A team owner can take it over."
            )
        now = clock.now()
        today = now.date()

        running, past = await _close_previous(
            uow, program, await uow.pairings.for_program(org, program.id), clock
        )
        recent = await uow.rounds.recent(org, program.id, max(program.cooldown_rounds, 1) + 1)
        index = recent[0].index + 1 if recent else 1
        history = history_for(past, {r.id: r.index for r in recent}, index)

        guiding = {pid: 0 for p in running for pid in p.member_ids()}
        busy: set[str] = set()
        for pairing in running:
            for member in pairing.members:
                if member.role in GUIDING_ROLES:
                    guiding[member.person_id] += 1
                elif member.role in GUIDED_ROLES or program.kind in ONE_ROUND_KINDS:
                    busy.add(member.person_id)

        enrollments = [
            e
            for e in await uow.enrollments.for_program(org, program.id)
            if e.is_available_on(today) and e.has_current_consent(program) and e.person_id not in busy
        ]
        changed: set[str] = set()  # enrollments to store: only these differ from what was read
        for e in enrollments:
            if e.status is EnrollmentStatus.PAUSED:  # the pause has run out: taking part again
                e.resume()
                changed.add(e.id)
        people = {p.id: p for p in await uow.persons.many(org, [e.person_id for e in enrollments])}
        profiles = {p.person_id: p for p in await uow.profiles.many(org, list(people))}
        # Attributes for diversity rules (e.g. a course section), keyed by person, as the course settings keep them.
        attributes = program.settings.member_attributes
        participants = [
            to_participant(
                people[e.person_id],
                profiles.get(e.person_id),
                e.role,
                now=now,
                active_mentees=guiding.get(e.person_id, 0),
                unmatched_last_round=e.unmatched_last_round,
                attributes=attributes.get(e.person_id),
            )
            for e in enrollments
            if e.person_id in people and not people[e.person_id].erased
        ]
        result = matching.match(
            participants, settings_for(program), history, cmd.seed or _seed(program, index)
        )

        round_ = Round(new_id(), org, program.id, index, now)
        await uow.rounds.save(round_)
        goals = {person: profile.goals for person, profile in profiles.items()}
        created = []
        for match in result.matches:
            pairing = Pairing(
                id=new_id(),
                organization_id=org,
                program_id=program.id,
                round_id=round_.id,
                members=[
                    PairingMember(m, ROLE_OF[r]) for m, r in zip(match.members, match.roles, strict=True)
                ],
                created_at=now,
                shared_goal=_shared_goal(match, goals),
                skill=match.skill,
                score=round(match.score, 4),
                reasons=[MatchReason(r.factor, round(r.contribution, 4), r.text) for r in match.reasons],
            )
            created.append(pairing)
        await uow.pairings.add_new(created)
        unmatched = [(u.participant_id, u.text) for u in result.unmatched]
        left_out = {person for person, _ in unmatched}
        for e in enrollments:
            if e.unmatched_last_round != (e.person_id in left_out):
                e.unmatched_last_round = e.person_id in left_out
                changed.add(e.id)
            if e.id in changed:
                await uow.enrollments.save(e)

        if program.scope_kind is ScopeKind.TEAMS_TEAM:
            # Course groups are drafts until the instructor publishes them; Teams programs tell people now.
            notices: list[Notice] = [
                (pairing.member_ids(), Intent.PAIRING_PROPOSED, pairing.id, None) for pairing in created
            ]
            notices += [
                ([person], Intent.UNMATCHED, round_.id, {"reason": reason}) for person, reason in unmatched
            ]
            await notify_all(uow, clock, org, notices)
        await uow.commit()
        return RoundOutcome(round_, created, unmatched)
