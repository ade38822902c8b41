"""Reads of the Teams door's own records: a stored conversation, whether someone is in a team."""

from __future__ import annotations

from core.model.conversations import ConversationScope, StoredConversation
from core.ports import UnitOfWork


async def conversation(
    organization_id: str, scope: ConversationScope, key: str, uow: UnitOfWork
) -> StoredConversation | None:
    return await uow.conversations.get(organization_id, scope, key)


async def conversations(
    organization_id: str, scope: ConversationScope, keys: list[str], uow: UnitOfWork
) -> dict[str, StoredConversation]:
    return await uow.conversations.many(organization_id, scope, keys)


async def is_team_member(organization_id: str, team_id: str, person_id: str, uow: UnitOfWork) -> bool:
    return await uow.rosters.is_member(organization_id, team_id, person_id)
