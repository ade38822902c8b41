"""The Teams activity handler: parse → check the actor → one handler (one core service) → a card."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ChannelAccount
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount

from adaptive_cards import onboarding, verbs
from adaptive_cards.elements import with_refresh
from bot import roster, text_commands
from bot.actions import ActionContext, Handler, Reply, Services
from bot.forms import StaleCard
from bot.turns import actor_of, is_personal, replay_key, team_id_of
from core import commands
from core.errors import DomainError, PermissionDenied
from core.services import identity

log = logging.getLogger("peerlearn.bot")

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# What an automatic refresh may run: views only, never a change.
VIEW_VERBS = frozenset(
    {
        verbs.CHANNEL_VIEW,
        verbs.STATUS,
        verbs.HELP,
        verbs.PROFILE_OPEN,
        verbs.SETUP_OPEN,
        verbs.REPORT_OPEN,
        verbs.PAIRING_VIEW,
        verbs.CHECKIN_OPEN,
    }
)

# Joining or editing a profile is when we ask Teams for the person's UPN (for chat and meeting links).
EMAIL_VERBS = frozenset({verbs.JOIN, verbs.PROFILE_OPEN, verbs.PROFILE_SAVE})


class PeerlearnBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(
        self, services: Services, registry: Mapping[str, Handler], adapter: Any, app_id: str
    ) -> None:
        super().__init__()
        self.services = services
        self.registry = registry
        self.roster = roster.Roster(services, adapter, app_id)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        command = text_commands.parse(turn_context.activity.text)
        data: dict[str, object] = dict(command.data)
        if command.verb == text_commands.FACILITATOR_ADD:
            # Who was @mentioned is in the activity's entities, not its text; asking Teams happens here,
            # before the turn's transaction.
            person_id = await self.roster.mentioned_person(turn_context)
            if person_id is not None:
                data["person_id"] = person_id
        reply = await self._run(turn_context, command.verb, data)
        if not command.understood and turn_context.activity.text:
            await turn_context.send_activity(
                MessageFactory.text("I did not understand that. Here is what I can do:")
            )
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(reply.card)))
        for text in reply.followups:
            await turn_context.send_activity(MessageFactory.text(text))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        # botbuilder 4.17.1 turns the response into a dict that CloudAdapter then fails to serialize:
        # answer with the model object instead (see TOOLS.md).
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        invoke_value = AdaptiveCardInvokeValue(action=value.get("action"))
        response = await self.on_adaptive_card_invoke(turn_context, invoke_value)
        return InvokeResponse(status=200, body=response)

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        action = invoke_value.action if isinstance(invoke_value.action, dict) else {}
        verb, data = action.get("verb"), action.get("data")
        if not isinstance(verb, str) or not isinstance(data, dict | None):
            reply = Reply(onboarding.error_card("This card sent something I do not understand."))
        elif _trigger(turn_context) == "automatic" and verb not in VIEW_VERBS:
            reply = Reply(onboarding.error_card("A refresh cannot change anything."))
        else:
            reply = await self._run(turn_context, verb, data or {})
        card = reply.card
        if reply.view is not None and not is_personal(turn_context.activity):
            sender = turn_context.activity.from_property
            card = with_refresh(card, reply.view[0], reply.view[1], [sender.id] if sender else [])
        for text in reply.followups:
            await turn_context.send_activity(MessageFactory.text(text))
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=card)

    async def _run(self, turn_context: TurnContext, verb: str, data: Mapping[str, object]) -> Reply:
        """One turn, one transaction: the replay claim, who is acting, and the use case commit together.

        A refused use case (a domain error, or a form the core rejected) rolls the whole turn back,
        its claim included, so the answer 'nothing changed' holds and a retry by Teams is answered again.
        """
        activity = turn_context.activity
        actor = actor_of(activity)
        if actor is None:
            return Reply(onboarding.error_card("Teams did not say who you are, so nothing was changed."))
        key = replay_key(activity)
        handler = self.registry.get(verb)
        if key is None:
            return _refused_replay(verb)
        member = None
        if verb in EMAIL_VERBS and not self.roster.email_known(actor.aad_object_id):
            member = await self.roster.sender_as_member(turn_context)
        uow = self.services.uow_factory()
        turn = replace(
            self.services,
            uow_factory=lambda: uow,
            store=self.services.store.bound(uow),
            delivery=self.services.delivery.bound(uow) if self.services.delivery else None,
        )
        try:
            async with uow:
                if not await turn.store.claim_activity(key, turn.clock.now()):
                    return _refused_replay(verb)
                if handler is None:
                    await uow.commit()
                    return Reply(
                        onboarding.error_card(f"'{verb[:40]}' is not something I can do. Say 'help'.")
                    )
                organization, person = await identity.resolve_teams_person(
                    commands.ResolveTeamsPerson(
                        actor.tenant_id, actor.aad_object_id, actor.teams_user_id, actor.name
                    ),
                    uow,
                )
                if member is not None:
                    person = await self.roster.learn_email(turn_context, person, member, turn)
                ctx = ActionContext(
                    services=turn,
                    organization_id=organization.id,
                    person=person,
                    data=data,
                    team_id=team_id_of(activity),
                    shared=not is_personal(activity),
                )
                reply = await handler(ctx)
                await uow.commit()
            # After the commit, in its own short transaction (and only the first time per process).
            await self.roster.remember_personal_chat(turn_context, organization.id, person)
            return reply
        except StaleCard as error:
            return Reply(onboarding.error_card(str(error)))
        except PermissionDenied as error:
            return Reply(onboarding.error_card(error.message, title="Not allowed"))
        except DomainError as error:
            return Reply(onboarding.error_card(error.message))
        except Exception:
            # The turn's unit of work rolled back: say so instead of failing the turn.
            log.exception("card action failed", extra={"verb": verb})
            return Reply(
                onboarding.error_card("Something went wrong on our side; nothing was changed. Try again.")
            )

    async def on_teams_members_added(
        self,
        teams_members_added: list[TeamsChannelAccount],
        team_info: TeamInfo | None,
        turn_context: TurnContext,
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        people = [m for m in teams_members_added if m.id != bot_id]
        if any(m.id == bot_id for m in teams_members_added):
            if team_info is not None and team_info.id:
                await self.roster.team_installed(turn_context, team_info)
            elif is_personal(turn_context.activity):
                await self.roster.personal_installed(turn_context)
        if team_info is not None and team_info.id and people:
            await self.roster.members_joined(turn_context, team_info, people)

    async def on_teams_members_removed(
        self,
        teams_members_removed: list[ChannelAccount],
        team_info: TeamInfo | None,
        turn_context: TurnContext,
    ) -> None:
        if team_info is None or not team_info.id:
            return
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in teams_members_removed):
            await self.roster.team_uninstalled(turn_context, team_info.id)
            return
        await self.roster.members_left(turn_context, team_info.id, teams_members_removed)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        team_id = team_id_of(turn_context.activity)
        if team_id is not None:
            await self.roster.team_uninstalled(turn_context, team_id)


def _refused_replay(verb: str) -> Reply:
    log.warning("replayed or unidentified activity refused", extra={"verb": verb})
    return Reply(onboarding.error_card("This action was already handled, so nothing changed this time."))


def _trigger(turn_context: TurnContext) -> str:
    value = turn_context.activity.value
    trigger = value.get("trigger") if isinstance(value, dict) else None
    return trigger if isinstance(trigger, str) else "manual"
