"""The Teams door's own rows on the unit of work: conversation references and handled activity ids.

Both join the unit of work's transaction: a turn claims its activity id, keeps the person's 1:1 chat and
runs its command in one transaction, so a refused turn leaves no claim behind and a delete in the same turn
erases the reference again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.model.conversations import ConversationScope, StoredConversation
from storage.models import PersonRow
from storage.models_bot import ConversationReferenceRow, ProcessedActivityRow
from storage.repositories._chunks import chunks

REPLAY_WINDOW = timedelta(hours=24)
"""How long a handled activity id is kept: Teams retries a delivery within seconds to minutes, never a day on."""
PRUNE_EVERY = 500  # claims between two prunings, per process
PRUNE_BATCH = 5000  # rows deleted at most per pruning, so a backlog never makes one turn slow


class Countdown:
    """Every `every`-th call is due; the first call of a process is due too (it prunes what a restart left)."""

    def __init__(self, every: int) -> None:
        self.every, self.left = every, 1

    def due(self) -> bool:
        self.left -= 1
        if self.left > 0:
            return False
        self.left = self.every
        return True


PRUNING = Countdown(PRUNE_EVERY)  # one per process, shared by every unit of work


def upsert(session: AsyncSession, model: Any, values: Any) -> Any:
    """An INSERT that can say ON CONFLICT, in the dialect of the session's database."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return postgresql.insert(model).values(values)
    return sqlite.insert(model).values(values)


class SqlActivityClaimRepository:
    def __init__(self, session: AsyncSession, pruning: Countdown | None = None) -> None:
        self.session = session
        self._pruning = pruning if pruning is not None else PRUNING

    async def claim(self, key: str, at: datetime) -> bool:
        """True the first time a key is seen; False for a replay (nothing written, the transaction goes on).

        `ON CONFLICT DO NOTHING` rather than catching the unique violation: on PostgreSQL a failed statement
        would end the whole unit of work's transaction."""
        statement = upsert(self.session, ProcessedActivityRow, {"key": key[:300], "received_at": at})
        result = await self.session.execute(statement.on_conflict_do_nothing())
        if not getattr(result, "rowcount", 0):
            return False
        if self._pruning.due():
            await self._prune(at - REPLAY_WINDOW)
        return True

    async def _prune(self, before: datetime) -> int:
        """Forget handled ids older than the replay window, oldest first, at most `PRUNE_BATCH` of them."""
        old = (
            select(ProcessedActivityRow.key)
            .where(ProcessedActivityRow.received_at < before)
            .order_by(ProcessedActivityRow.received_at)
            .limit(PRUNE_BATCH)
        )
        result = await self.session.execute(
            delete(ProcessedActivityRow).where(ProcessedActivityRow.key.in_(old.scalar_subquery()))
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, conversation: StoredConversation) -> None:
        """Insert or update the reference in one statement, so that two turns storing the same new reference
        at once both succeed. A person's 1:1 chat is not written for someone who deleted their data."""
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
        if conversation.scope is ConversationScope.PERSONAL and not await self._may_reach(
            conversation.organization_id, conversation.key
        ):
            return  # the person deleted their data meanwhile: nothing may write them back
        statement = upsert(self.session, ConversationReferenceRow, values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["organization_id", "scope", "key"],
                set_={
                    k: statement.excluded[k] for k in values if k not in ("organization_id", "scope", "key")
                },
            )
        )

    async def get(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None:
        found = await self.many(organization_id, scope, [key])
        return found.get(key)

    async def many(
        self, organization_id: str, scope: ConversationScope, keys: Sequence[str]
    ) -> dict[str, StoredConversation]:
        """The stored conversations of `keys` (person ids or team ids), in one query; absent keys left out."""
        found: dict[str, StoredConversation] = {}
        for some in chunks(sorted(set(keys))):
            rows = await self.session.scalars(
                select(ConversationReferenceRow).where(
                    ConversationReferenceRow.organization_id == organization_id,
                    ConversationReferenceRow.scope == scope.value,
                    ConversationReferenceRow.key.in_(some),
                )
            )
            found.update((row.key, conversation_from_row(row)) for row in rows)
        return found

    async def _may_reach(self, organization_id: str, person_id: str) -> bool:
        """Whether the person exists and is not erased, holding a share lock on their row until commit.

        A delete first updates that row, then deletes the person's references: with the lock, a reference
        written here either commits before the delete starts (and the delete removes it), or waits for the
        delete and then finds the person erased. SQLite runs one writer at a time and needs no lock."""
        erased = await self.session.scalar(
            select(PersonRow.erased)
            .where(PersonRow.organization_id == organization_id, PersonRow.id == person_id)
            .with_for_update(read=True)
        )
        return erased is False


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
