"""The Teams activity handler: parse → check the actor → one handler (one core service) → a card."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ChannelAccount
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount

from adaptive_cards import onboarding, verbs
from adaptive_cards.elements import with_refresh
from bot import (
    client_info,
    export_file,
    message_extension,
    private_reply,
    roster,
    scopes,
    text_commands,
    typeahead,
)
from bot.actions import ActionContext, Handler, Reply, Services
from bot.forms import StaleCard
from bot.turns import actor_of, is_personal, replay_key, team_id_of
from core import commands
from core.errors import ConcurrentChange, DomainError, PermissionDenied
from core.model import Person

log = logging.getLogger("peerlearn.bot")

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
TURN_ATTEMPTS = 3  # a turn that lost a unique-key race runs again; the third loss is reported
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
        verbs.NOTE_OPEN,
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
        self.private = private_reply.PrivateReplies(services, adapter, app_id)
        self.typeahead = typeahead.Typeahead(services)
        self.message_extension = message_extension.MessageExtension(services)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        command = text_commands.parse(turn_context.activity.text)
        data: dict[str, object] = dict(command.data)
        if command.verb == text_commands.FACILITATOR_ADD:
            # Who was @mentioned is in the activity's entities, not its text; asking Teams happens here,
            # before the turn's transaction.
            person_id = await self.roster.mentioned_person(turn_context)
            if person_id is not None:
                data["person_id"] = person_id
        answer = await self._answer(turn_context, command.verb, data)
        if not command.understood and turn_context.activity.text:
            await turn_context.send_activity(
                MessageFactory.text("I did not understand that. Here is what I can do:")
            )
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(answer.card)))
        for text in answer.followups:
            await turn_context.send_activity(MessageFactory.text(text))
        for attachment in answer.attachments:
            await turn_context.send_activity(MessageFactory.attachment(attachment))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == typeahead.SEARCH:
            return await self.typeahead.answer(turn_context)
        if turn_context.activity.name == export_file.FILE_CONSENT:
            return await export_file.on_consent(turn_context, self.services)
        if turn_context.activity.name == message_extension.QUERY:
            return await self.message_extension.answer(turn_context)
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
            answer = Reply(onboarding.error_card("This card sent something I do not understand."))
        elif _trigger(turn_context) == "automatic" and verb not in VIEW_VERBS:
            answer = Reply(onboarding.error_card("A refresh cannot change anything."))
        elif _trigger(turn_context) == "automatic" and not is_personal(turn_context.activity):
            # A user-specific view in a shared conversation: only what may be shown there.
            answer = await self._answer(turn_context, verb, data or {}, refresh=True)
        else:
            answer = await self._answer(turn_context, verb, data or {})
        card = answer.card
        if answer.view is not None and not is_personal(turn_context.activity):
            sender = turn_context.activity.from_property
            card = with_refresh(card, answer.view[0], answer.view[1], [sender.id] if sender else [])
        for text in answer.followups:
            await turn_context.send_activity(MessageFactory.text(text))
        for attachment in answer.attachments:
            await turn_context.send_activity(MessageFactory.attachment(attachment))
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=card)

    async def _answer(
        self,
        turn_context: TurnContext,
        verb: str,
        data: Mapping[str, object],
        *,
        refresh: bool = False,
    ) -> Reply:
        """Run the verb where its answer may be shown (`bot.scopes`): here, or in the person's 1:1 chat with
        a neutral note here. Personal answers are addressed to the person who asked."""
        activity = turn_context.activity
        policy = scopes.policy_of(verb)
        if is_personal(activity) or policy is scopes.Policy.SHARED:
            reply, person = await self._run(turn_context, verb, data)
            if person is not None and policy is not scopes.Policy.SHARED and not reply.refused:
                reply.card = scopes.addressed_to(reply.card, person.id)
            return reply
        if refresh:  # a shared card never refreshes into someone's personal content
            return Reply(onboarding.error_card("This is shown only in your 1:1 chat with me."))
        run_verb = scopes.private_verb(verb)
        reply, person = await self._run(turn_context, run_verb, scopes.shared_data(verb, data), sent=data)
        if reply.refused or person is None:
            return Reply(reply.card, refused=True)  # errors say nothing personal: shown where asked
        sent = await self.private.send(
            turn_context,
            person.organization_id,
            person,
            scopes.addressed_to(reply.card, person.id),
            reply.followups,
        )
        bot_id = activity.recipient.id if activity.recipient else ""
        return Reply(private_reply.note_card(sent, str(bot_id)))

    async def _run(
        self,
        turn_context: TurnContext,
        verb: str,
        data: Mapping[str, object],
        *,
        sent: Mapping[str, object] | None = None,
    ) -> tuple[Reply, Person | None]:
        """One turn, one transaction: the replay claim, who is acting, and the use case commit together.

        A refused use case (a domain error, or a form the core rejected) rolls the whole turn back,
        its claim included, so the answer 'nothing changed' holds and a retry by Teams is answered again.
        `sent` is the data the person actually sent, when `verb` runs in place of what they asked: whom that
        card was addressed to is checked on what was sent.
        """
        activity = turn_context.activity
        actor = actor_of(activity)
        if actor is None:
            return _refused("Teams did not say who you are, so nothing was changed."), None
        key = replay_key(activity)
        handler = self.registry.get(verb)
        if key is None:
            return _refused_replay(verb), None
        member = None
        if verb in EMAIL_VERBS and not self.roster.email_known(actor.aad_object_id):
            member = await self.roster.sender_as_member(turn_context)
        try:
            for attempt in range(1, TURN_ATTEMPTS + 1):
                try:
                    answer = await self._turn(
                        turn_context, verb, data, handler, member, data if sent is None else sent
                    )
                except ConcurrentChange:
                    # Another turn took the same unique key (a first contact, a join) at the same moment:
                    # everything rolled back, the claim too; run again and see what it wrote.
                    if attempt == TURN_ATTEMPTS:
                        raise
                else:
                    return await _after_turn(answer, self.services)
            raise AssertionError("unreachable")
        except StaleCard as error:
            return _refused(str(error)), None
        except PermissionDenied as error:
            return _refused(error.message, title="Not allowed"), None
        except DomainError as error:
            return _refused(error.message), None
        except Exception:
            # The turn's unit of work rolled back: say so instead of failing the turn.
            log.exception("card action failed", extra={"verb": verb})
            return _refused("Something went wrong on our side; nothing was changed. Try again."), None

    async def _turn(
        self,
        turn_context: TurnContext,
        verb: str,
        data: Mapping[str, object],
        handler: Handler | None,
        member: Any,
        sent: Mapping[str, object],
    ) -> tuple[Reply, Person | None]:
        activity = turn_context.activity
        actor = actor_of(activity)
        assert actor is not None
        key = replay_key(activity)
        assert key is not None
        async with self.services.bus.unit() as work:
            # Claimed first: on PostgreSQL a refused claim must not follow writes in the same transaction.
            if not await work.handle(commands.ClaimActivity(key)):
                return _refused_replay(verb), None
            if handler is None:
                return _refused(f"'{verb[:40]}' is not something I can do. Say 'help'."), None
            organization, person = await work.handle(
                commands.ResolveTeamsPerson(
                    actor.tenant_id, actor.aad_object_id, actor.teams_user_id, actor.name
                )
            )
            mismatch = scopes.addressee_mismatch(sent, person.id)
            if mismatch is not None:
                raise PermissionDenied(mismatch)
            if member is not None:
                person = await self.roster.learn_email(turn_context, person, member, work)
            # The 1:1 chat is kept in this transaction: a delete in this very turn erases it again.
            personal_chat = await self.roster.keep_personal_chat(turn_context, organization.id, person, work)
            ctx = ActionContext(
                services=self.services,
                organization_id=organization.id,
                person=person,
                data=client_info.with_client_info(data, activity),  # what Teams detected pre-fills forms
                team_id=team_id_of(activity),
                shared=not is_personal(activity),
                work=work,
            )
            reply = await handler(ctx)
        self.roster.kept(personal_chat)
        return reply, person

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


async def _after_turn(answer: tuple[Reply, Person | None], services: Services) -> tuple[Reply, Person | None]:
    """Run what the handler left for after its turn (`Reply.after_turn`): the claim and the checks are
    committed; the long work opens its own units of work and holds no transaction of the turn's."""
    reply, person = answer
    if reply.after_turn is None:
        return answer
    return await reply.after_turn(services), person


def _refused(message: str, *, title: str = "Nothing changed") -> Reply:
    return Reply(onboarding.error_card(message, title=title), refused=True)


def _refused_replay(verb: str) -> Reply:
    log.warning("replayed or unidentified activity refused", extra={"verb": verb})
    return _refused("This action was already handled, so nothing changed this time.")


def _trigger(turn_context: TurnContext) -> str:
    value = turn_context.activity.value
    trigger = value.get("trigger") if isinstance(value, dict) else None
    return trigger if isinstance(trigger, str) else "manual"
