"""What the Teams door needs besides the domain: conversations and replay claims (repositories on the unit of
work, `storage.repositories.teams`), and people's calendars through Graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.model.conversations import ConversationScope, StoredConversation


class ConversationRepository(Protocol):
    """Where the bot can reach people, teams and chats again (Teams' conversation references)."""

    async def save(self, conversation: StoredConversation) -> None:
        """Insert or update; a person's 1:1 chat is not written once they deleted their data."""
        ...

    async def get(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None: ...

    async def many(
        self, organization_id: str, scope: ConversationScope, keys: Sequence[str]
    ) -> dict[str, StoredConversation]:
        """The stored conversations of `keys` (person ids or team ids), in one query; absent keys left out."""
        ...


class ActivityClaimRepository(Protocol):
    """Activity ids already handled: Teams retries a delivery, and a retried turn must not act twice."""

    async def claim(self, key: str, at: datetime) -> bool:
        """True the first time `key` is seen in this unit of work's transaction; False for a replay."""
        ...


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
