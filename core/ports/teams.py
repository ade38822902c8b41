"""What the bot needs from storage besides the core's unit of work (implemented by `storage.bot_store`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from core.model.conversations import ConversationScope, StoredConversation
from core.ports import UnitOfWork


class BotStore(Protocol):
    def bound(self, uow: UnitOfWork) -> BotStore:
        """This store inside `uow`'s open transaction: its writes commit (or roll back) with the unit of work."""
        ...

    async def claim_activity(self, key: str, at: datetime) -> bool: ...
    async def save_conversation(self, conversation: StoredConversation) -> None: ...
    async def conversation(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None: ...
    async def add_team_members(
        self, organization_id: str, team_id: str, person_ids: list[str], owners: Collection[str] = ()
    ) -> None: ...
    async def remove_team_member(self, organization_id: str, team_id: str, person_id: str) -> None: ...
    async def is_team_member(self, organization_id: str, team_id: str, person_id: str) -> bool: ...
