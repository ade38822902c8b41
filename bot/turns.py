"""Who is acting in a turn, and where: read from the activity, then checked against storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from core.model.conversations import ConversationScope, StoredConversation
from core.ports import Clock


@dataclass(frozen=True)
class Actor:
    tenant_id: str
    aad_object_id: str
    teams_user_id: str
    name: str


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def tenant_of(activity: Activity) -> str:
    conversation = activity.conversation
    tenant = getattr(conversation, "tenant_id", None) if conversation is not None else None
    if not tenant:
        found = _channel_data(activity).get("tenant")
        tenant = found.get("id") if isinstance(found, dict) else None
    return tenant if isinstance(tenant, str) else ""


def actor_of(activity: Activity) -> Actor | None:
    """The acting user, or None when the activity does not say (then nothing may change)."""
    sender = activity.from_property
    tenant = tenant_of(activity)
    if sender is None or not tenant or not sender.aad_object_id or not sender.id:
        return None
    return Actor(tenant, str(sender.aad_object_id)[:64], str(sender.id)[:255], str(sender.name or ""))


def team_id_of(activity: Activity) -> str | None:
    team = _channel_data(activity).get("team")
    team_id = team.get("id") if isinstance(team, dict) else None
    return team_id if isinstance(team_id, str) and team_id else None


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation is not None else None
    return kind in (None, "personal") and team_id_of(activity) is None


def replay_key(activity: Activity) -> str | None:
    if not activity.id or activity.conversation is None:
        return None
    return f"{activity.channel_id}|{activity.conversation.id}|{activity.id}"


def stored_conversation(
    turn_context: TurnContext, organization_id: str, scope: ConversationScope, key: str, clock: Clock
) -> StoredConversation:
    activity = turn_context.activity
    reference = TurnContext.get_conversation_reference(activity)
    return StoredConversation(
        organization_id=organization_id,
        scope=scope,
        key=key,
        conversation_id=str(activity.conversation.id),
        service_url=str(activity.service_url or ""),
        tenant_id=tenant_of(activity),
        bot_id=str(activity.recipient.id if activity.recipient else ""),
        updated_at=clock.now(),
        channel_id=str(activity.channel_id or "msteams"),
        reference=reference.serialize(),
    )
