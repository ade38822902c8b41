"""What the bot needs from storage besides the core's unit of work (implemented by `storage.bot_store`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class MailboxSettings:
    """What a person's Outlook mailbox says about them: their time zone, and their working hours as hours of
    the week on that zone's clock (0 = Monday 00:00–01:00; empty when not set or not in that zone)."""

    timezone: str | None
    working_hours: frozenset[int] = frozenset()


Busy = Sequence[tuple[datetime, datetime]]  # aware instants, start inclusive, end exclusive


class Calendars(Protocol):
    """People's calendars as Microsoft Graph gives them, where the organisation grants it. Every answer may
    be None: not configured, not permitted, or not reachable now; callers then go on without it."""

    async def mailbox_settings(self, aad_object_id: str) -> MailboxSettings | None: ...

    async def busy(
        self, asked_as: str, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Busy] | None:
        """When each of `emails` is busy between `start` and `end`, by email (lower case); `asked_as` is the
        Entra object id of one of them (Graph reads schedules on behalf of a mailbox)."""
        ...
