"""Teams rosters as the bot last read them: who is in a team, and who owns it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models_bot import TeamMemberRow

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
