"""The Teams bot's own rows: conversation references, team rosters, handled activity ids.

Each call is its own short transaction: these rows are bookkeeping around a turn, not part of the
use case the turn runs (that one has its unit of work)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model.conversations import ConversationScope, StoredConversation
from storage.models_bot import ConversationReferenceRow, ProcessedActivityRow, TeamMemberRow


class SqlBotStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def claim_activity(self, key: str, at: datetime) -> bool:
        """True the first time a key is seen; False for a replay (and nothing is written)."""
        async with self.sessions() as session:
            session.add(ProcessedActivityRow(key=key[:300], received_at=at))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def save_conversation(self, conversation: StoredConversation) -> None:
        for attempt in (1, 2):
            async with self.sessions() as session:
                row = await session.scalar(
                    select(ConversationReferenceRow).where(
                        ConversationReferenceRow.organization_id == conversation.organization_id,
                        ConversationReferenceRow.scope == conversation.scope.value,
                        ConversationReferenceRow.key == conversation.key,
                    )
                )
                if row is None:
                    row = ConversationReferenceRow(
                        organization_id=conversation.organization_id,
                        scope=conversation.scope.value,
                        key=conversation.key,
                    )
                    session.add(row)
                row.conversation_id = conversation.conversation_id
                row.service_url = conversation.service_url
                row.channel_id = conversation.channel_id
                row.tenant_id = conversation.tenant_id
                row.bot_id = conversation.bot_id
                row.reference = dict(conversation.reference)
                row.updated_at = conversation.updated_at
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    # Two turns stored the same new reference at once: the second try updates the first's row.
                    await session.rollback()
                    if attempt == 2:
                        raise

    async def conversation(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None:
        async with self.sessions() as session:
            row = await session.scalar(
                select(ConversationReferenceRow).where(
                    ConversationReferenceRow.organization_id == organization_id,
                    ConversationReferenceRow.scope == scope.value,
                    ConversationReferenceRow.key == key,
                )
            )
            if row is None:
                return None
            return StoredConversation(
                organization_id=row.organization_id,
                scope=ConversationScope(row.scope),
                key=row.key,
                conversation_id=row.conversation_id,
                service_url=row.service_url,
                tenant_id=row.tenant_id,
                bot_id=row.bot_id,
                updated_at=row.updated_at,
                channel_id=row.channel_id,
                reference=dict(row.reference or {}),
            )

    async def add_team_members(self, organization_id: str, team_id: str, person_ids: list[str]) -> None:
        async with self.sessions() as session:
            existing = set(
                await session.scalars(
                    select(TeamMemberRow.person_id).where(
                        TeamMemberRow.organization_id == organization_id, TeamMemberRow.team_id == team_id
                    )
                )
            )
            for person_id in dict.fromkeys(person_ids):
                if person_id not in existing:
                    session.add(
                        TeamMemberRow(organization_id=organization_id, team_id=team_id, person_id=person_id)
                    )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # a concurrent turn added the same member: already there

    async def remove_team_member(self, organization_id: str, team_id: str, person_id: str) -> None:
        async with self.sessions() as session:
            await session.execute(
                delete(TeamMemberRow).where(
                    TeamMemberRow.organization_id == organization_id,
                    TeamMemberRow.team_id == team_id,
                    TeamMemberRow.person_id == person_id,
                )
            )
            await session.commit()

    async def is_team_member(self, organization_id: str, team_id: str, person_id: str) -> bool:
        async with self.sessions() as session:
            found = await session.scalar(
                select(TeamMemberRow.person_id).where(
                    TeamMemberRow.organization_id == organization_id,
                    TeamMemberRow.team_id == team_id,
                    TeamMemberRow.person_id == person_id,
                )
            )
            return found is not None

    async def forget_person(self, organization_id: str, person_id: str) -> None:
        """Delete what the bot keeps about a person (their chat reference and team memberships)."""
        async with self.sessions() as session:
            await session.execute(
                delete(ConversationReferenceRow).where(
                    ConversationReferenceRow.organization_id == organization_id,
                    ConversationReferenceRow.scope == ConversationScope.PERSONAL.value,
                    ConversationReferenceRow.key == person_id,
                )
            )
            await session.execute(
                delete(TeamMemberRow).where(
                    TeamMemberRow.organization_id == organization_id, TeamMemberRow.person_id == person_id
                )
            )
            await session.commit()
