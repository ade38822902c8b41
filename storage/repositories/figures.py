"""A program's figures counted by the database (`core.model.figures`): a handful of GROUP BY queries in place of
making every enrollment, pairing and profile of the program into objects."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import EnrollmentStatus, PairingStatus, Response
from core.model.figures import Figure, ProgramTally, Ratings, RoundTally, SkillTally
from storage.models import (
    CheckInRow,
    EnrollmentRow,
    PairingMemberRow,
    PairingRow,
    PersonRow,
    ProfileSkillRow,
    RoundRow,
)

SAID_NO = (Response.DECLINED.value, Response.ASKED_FOR_SOMEONE_ELSE.value)


def _in_pairings(
    row: type[PairingMemberRow] | type[CheckInRow], in_program: Any
) -> Callable[..., Select[Any]]:
    """`select(columns)` over `row`s (members or check-ins) of the program's pairings, of people who have not
    deleted their data."""

    def select_in(*columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .select_from(row)
            .join(
                PairingRow,
                and_(PairingRow.organization_id == row.organization_id, PairingRow.id == row.pairing_id),
            )
            .join(
                PersonRow,
                and_(PersonRow.organization_id == row.organization_id, PersonRow.id == row.person_id),
            )
            .where(in_program, PersonRow.erased.is_(False))
        )

    return select_in


class SqlProgramFigures:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tally(self, organization_id: str, program_id: str, round_ids: Sequence[str]) -> ProgramTally:
        org, program = organization_id, program_id
        in_program = and_(PairingRow.organization_id == org, PairingRow.program_id == program)
        statuses = {
            EnrollmentStatus(status): int(count)
            for status, count in await self.session.execute(
                select(EnrollmentRow.status, func.count())
                .where(EnrollmentRow.organization_id == org, EnrollmentRow.program_id == program)
                .group_by(EnrollmentRow.status)
            )
        }
        proposals = int(await self.session.scalar(select(func.count()).where(in_program)) or 0)

        member, check_in = PairingMemberRow, CheckInRow
        answered = member.response != Response.PENDING.value
        answers = (  # per member of the program's pairings: yes, no, who answered, who was matched, waiting
            func.count().filter(member.response == Response.ACCEPTED.value),
            func.count().filter(member.response.in_(SAID_NO)),
            func.count(distinct(member.person_id)).filter(answered),
            func.count(distinct(member.person_id)),
            func.count().filter(
                member.response == Response.PENDING.value, PairingRow.status == PairingStatus.PROPOSED.value
            ),
        )
        of_members = _in_pairings(member, in_program)
        accepted, declined, deciders, _, waiting = (await self.session.execute(of_members(*answers))).one()
        by_round_answers = await self._by_round(of_members, answers, round_ids)

        met = check_in.met.is_(True)
        rated = and_(met, check_in.usefulness.is_not(None))
        said = (  # per check-in on the program's pairings: how many, by whom, meetings held, who rated
            func.count(),
            func.count(distinct(check_in.person_id)),
            func.count(distinct(check_in.pairing_id)).filter(met),
            func.count(distinct(check_in.person_id)).filter(rated),
            func.coalesce(func.sum(check_in.usefulness).filter(rated), 0),
            func.count().filter(rated),
        )
        of_check_ins = _in_pairings(check_in, in_program)
        count, checked_in, meetings, raters, _, _ = (await self.session.execute(of_check_ins(*said))).one()
        by_round_check_ins = await self._by_round(of_check_ins, said, round_ids)
        ratings = {
            int(rating): int(n)
            for rating, n in await self.session.execute(
                of_check_ins(check_in.usefulness, func.count()).where(rated).group_by(check_in.usefulness)
            )
        }
        opted_in = {
            round_id: int(n)
            for round_id, n in await self.session.execute(
                select(RoundRow.id, func.count(EnrollmentRow.id))
                .outerjoin(
                    EnrollmentRow,
                    and_(
                        EnrollmentRow.organization_id == RoundRow.organization_id,
                        EnrollmentRow.program_id == RoundRow.program_id,
                        EnrollmentRow.consented_at <= RoundRow.opened_at,
                    ),
                )
                .where(RoundRow.organization_id == org, RoundRow.id.in_(round_ids))
                .group_by(RoundRow.id)
            )
        }
        proposed = {
            round_id: int(n)
            for round_id, n in await self.session.execute(
                select(PairingRow.round_id, func.count())
                .where(in_program, PairingRow.round_id.in_(round_ids))
                .group_by(PairingRow.round_id)
            )
        }
        rounds = []
        for round_id in round_ids:
            r_accepted, r_declined, r_deciders, r_matched, _ = by_round_answers.get(round_id, (0, 0, 0, 0, 0))
            _, r_checked_in, r_meetings, r_raters, r_total, r_rated = by_round_check_ins.get(
                round_id, (0, 0, 0, 0, 0, 0)
            )
            rounds.append(
                RoundTally(
                    round_id=round_id,
                    opted_in=opted_in.get(round_id, 0),
                    proposals=proposed.get(round_id, 0),
                    matched=int(r_matched),
                    accepted=Figure(int(r_accepted), int(r_deciders)),
                    declined=Figure(int(r_declined), int(r_deciders)),
                    meetings_held=Figure(int(r_meetings), int(r_checked_in)),
                    rated=Ratings(int(r_total), int(r_rated), int(r_raters)),
                )
            )
        return ProgramTally(
            statuses=statuses,
            proposals=proposals,
            accepted=Figure(int(accepted), int(deciders)),
            declined=Figure(int(declined), int(deciders)),
            waiting=int(waiting),
            check_ins=Figure(int(count), int(checked_in)),
            meetings_held=Figure(int(meetings), int(checked_in)),
            ratings=ratings,
            raters=int(raters),
            skills=await self._skills(org, program),
            rounds=rounds,
        )

    async def _by_round(
        self, select_in: Callable[..., Select[Any]], columns: tuple[Any, ...], round_ids: Sequence[str]
    ) -> dict[str, Sequence[Any]]:
        rows = await self.session.execute(
            select_in(PairingRow.round_id, *columns)
            .where(PairingRow.round_id.in_(round_ids))
            .group_by(PairingRow.round_id)
        )
        return {row[0]: row[1:] for row in rows}

    async def _skills(self, org: str, program: str) -> list[SkillTally]:
        skill = ProfileSkillRow
        learning = skill.direction == "learn"
        wanted = func.count().filter(learning)
        rows = await self.session.execute(
            select(
                skill.skill_key,
                func.min(skill.label).filter(learning),
                wanted,
                func.count().filter(skill.direction == "teach"),
            )
            .join(
                EnrollmentRow,
                and_(
                    EnrollmentRow.organization_id == skill.organization_id,
                    EnrollmentRow.person_id == skill.person_id,
                ),
            )
            .where(
                EnrollmentRow.organization_id == org,
                EnrollmentRow.program_id == program,
                EnrollmentRow.status != EnrollmentStatus.LEFT.value,
            )
            .group_by(skill.skill_key)
            .having(wanted > 0)
        )
        return sorted(
            (SkillTally(key, label, int(w), int(t)) for key, label, w, t in rows), key=lambda s: s.key
        )
