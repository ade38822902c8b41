"""The Teams bot's own rows: conversation references, team rosters, handled activity ids.

Each call is its own short transaction, except through `bound(uow)`: then the calls join that unit of
work's transaction, so that a turn claims its activity id, runs its use case and commits once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model.conversations import ConversationScope, StoredConversation
from storage.models import PersonRow
from storage.models_bot import ConversationReferenceRow, ProcessedActivityRow, TeamMemberRow

REPLAY_WINDOW = timedelta(hours=24)
"""How long a handled activity id is kept: Teams retries a delivery within seconds to minutes, never a day on."""
PRUNE_EVERY = 500  # claims between two prunings, per process
PRUNE_BATCH = 5000  # rows deleted at most per pruning, so a backlog never makes one turn slow


class _Countdown:
    def __init__(self, every: int) -> None:
        self.every, self.left = every, 1  # the first claim of a process prunes what a restart left behind

    def due(self) -> bool:
        self.left -= 1
        if self.left > 0:
            return False
        self.left = self.every
        return True


class SqlBotStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], prune_every: int = PRUNE_EVERY) -> None:
        self.sessions = sessions
        self._pruning = _Countdown(prune_every)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def _commit(self, session: AsyncSession) -> None:
        await session.commit()

    def bound(self, uow: Any) -> SqlBotStore:
        """The same store inside `uow`'s transaction (a `SqlUnitOfWork`, entered): nothing commits on its own."""
        bound = _BoundBotStore(self.sessions, uow)
        bound._pruning = self._pruning
        return bound

    async def claim_activity(self, key: str, at: datetime) -> bool:
        """True the first time a key is seen; False for a replay (and nothing is written).

        Inside a unit of work, claim first: on PostgreSQL a refused claim ends the transaction."""
        async with self._session() as session:
            try:  # a plain INSERT: the ORM's flush machinery cost more than the statement itself
                await session.execute(insert(ProcessedActivityRow).values(key=key[:300], received_at=at))
            except IntegrityError:
                await session.rollback()
                return False
            if self._pruning.due():
                await self._prune(session, at - REPLAY_WINDOW)
            await self._commit(session)
            return True

    @staticmethod
    async def _prune(session: AsyncSession, before: datetime) -> int:
        """Forget handled ids older than the replay window, oldest first, at most `PRUNE_BATCH` of them."""
        old = (
            select(ProcessedActivityRow.key)
            .where(ProcessedActivityRow.received_at < before)
            .order_by(ProcessedActivityRow.received_at)
            .limit(PRUNE_BATCH)
        )
        result = await session.execute(
            delete(ProcessedActivityRow).where(ProcessedActivityRow.key.in_(old.scalar_subquery()))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def save_conversation(self, conversation: StoredConversation) -> None:
        """Insert or update the reference in one statement, so that two turns storing the same new
        reference at once both succeed, also inside a turn's transaction (`bound`)."""
        values = {
            "organization_id": conversation.organization_id,
            "scope": conversation.scope.value,
            "key": conversation.key,
            "conversation_id": conversation.conversation_id,
            "service_url": conversation.service_url,
            "channel_id": conversation.channel_id,
            "tenant_id": conversation.tenant_id,
            "bot_id": conversation.bot_id,
            "reference": dict(conversation.reference),
            "updated_at": conversation.updated_at,
        }
        async with self._session() as session:
            if conversation.scope is ConversationScope.PERSONAL and not await _may_reach(
                session, conversation.organization_id, conversation.key
            ):
                return  # the person deleted their data meanwhile: nothing may write them back
            statement = _upsert(session, ConversationReferenceRow, values)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["organization_id", "scope", "key"],
                    set_={
                        k: statement.excluded[k]
                        for k in values
                        if k not in ("organization_id", "scope", "key")
                    },
                )
            )
            await self._commit(session)

    async def conversation(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None:
        async with self._session() as session:
            row = await session.scalar(
                select(ConversationReferenceRow).where(
                    ConversationReferenceRow.organization_id == organization_id,
                    ConversationReferenceRow.scope == scope.value,
                    ConversationReferenceRow.key == key,
                )
            )
            return None if row is None else conversation_from_row(row)

    async def add_team_members(
        self, organization_id: str, team_id: str, person_ids: list[str], owners: Collection[str] = ()
    ) -> None:
        """Record members (idempotent under concurrency); `owners` are recorded with the role "owner"."""
        rows = [
            {
                "organization_id": organization_id,
                "team_id": team_id,
                "person_id": person_id,
                "role": "owner" if person_id in owners else "user",
            }
            for person_id in dict.fromkeys(person_ids)
        ]
        if not rows:
            return
        async with self._session() as session:
            statement = _upsert(session, TeamMemberRow, rows)
            if owners:
                statement = statement.on_conflict_do_update(
                    index_elements=["organization_id", "team_id", "person_id"],
                    set_={"role": statement.excluded.role},
                )
            else:  # a join event does not say who owns the team: keep what the roster said
                statement = statement.on_conflict_do_nothing()
            await session.execute(statement)
            await self._commit(session)

    async def remove_team_member(self, organization_id: str, team_id: str, person_id: str) -> None:
        async with self._session() as session:
            await session.execute(
                delete(TeamMemberRow).where(
                    TeamMemberRow.organization_id == organization_id,
                    TeamMemberRow.team_id == team_id,
                    TeamMemberRow.person_id == person_id,
                )
            )
            await self._commit(session)

    async def is_team_member(self, organization_id: str, team_id: str, person_id: str) -> bool:
        async with self._session() as session:
            found = await session.scalar(
                select(TeamMemberRow.person_id).where(
                    TeamMemberRow.organization_id == organization_id,
                    TeamMemberRow.team_id == team_id,
                    TeamMemberRow.person_id == person_id,
                )
            )
            return found is not None


def conversation_from_row(row: ConversationReferenceRow) -> StoredConversation:
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


async def _may_reach(session: AsyncSession, organization_id: str, person_id: str) -> bool:
    """Whether the person exists and is not erased, holding a share lock on their row until commit.

    A delete first updates that row, then deletes the person's references: with the lock, a reference
    written here either commits before the delete starts (and the delete removes it), or waits for the
    delete and then finds the person erased. SQLite runs one writer at a time and needs no lock."""
    erased = await session.scalar(
        select(PersonRow.erased)
        .where(PersonRow.organization_id == organization_id, PersonRow.id == person_id)
        .with_for_update(read=True)
    )
    return erased is False


def _upsert(session: AsyncSession, model: Any, values: Any) -> Any:
    """An INSERT that can say ON CONFLICT, in the dialect of the session's database."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return postgresql.insert(model).values(values)
    return sqlite.insert(model).values(values)


class _BoundBotStore(SqlBotStore):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], uow: Any) -> None:
        super().__init__(sessions)
        self.uow = uow

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        yield self.uow.session

    async def _commit(self, session: AsyncSession) -> None:
        await session.flush()
