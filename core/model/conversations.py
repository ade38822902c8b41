"""Where the bot can reach someone proactively: a stored Bot Framework conversation reference."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ConversationScope(enum.StrEnum):
    PERSONAL = "personal"  # `key` is the person's id
    TEAM = "team"  # `key` is the Teams team id; the conversation is its General channel


@dataclass(frozen=True)
class StoredConversation:
    organization_id: str
    scope: ConversationScope
    key: str
    conversation_id: str
    service_url: str
    tenant_id: str
    bot_id: str
    updated_at: datetime
    channel_id: str = "msteams"
    reference: dict[str, object] = field(default_factory=dict)
