"""Microsoft Graph: install the app for a person who cannot be reached yet, and give a pairing its own group
chat (create it, install the app in it, introduce the members there).

Graph's answers are classified like the Bot Connector's (`bot.delivery.retry`): 429/5xx are retried with
back-off honouring `Retry-After`, refusals are recorded with their reason. Creating a chat takes no
idempotency key either; its id is stored the moment Graph returns it, and each later step is repeatable
(installing an app that is already there answers 409, which counts as done)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

import aiohttp

from adaptive_cards.pairing import introduction
from bot.delivery import calendars
from bot.delivery.connector import activity_id, card_activity, request_json
from bot.delivery.retry import PeerError, Permanent, Transient, backoff, gives_up
from bot.delivery.sender import Deps, SenderConfig
from bot.delivery.tokens import TokenSource
from core.model import Person, Profile
from core.model.conversations import ConversationScope
from core.model.delivery import AppInstallation, PairingChat
from core.ports import Clock
from core.ports.delivery import GraphRecords, ProgramDirectory
from core.ports.teams import Busy, MailboxSettings
from core.views import teams
from core.views.first_meeting import with_calendars
from core.views.group_chats import group_chat_pairings
from core.views.status import PairingView

log = logging.getLogger("peerlearn.graph")

INSTALLED, FAILED = "installed", "failed"
CREATED, INTRODUCED = "created", "introduced"


class GraphClient:
    def __init__(
        self, http: aiohttp.ClientSession, tokens: TokenSource, base_url: str, catalog_app_id: str
    ) -> None:
        self.http, self.tokens = http, tokens
        self.base = base_url.rstrip("/") + "/v1.0"
        self.app_binding = {"teamsApp@odata.bind": f"{self.base}/appCatalogs/teamsApps/{catalog_app_id}"}

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return await request_json(self.http, "POST", self.base + path, self.tokens, body)
        except Permanent as error:
            if error.status == 409:  # already installed / already there: the step is done
                return {}
            raise

    async def install_for_user(self, aad_object_id: str) -> None:
        """`POST /users/{id}/teamwork/installedApps` (permission TeamsAppInstallation.ReadWriteSelfForUser.All: it installs this app only)."""
        await self._post(f"/users/{quote(aad_object_id, safe='')}/teamwork/installedApps", self.app_binding)

    async def create_group_chat(self, aad_object_ids: list[str], topic: str) -> str:
        """`POST /chats` with chatType group (permission Chat.Create)."""
        members = [
            {
                "@odata.type": "#microsoft.graph.aadUserConversationMember",
                "roles": ["owner"],
                "user@odata.bind": f"{self.base}/users('{aad}')",
            }
            for aad in aad_object_ids
        ]
        data = await self._post("/chats", {"chatType": "group", "topic": topic[:250], "members": members})
        chat_id = str(data.get("id", ""))
        if not chat_id:
            raise Transient(200, "NoChatId", "Graph created a chat without returning its id.")
        return chat_id

    async def install_in_chat(self, chat_id: str) -> None:
        """`POST /chats/{id}/installedApps` (permission TeamsAppInstallation.ReadWriteSelfForChat.All: this app only)."""
        await self._post(f"/chats/{quote(chat_id, safe='')}/installedApps", self.app_binding)

    async def mailbox_settings(self, aad_object_id: str, seconds: float = 30.0) -> MailboxSettings:
        """`GET /users/{id}/mailboxSettings` (permission MailboxSettings.Read): the time zone (a Windows name
        or a zone's own) and working hours, read as a `MailboxSettings` (see `calendars.mailbox_from`)."""
        url = f"{self.base}/users/{quote(aad_object_id, safe='')}/mailboxSettings"
        return calendars.mailbox_from(await request_json(self.http, "GET", url, self.tokens, None, seconds))

    async def schedules(
        self, asked_as: str, emails: Sequence[str], start: datetime, end: datetime, seconds: float = 30.0
    ) -> dict[str, list[tuple[datetime, datetime]]]:
        """`POST /users/{id}/calendar/getSchedule` (permission Calendars.ReadBasic.All: free/busy, never
        subjects): when each mailbox is busy, tentative or away in [start, end), by email in lower case. A
        mailbox Graph could not read is left out."""
        url = f"{self.base}/users/{quote(asked_as, safe='')}/calendar/getSchedule"
        body = {
            "schedules": list(emails),
            "startTime": {"dateTime": calendars.graph_time(start), "timeZone": "UTC"},
            "endTime": {"dateTime": calendars.graph_time(end), "timeZone": "UTC"},
            "availabilityViewInterval": 15,
        }
        return calendars.busy_from(await request_json(self.http, "POST", url, self.tokens, body, seconds))


class GraphInstaller:
    """Install the app for people the bot cannot reach yet; a person who removed it is left alone."""

    def __init__(self, graph: GraphClient, records: GraphRecords, clock: Clock) -> None:
        self.graph, self.records, self.clock = graph, records, clock

    async def install_for(self, person: Person) -> str | None:
        if person.teams is None:
            return "The person has no Microsoft Entra account on record."
        before = await self.records.installation(person.organization_id, person.id)
        if before is not None and before.status == INSTALLED:
            return "The person removed the app after peerlearn installed it; it is not installed again."
        try:
            await self.graph.install_for_user(person.teams.aad_object_id)
        except Permanent as error:
            await self._record(person, FAILED, error.reason)
            return error.reason
        await self._record(person, INSTALLED, "")
        return None

    async def _record(self, person: Person, status: str, reason: str) -> None:
        await self.records.save_installation(
            AppInstallation(person.organization_id, person.id, status, reason, self.clock.now())
        )


class GroupChats:
    """For programs with `settings.group_chats` on: a Teams group chat per accepted pairing or group."""

    def __init__(
        self,
        graph: GraphClient,
        records: GraphRecords,
        deps: Deps,
        config: SenderConfig,
        directory: ProgramDirectory,
    ) -> None:
        self.graph, self.records, self.deps, self.config, self.directory = (
            graph,
            records,
            deps,
            config,
            directory,
        )

    async def run(self) -> int:
        introduced = 0
        for organization_id, program_id in await self.directory.running_programs():
            found = await self.deps.bus.read(partial(group_chat_pairings, organization_id, program_id))
            for pairing in found:
                introduced += await self._set_up(pairing.view, pairing.profiles, pairing.members)
        return introduced

    async def _set_up(
        self, view: PairingView, profiles: Mapping[str, Profile], members: list[Person | None]
    ) -> int:
        org, pairing = view.program.organization_id, view.pairing
        now = self.deps.clock.now()
        chat = await self.records.chat(org, pairing.id) or PairingChat(
            org, pairing.id, view.program.id, None, "new", "", 0, now, now
        )
        if chat.status in (INTRODUCED, FAILED) or chat.next_attempt_at > now:
            return 0
        try:
            if chat.chat_id is None:
                aad = [p.teams.aad_object_id for p in members if p is not None and p.teams is not None]
                if len(aad) != len(members) or len(aad) < 2:
                    raise Permanent(400, "MembersNotInTeams", "Not every member has a Teams account.")
                chat_id = await self.graph.create_group_chat(aad, f"Peer learning: {view.program.name}")
                chat = replace(chat, chat_id=chat_id, status=CREATED, updated_at=now)
                await self.records.save_chat(chat)
            if chat.status == CREATED and chat.chat_id:
                await self.graph.install_in_chat(chat.chat_id)
                chat = replace(chat, status=INSTALLED, updated_at=self.deps.clock.now())
                await self.records.save_chat(chat)
            assert chat.chat_id is not None
            team = await self.deps.bus.read(
                partial(teams.conversation, org, ConversationScope.TEAM, view.program.scope_id)
            )
            service_url = team.service_url if team else self.config.default_service_url
            # The same first meeting as the members' own introductions: their calendars read once, here.
            asked_as = next((p.teams.aad_object_id for p in members if p is not None and p.teams), None)
            view = await with_calendars(view, profiles, self.deps.calendars, asked_as)
            key = f"group_intro:{pairing.id}"
            activity = card_activity(introduction(view), "You are matched: say hello", activity_id(org, key))
            await self.deps.connector.send(service_url, chat.chat_id, activity)
            await self.records.save_chat(
                replace(chat, status=INTRODUCED, reason="", updated_at=self.deps.clock.now())
            )
            return 1
        except Transient as error:
            attempts = chat.attempts + 1
            if gives_up(attempts):
                await self.records.save_chat(
                    replace(chat, status=FAILED, reason=str(error), attempts=attempts)
                )
                return 0
            later = now + timedelta(seconds=backoff(attempts, error.retry_after))
            await self.records.save_chat(
                replace(chat, attempts=attempts, next_attempt_at=later, reason=str(error))
            )
        except PeerError as error:
            reason = error.reason if isinstance(error, Permanent) else str(error)
            await self.records.save_chat(replace(chat, status=FAILED, reason=reason, updated_at=now))
        return 0


class GraphCalendars:
    """The `Calendars` port over Graph for the bot's turns: short timeouts, and any failure reads as "not
    known" (a profile still opens, a time is still proposed from the hours people gave). A permission the
    organisation has not granted (403) is not asked for again for `REFUSAL_PAUSE`.

    `client` is set while the app runs (`bot.app.attach_calendars`), None before and after."""

    REFUSAL_PAUSE = timedelta(hours=1)

    def __init__(
        self, clock: Callable[[], datetime], client: GraphClient | None = None, seconds: float = 3.0
    ):
        self.clock, self.client, self.seconds = clock, client, seconds
        self.refused_until: dict[str, datetime] = {}

    def _allowed(self, what: str) -> bool:
        return self.client is not None and self.refused_until.get(what, self.clock()) <= self.clock()

    def _failed(self, what: str, error: PeerError) -> None:
        if isinstance(error, Permanent) and error.status in (401, 403):
            self.refused_until[what] = self.clock() + self.REFUSAL_PAUSE
        log.info("Graph calendar call failed", extra={"call": what, "error": str(error)[:300]})

    async def mailbox_settings(self, aad_object_id: str) -> MailboxSettings | None:
        if not self._allowed("mailboxSettings") or self.client is None:
            return None
        try:
            return await self.client.mailbox_settings(aad_object_id, self.seconds)
        except PeerError as error:
            self._failed("mailboxSettings", error)
            return None

    async def busy(
        self, asked_as: str, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Busy] | None:
        if not self._allowed("getSchedule") or self.client is None or not emails:
            return None
        try:
            return await self.client.schedules(asked_as, emails, start, end, self.seconds)
        except PeerError as error:
            self._failed("getSchedule", error)
            return None
