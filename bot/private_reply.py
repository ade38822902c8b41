"""Answering a person in their own 1:1 chat with the bot, when they asked somewhere others can read.

The 1:1 chat is opened (or found: Teams answers with the existing one) through the Bot Connector, from the
conversation the person wrote in, the way Teams bots reach a member proactively. When that is refused
(the app is not installed for the person and cannot be), the shared note says how to open the 1:1 chat
instead: nothing personal is ever posted where they asked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import ChannelAccount, ConversationParameters

from adaptive_cards import onboarding
from adaptive_cards.elements import Card
from bot.actions import Services
from bot.turns import stored_conversation, tenant_of
from core import commands
from core.model import Person
from core.model.conversations import ConversationScope

log = logging.getLogger("peerlearn.bot")

SENT = "I sent you the answer in our 1:1 chat: it is personal, so it is not shown here."
NOT_SENT = (
    "That is personal, so I answer it only in our 1:1 chat, and I could not open it for you. "
    "Open it with the link below and ask me there."
)


def chat_link(bot_id: str) -> str:
    """A Teams deep link that opens the 1:1 chat with the bot."""
    return f"https://teams.microsoft.com/l/chat/0/0?users={quote(bot_id, safe=':')}"


def note_card(sent: bool, bot_id: str) -> Card:
    """What everyone in the shared conversation may see: that an answer went elsewhere, never the answer."""
    return onboarding.private_note(SENT if sent else NOT_SENT, None if sent else chat_link(bot_id))


class PrivateReplies:
    def __init__(self, services: Services, adapter: Any, app_id: str) -> None:
        self.services, self.adapter, self.app_id = services, adapter, app_id

    async def send(
        self,
        turn_context: TurnContext,
        organization_id: str,
        person: Person,
        card: Card,
        followups: Sequence[str] = (),
    ) -> bool:
        """Send `card` (then `followups`) to the person's 1:1 chat; False when Teams refused it."""
        activity = turn_context.activity
        if person.teams is None or activity.recipient is None:
            return False
        tenant = tenant_of(activity)
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=activity.recipient.id),
            members=[ChannelAccount(id=person.teams.teams_user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )

        async def deliver(personal: TurnContext) -> None:
            await self.services.bus.handle(
                commands.KeepConversation(
                    stored_conversation(
                        personal, organization_id, ConversationScope.PERSONAL, person.id, self.services.clock
                    )
                )
            )
            await personal.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
            for text in followups:
                await personal.send_activity(MessageFactory.text(text))

        try:
            await self.adapter.create_conversation(
                self.app_id,
                deliver,
                parameters,
                activity.channel_id or "msteams",
                activity.service_url,
                None,
            )
        except Exception as error:  # the connector is another service; the shared note then says what to do
            log.warning("could not answer in the 1:1 chat", extra={"error": type(error).__name__})
            return False
        return True
