"""Installation and roster events: welcome cards, the team's program, members joining and leaving."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any, cast

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount, ConversationParameters
from botbuilder.schema.teams import TeamInfo

from adaptive_cards import onboarding
from bot.actions import Services
from bot.turns import actor_of, is_personal, stored_conversation, tenant_of
from core import commands
from core.bus import Work
from core.errors import DomainError
from core.model import Person, Program
from core.model.conversations import ConversationScope
from core.views import teams
from core.views.people import teams_organization

log = logging.getLogger("peerlearn.bot")
PAGE_SIZE = 100
MAX_PAGES = 500  # 50,000 members: the largest Teams team is 25,000


def _email(member: Any) -> str | None:
    value = getattr(member, "user_principal_name", None) or getattr(member, "email", None)
    return str(value) if value else None


class Roster:
    def __init__(self, services: Services, adapter: Any, app_id: str) -> None:
        self.services = services
        self.adapter = adapter
        self.app_id = app_id
        self._known_chats: set[tuple[str, str, str]] = set()
        # Entra object ids whose UPN we hold: Teams need not be asked again.
        self._with_email: set[str] = set()

    async def _resolve(self, tenant_id: str, member: Any, work: Work | None = None) -> Person | None:
        """The person a roster member is; in `work` (a turn's unit of work) or in a unit of its own."""
        if not getattr(member, "aad_object_id", None) or not member.id:
            return None
        command = commands.ResolveTeamsPerson(
            tenant_id, str(member.aad_object_id), str(member.id), str(member.name or ""), _email(member)
        )
        _, person = await (work.handle(command) if work is not None else self.services.bus.handle(command))
        return cast(Person, person)

    async def keep_personal_chat(
        self, turn_context: TurnContext, organization_id: str, person: Person, work: Work | None = None
    ) -> tuple[str, str, str] | None:
        """Keep the 1:1 conversation reference, so the outbox sender can reach this person later.

        Written in `work` (a turn's unit of work: a delete in the same turn erases it again), else in a unit
        of its own. Returns what to pass to `kept` once that committed, or None: nothing written."""
        activity = turn_context.activity
        if not is_personal(activity) or activity.conversation is None:
            return None
        seen = (organization_id, person.id, str(activity.conversation.id))
        if seen in self._known_chats:
            return None
        command = commands.KeepConversation(
            stored_conversation(
                turn_context, organization_id, ConversationScope.PERSONAL, person.id, self.services.clock
            )
        )
        await (work.handle(command) if work is not None else self.services.bus.handle(command))
        return seen

    def kept(self, seen: tuple[str, str, str] | None) -> None:
        """The reference `keep_personal_chat` wrote is committed: no need to write it again this process."""
        if seen is not None:
            self._known_chats.add(seen)

    def email_known(self, aad_object_id: str) -> bool:
        return aad_object_id in self._with_email

    async def sender_as_member(self, turn_context: TurnContext) -> Any | None:
        """Ask Teams who is writing, with their UPN; without one, links to chats and meetings cannot be made.

        Called before the turn's transaction opens, never inside it: the connector is another service and may
        be slow, and a transaction held meanwhile would hold the embedded database's one connection."""
        sender = turn_context.activity.from_property
        try:
            member = await TeamsInfo.get_member(turn_context, sender.id)
        except Exception as error:  # the connector is another service; the action goes on without the UPN
            log.warning("could not read the member's UPN", extra={"error": type(error).__name__})
            return None
        if not getattr(member, "aad_object_id", None):
            member.aad_object_id = sender.aad_object_id
        return member

    async def learn_email(self, turn_context: TurnContext, person: Person, member: Any, work: Work) -> Person:
        """Record what `sender_as_member` found, inside the turn's unit of work."""
        if person.verified_email is None:
            person = await self._resolve(tenant_of(turn_context.activity), member, work) or person
        if person.verified_email is not None and person.teams is not None:
            self._with_email.add(person.teams.aad_object_id)
        return person

    async def mentioned_person(self, turn_context: TurnContext) -> str | None:
        """The first person @mentioned in a message (not the bot), as known to us, asking Teams who it is."""
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        for entity in activity.entities or []:
            properties = entity.additional_properties or {}
            mentioned = properties.get("mentioned") if entity.type == "mention" else None
            user_id = mentioned.get("id") if isinstance(mentioned, dict) else None
            if not isinstance(user_id, str) or not user_id or user_id == bot_id:
                continue
            try:
                member = await TeamsInfo.get_member(turn_context, user_id)
            except Exception as error:  # the connector is another service: the command then asks again
                log.warning("could not read the mentioned member", extra={"error": type(error).__name__})
                return None
            person = await self._resolve(tenant_of(activity), member)
            return None if person is None else person.id
        return None

    async def personal_installed(self, turn_context: TurnContext) -> None:
        actor = actor_of(turn_context.activity)
        if actor is None:
            return
        organization, person = await self.services.bus.handle(
            commands.ResolveTeamsPerson(actor.tenant_id, actor.aad_object_id, actor.teams_user_id, actor.name)
        )
        self.kept(await self.keep_personal_chat(turn_context, organization.id, person))
        program = await self.services.bus.handle(commands.EnsureOrganizationProgram(organization.id))
        await turn_context.send_activity(
            MessageFactory.attachment(CardFactory.adaptive_card(onboarding.welcome(program)))
        )

    async def team_installed(self, turn_context: TurnContext, team: TeamInfo) -> None:
        tenant = tenant_of(turn_context.activity)
        installer = await self._resolve(tenant, turn_context.activity.from_property) if tenant else None
        if installer is None:
            log.warning("team installation without a tenant or installer; ignored")
            return
        organization_id = installer.organization_id
        program = await self.services.bus.handle(
            commands.EnsureTeamProgram(organization_id, str(team.id), str(team.name or ""), installer.id)
        )
        await self.services.bus.handle(
            commands.KeepConversation(
                stored_conversation(
                    turn_context, organization_id, ConversationScope.TEAM, str(team.id), self.services.clock
                )
            )
        )
        members, owners = await self._read_roster(turn_context, tenant)
        await self.services.bus.handle(
            commands.AddTeamMembers(
                organization_id, str(team.id), (installer.id, *members), frozenset(owners)
            )
        )
        await turn_context.send_activity(
            MessageFactory.attachment(CardFactory.adaptive_card(onboarding.channel_invite(program)))
        )

    async def _read_roster(self, turn_context: TurnContext, tenant: str) -> tuple[list[str], set[str]]:
        """Every member of the team, and its owners, page by page; a roster that cannot be read is logged,
        not fatal."""
        found: list[str] = []
        owners: set[str] = set()
        token: str | None = None
        try:
            for _ in range(MAX_PAGES):
                page = await TeamsInfo.get_paged_members(turn_context, token, PAGE_SIZE)
                for member in page.members or []:
                    person = await self._resolve(tenant, member)
                    if person is not None:
                        found.append(person.id)
                        if str(getattr(member, "user_role", "") or "").lower() == "owner":
                            owners.add(person.id)
                token = page.continuation_token
                if not token:
                    break
        except Exception as error:  # the connector is another service: its failure must not lose the install
            log.warning("could not read the team roster", extra={"error": type(error).__name__})
        return found, owners

    async def members_joined(self, turn_context: TurnContext, team: TeamInfo, members: Sequence[Any]) -> None:
        tenant = tenant_of(turn_context.activity)
        people = [p for p in [await self._resolve(tenant, m) for m in members] if p is not None]
        if not people:
            return
        organization_id = people[0].organization_id
        await self.services.bus.handle(
            commands.AddTeamMembers(organization_id, str(team.id), tuple(p.id for p in people))
        )
        program = await self.services.bus.handle(
            commands.EnsureTeamProgram(organization_id, str(team.id), str(team.name or ""))
        )
        for person in people:
            await self._welcome_one_to_one(organization_id, tenant, str(team.id), person, program)

    async def _welcome_one_to_one(
        self, organization_id: str, tenant: str, team_id: str, person: Person, program: Program
    ) -> None:
        """Proactively, from the team's stored conversation reference: create the 1:1 chat and welcome."""
        team_chat = await self.services.bus.read(
            partial(teams.conversation, organization_id, ConversationScope.TEAM, team_id)
        )
        if team_chat is None or person.teams is None:
            return
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=team_chat.bot_id),
            members=[ChannelAccount(id=person.teams.teams_user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )

        async def send(turn_context: TurnContext) -> None:
            await self.services.bus.handle(
                commands.KeepConversation(
                    stored_conversation(
                        turn_context,
                        organization_id,
                        ConversationScope.PERSONAL,
                        person.id,
                        self.services.clock,
                    )
                )
            )
            await turn_context.send_activity(
                MessageFactory.attachment(CardFactory.adaptive_card(onboarding.welcome(program)))
            )

        try:
            await self.adapter.create_conversation(
                self.app_id, send, parameters, team_chat.channel_id, team_chat.service_url, None
            )
        except Exception as error:  # one unreachable person must not stop the others' welcome
            log.warning("could not welcome a new member", extra={"error": type(error).__name__})

    async def members_left(
        self, turn_context: TurnContext, team_id: str, members: Sequence[ChannelAccount]
    ) -> None:
        organization = await self._organization(turn_context)
        if organization is None:
            return
        for member in members:
            if not member.aad_object_id:
                continue
            try:
                await self.services.bus.handle(
                    commands.RemoveTeamMember(organization, team_id, str(member.aad_object_id))
                )
            except DomainError as error:
                log.info("member left without an enrollment", extra={"reason": error.message})

    async def team_uninstalled(self, turn_context: TurnContext, team_id: str) -> None:
        organization = await self._organization(turn_context)
        if organization is not None:
            await self.services.bus.handle(commands.DeactivateTeamProgram(organization, team_id))

    async def _organization(self, turn_context: TurnContext) -> str | None:
        tenant = tenant_of(turn_context.activity)
        return await self.services.bus.read(partial(teams_organization, tenant))
