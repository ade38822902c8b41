"""Teams rosters as the bot last read them: who is in a team, and who owns it."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_bot import TeamMemberRow
from storage.repositories.teams import upsert

OWNER = "owner"


class SqlTeamRosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def owners(self, organization_id: str, team_id: str) -> list[str]:
        found = await self.session.scalars(
            select(TeamMemberRow.person_id)
            .where(
                TeamMemberRow.organization_id == organization_id,
                TeamMemberRow.team_id == team_id,
                TeamMemberRow.role == OWNER,
            )
            .order_by(TeamMemberRow.person_id)
        )
        return list(found)

    async def members(self, organization_id: str, team_id: str) -> list[str]:
        found = await self.session.scalars(
            select(TeamMemberRow.person_id)
            .where(TeamMemberRow.organization_id == organization_id, TeamMemberRow.team_id == team_id)
            .order_by(TeamMemberRow.person_id)
        )
        return list(found)

    async def is_member(self, organization_id: str, team_id: str, person_id: str) -> bool:
        found = await self.session.scalar(
            select(TeamMemberRow.person_id).where(
                TeamMemberRow.organization_id == organization_id,
                TeamMemberRow.team_id == team_id,
                TeamMemberRow.person_id == person_id,
            )
        )
        return found is not None

    async def add_members(
        self, organization_id: str, team_id: str, person_ids: Sequence[str], owners: Collection[str] = ()
    ) -> None:
        """Record members (idempotent under concurrency); `owners` are recorded with the role "owner"."""
        rows = [
            {
                "organization_id": organization_id,
                "team_id": team_id,
                "person_id": person_id,
                "role": OWNER if person_id in owners else "user",
            }
            for person_id in dict.fromkeys(person_ids)
        ]
        if not rows:
            return
        statement = upsert(self.session, TeamMemberRow, rows)
        if owners:
            statement = statement.on_conflict_do_update(
                index_elements=["organization_id", "team_id", "person_id"],
                set_={"role": statement.excluded.role},
            )
        else:  # a join event does not say who owns the team: keep what the roster said
            statement = statement.on_conflict_do_nothing()
        await self.session.execute(statement)

    async def remove_member(self, organization_id: str, team_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(TeamMemberRow).where(
                TeamMemberRow.organization_id == organization_id,
                TeamMemberRow.team_id == team_id,
                TeamMemberRow.person_id == person_id,
            )
        )
