"""Sending one tenant's outbox rows through the Bot Connector, within Teams' limits.

Per row: claim (committed, in batches, under the tenant lease's fencing token) → look the batch's chats up
in one query → render from current state (the rows about one pairing from one read) → find or create the
1:1 chat → wait for the rate limiter → check the fence → send → record the outcome (group commit, kept
through a database outage: see `bot.delivery.outcomes`). The claim holds the row for `hold` seconds and
bumps its attempt number, so no other sender takes it meanwhile.

Fencing: right before each send the sender checks, without I/O, that the lease it claimed under is still
its own (`Fence.valid`: renewed recently enough by the dispatcher's monotonic clock) and that the row's
claim has not run out. A process that was paused longer than its lease wakes up, finds its fence lapsed,
and gives its rows back instead of sending them next to the instance that took over. What is left is
the instant between that check and the request leaving the socket.

What a crash can do: a row whose send was answered but whose outcome was not yet in the journal is sent
again after its hold expires. The Bot Connector's create-activity call takes no idempotency key, so this
window cannot be closed from our side; every attempt carries the same activity `id` (derived from the
row's idempotency key) so a receiver can recognise it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from bot.delivery.connector import BotConnector, activity_id, card_activity
from bot.delivery.limits import RateLimiter
from bot.delivery.outcomes import OutcomeRecorder
from bot.delivery.render import Rendered, Skip, group_key, render_many
from bot.delivery.retry import NotInstalled, PeerError, Permanent, RetryPolicy, Transient
from bot.delivery.tokens import TokenError
from core import commands
from core.bus import MessageBus
from core.model import Person
from core.model.conversations import ConversationScope, StoredConversation
from core.model.delivery import Claim, DeliveryOutcome, Finish, LeaseToken, Outcome
from core.ports import Clock, UnitOfWorkFactory
from core.ports.delivery import OutboxQueue
from core.ports.teams import Calendars
from core.views import people, teams

log = logging.getLogger("peerlearn.delivery")

DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
INSTALL_SETTLE = 10.0  # seconds for Teams to set up the chat after Graph installed the app


class Installer(Protocol):
    async def install_for(self, person: Person) -> str | None:
        """Ask Graph to install the app for the person; None when done, else why it cannot be done."""
        ...


@dataclass(frozen=True)
class SenderConfig:
    bot_id: str
    lease_seconds: float = 15.0
    concurrency: int = 16
    default_service_url: str = DEFAULT_SERVICE_URL
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def hold(self) -> timedelta:
        """How long a claim keeps a row: a send starts within `start_within` of its claim and takes at
        most `request_timeout`, with one lease period to spare."""
        return timedelta(seconds=4 * self.lease_seconds)

    @property
    def start_within(self) -> float:
        return self.lease_seconds

    @property
    def request_timeout(self) -> float:
        return 2 * self.lease_seconds


class Fence(Protocol):
    """The lease a sender works under: its token (checked by the claim) and whether it still holds."""

    @property
    def token(self) -> LeaseToken | None: ...

    def valid(self) -> bool:
        """True while the lease is certainly still this sender's; checked right before every send."""
        ...


class Unfenced:
    """For a sender that runs alone (tests, tools): no lease to check."""

    token: LeaseToken | None = None

    def valid(self) -> bool:
        return True


@dataclass
class Deps:
    queue: OutboxQueue
    uows: UnitOfWorkFactory
    connector: BotConnector
    clock: Clock
    installer: Installer | None = None
    graph_off_reason: str = "Microsoft Graph is not configured."
    # One per process, shared by every tenant's sender: outcomes outlive a drain and a database outage.
    outcomes: OutcomeRecorder = field(default=None)  # type: ignore[assignment]
    # The members' calendars (Graph free/busy), when the organisation granted it: introductions then
    # propose a first meeting the calendars have free. None: availability and time zones alone.
    calendars: Calendars | None = None

    def __post_init__(self) -> None:
        if self.outcomes is None:
            self.outcomes = OutcomeRecorder(self.queue)

    @property
    def bus(self) -> MessageBus:
        """Reads for rendering, each in a unit of work of its own."""
        return MessageBus(self.uows, self.clock)


class TenantSender:
    def __init__(
        self,
        organization_id: str,
        deps: Deps,
        limiter: RateLimiter,
        config: SenderConfig,
        fence: Fence | None = None,
    ) -> None:
        self.org, self.deps, self.limiter, self.config = organization_id, deps, limiter, config
        self.fence: Fence = fence or Unfenced()
        self.sent = 0
        self.fenced_out = False  # the fence lapsed: this drain gives everything back and stops
        self._keep_going: Callable[[], bool] = lambda: True
        # Rows this sender is working on, with their latest claim. A row whose hold ran out while its send
        # was still running (a very slow request) can come back in a later claim: the running send then
        # records its outcome under the new claim instead of a second send starting.
        self.claims: dict[str, Claim] = {}
        self._claimed_at: dict[str, float] = {}  # monotonic time each row was (last) claimed
        self._chats: dict[str, StoredConversation | None] = {}  # prefetched 1:1 chats (None: none yet)
        self._teams: dict[str, asyncio.Future[StoredConversation | None]] = {}

    def _going(self) -> bool:
        return not self.fenced_out and self._keep_going()

    async def drain(self, keep_going: Callable[[], bool]) -> int:
        """Send until nothing is due or `keep_going()` turns False; in-flight sends always finish."""
        self._keep_going = keep_going
        pending: deque[Claim] = deque()
        running: set[asyncio.Task[None]] = set()
        exhausted = False
        try:
            while self._going():
                # Claim no further ahead than the ceiling lets out while a row may wait for its slot (see
                # `_throttle`), counting the rows already started: rows claimed beyond would be given back.
                # Refill once half of that is used, so claims (and chat look-ups) stay batches.
                ahead = min(
                    2 * self.config.concurrency, int(self.config.lease_seconds / 2 / self.limiter.spacing)
                )
                held = len(pending) + len(self.claims)
                if held <= max(ahead // 2, 0) and not exhausted:
                    batch = max(ahead, 1) - held
                    if not self.fence.valid():
                        self.fenced_out = True
                        break
                    now, claimed_at = self.deps.clock.now(), time.monotonic()
                    claims = await self.deps.queue.claim(
                        self.org, now, now + self.config.hold, batch, self.fence.token
                    )
                    exhausted = not claims
                    for claim in claims:
                        self._claimed_at[claim.message.id] = claimed_at
                    # A row whose outcome is kept (the database was away when it was sent) is not sent
                    # again: the kept outcome is written under any claim.
                    fresh = [c for c in claims if not self.deps.outcomes.holds(c.message.id)]
                    await self._look_up_chats(fresh)
                    pending.extend(fresh)
                while pending and len(running) < self.config.concurrency and self._going():
                    group = self._take_group(pending)
                    if group:
                        running.add(asyncio.create_task(self._deliver(group)))
                if not running:
                    if exhausted:
                        break
                    continue
                _, running = await asyncio.wait(running, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
                if exhausted and len(running) < self.config.concurrency:
                    exhausted = False  # look again: retries may have fallen due meanwhile
        finally:
            if running:
                await asyncio.wait(running)
            now = self.deps.clock.now()
            for claim in pending:  # claimed but not started: give them back at once
                await self._postpone(claim, now, "released by a stopping sender")
        return self.sent

    async def _look_up_chats(self, claims: list[Claim]) -> None:
        """The claimed batch's 1:1 chats in one read, not one read per row."""
        wanted = [c.message.recipient_id for c in claims if c.message.recipient_id not in self._chats]
        if not wanted:
            return
        found = await self.deps.bus.read(
            partial(teams.conversations, self.org, ConversationScope.PERSONAL, wanted)
        )
        for person_id in wanted:
            self._chats[person_id] = found.get(person_id)

    def _take_group(self, pending: deque[Claim]) -> list[Claim]:
        """The next claim and the pending ones rendered with it; rows already being sent only update
        their claim (the running send records under it)."""
        key = group_key(pending[0].message)
        taken = [c for c in pending if group_key(c.message) == key]
        for claim in taken:
            pending.remove(claim)
        group = [c for c in taken if c.message.id not in self.claims]
        self.claims.update((c.message.id, c) for c in taken)
        return group

    async def _postpone(self, claim: Claim, until: datetime, reason: str) -> None:
        claim = self.claims.pop(claim.message.id, claim)
        self._claimed_at.pop(claim.message.id, None)
        try:
            await self.deps.queue.postpone(claim, until, reason)
        except Exception as error:  # the row comes back by itself when its hold ends
            log.warning(
                "could not give a row back", extra={"outbox_id": claim.message.id, "error": str(error)[:300]}
            )

    async def _finish(self, claim: Claim, result: Finish) -> None:
        claim = self.claims.pop(claim.message.id, claim)
        self._claimed_at.pop(claim.message.id, None)
        recorded = await self.deps.outcomes.record(Outcome.of(claim, result, self.deps.clock.now()))
        if recorded is False:
            log.warning(
                "outcome not recorded: the row already had one, or the claim was superseded",
                extra={"outbox_id": claim.message.id, "outcome": result.outcome.value},
            )
        elif result.outcome is DeliveryOutcome.DELIVERED:
            self.sent += 1

    async def _retry(
        self,
        claim: Claim,
        error: Exception,
        retry_after: float | None = None,
        rendered: Rendered | Skip | None = None,
    ) -> None:
        now = self.deps.clock.now()
        policy = self.config.retry
        when = policy.next_attempt(claim.message.created_at, claim.attempt, now, retry_after)
        if when is None:
            program = rendered.program_id if rendered is not None else await self._program_of(claim)
            log.warning(
                "given up at the retry horizon",
                extra={"outbox_id": claim.message.id, "attempts": claim.attempt, "error": str(error)[:300]},
            )
            await self._finish(claim, Finish(DeliveryOutcome.FAILED, policy.describe(), program))
            return
        await self._postpone(claim, when, str(error))

    async def _program_of(self, claim: Claim) -> str | None:
        """The program of a row that could not be rendered when it failed (for the report), if it can be read."""
        try:
            (rendered,) = await render_many([claim.message], self.deps.bus)
        except Exception:
            return None
        return rendered.program_id

    async def _deliver(self, group: list[Claim]) -> None:
        try:
            try:
                rendered: list[Rendered | Skip] = await render_many(
                    [c.message for c in group], self.deps.bus, self.deps.calendars
                )
            except Exception as error:  # an outage must not lose the rows: retried until the horizon
                log.exception("rendering failed", extra={"outbox_id": group[0].message.id})
                for claim in group:
                    await self._retry(claim, error)
                return
            await asyncio.gather(*(self._deliver_once(c, r) for c, r in zip(group, rendered, strict=True)))
        finally:
            for claim in group:
                self.claims.pop(claim.message.id, None)
                self._claimed_at.pop(claim.message.id, None)

    def _may_send(self, claim: Claim) -> bool:
        """The fence, checked right before a send: the lease is still ours and the claim has time left."""
        claimed_at = self._claimed_at.get(claim.message.id, float("-inf"))
        if time.monotonic() > claimed_at + self.config.start_within:
            return False
        if not self.fence.valid():
            self.fenced_out = True
            return False
        return self._keep_going()

    async def _deliver_once(self, claim: Claim, rendered: Rendered | Skip) -> None:
        message = claim.message
        conversation_id = ""
        slot: float | None = None
        try:
            if isinstance(rendered, Skip):
                await self._finish(
                    claim, Finish(DeliveryOutcome.SKIPPED, rendered.reason, rendered.program_id)
                )
                return
            person = rendered.person
            if person is None or person.teams is None:
                reason = "The person has no Teams account linked to peerlearn."
                await self._finish(claim, Finish(DeliveryOutcome.SKIPPED, reason, rendered.program_id))
                return
            conversation = await self._conversation(person, rendered.team_id)
            conversation_id = conversation.conversation_id
            slot = await self._throttle(claim, conversation_id)
            if slot is None:
                return
            activity = card_activity(
                rendered.card, rendered.summary, activity_id(self.org, message.idempotency_key)
            )
            if not self._may_send(claim):
                self.limiter.refused(slot)
                await self._postpone(claim, self.deps.clock.now(), "given back: the sender's lease lapsed")
                return
            sent_id = await self.deps.connector.send(conversation.service_url, conversation_id, activity)
            await self._finish(
                claim, Finish(DeliveryOutcome.DELIVERED, "", rendered.program_id, sent_id, conversation_id)
            )
        except Transient as error:
            if error.status == 429:
                self.limiter.pause(error.retry_after or 1.0, conversation_id)
            await self._retry(claim, error, error.retry_after, rendered)
        except NotInstalled as error:
            await self._not_installed(claim, error, rendered)
        except Permanent as error:
            await self._finish(claim, Finish(DeliveryOutcome.FAILED, error.reason, _program(rendered)))
        except TokenError as error:
            log.error("no token for the Bot Connector", extra={"error": str(error)})
            await self._retry(claim, error, None, rendered)
        except Exception as error:  # a bug or an outage must not lose the row: retried until the horizon
            log.exception("delivery failed unexpectedly", extra={"outbox_id": message.id})
            await self._retry(claim, error, None, rendered)

    async def _not_installed(self, claim: Claim, error: PeerError, rendered: Rendered | Skip | None) -> None:
        person = await self.deps.bus.read(partial(people.person, self.org, claim.message.recipient_id))
        why = self.deps.graph_off_reason
        if self.deps.installer is not None and person is not None:
            cannot = await self.deps.installer.install_for(person)
            if cannot is None:
                await self._retry(claim, error, INSTALL_SETTLE, rendered)
                return
            why = cannot
        reason = f"The app is not installed for the person, and peerlearn cannot install it: {why}"
        await self._finish(claim, Finish(DeliveryOutcome.FAILED, reason, _program(rendered)))

    async def _throttle(self, claim: Claim, conversation_id: str) -> float | None:
        """Wait for the limiter and take a slot (its time); a wait longer than the claim can cover gives
        the row back instead (None)."""
        # The hold outlasts a request by one lease period; spend at most half of that waiting here.
        budget = self.config.lease_seconds / 2
        waited = 0.0
        while (wait := self.limiter.wait(conversation_id)) > 0:
            if waited + wait > budget or not self._going():
                when = self.deps.clock.now() + timedelta(seconds=wait)
                await self._postpone(claim, when, "waiting for Teams' rate limit")
                return None
            await asyncio.sleep(wait)
            waited += wait
        return self.limiter.record(conversation_id)

    async def _conversation(self, person: Person, team_id: str | None) -> StoredConversation:
        teams_identity = person.teams
        assert teams_identity is not None
        if person.id in self._chats:
            found = self._chats[person.id]
        else:
            found = await self.deps.bus.read(
                partial(teams.conversation, self.org, ConversationScope.PERSONAL, person.id)
            )
        if found is not None:
            return found
        team = await self._team(team_id) if team_id else None
        service_url = team.service_url if team else self.config.default_service_url
        bot_id = team.bot_id if team else self.config.bot_id
        conversation_id = await self.deps.connector.create_personal_conversation(
            service_url, bot_id, teams_identity.tenant_id, teams_identity.teams_user_id
        )
        created = StoredConversation(
            organization_id=self.org,
            scope=ConversationScope.PERSONAL,
            key=person.id,
            conversation_id=conversation_id,
            service_url=service_url,
            tenant_id=teams_identity.tenant_id,
            bot_id=bot_id,
            updated_at=self.deps.clock.now(),
            reference={
                "conversation": {
                    "id": conversation_id,
                    "conversationType": "personal",
                    "tenantId": teams_identity.tenant_id,
                },
                "serviceUrl": service_url,
                "channelId": "msteams",
                "bot": {"id": bot_id},
                "user": {"id": teams_identity.teams_user_id, "aadObjectId": teams_identity.aad_object_id},
            },
        )
        await self.deps.bus.handle(commands.KeepConversation(created))
        self._chats[person.id] = created
        return created

    async def _team(self, team_id: str) -> StoredConversation | None:
        """The team's conversation, read once per drain (concurrent sends share the one read)."""
        if team_id not in self._teams:
            self._teams[team_id] = asyncio.ensure_future(self._read_team(team_id))
        try:
            return await asyncio.shield(self._teams[team_id])
        except Exception:
            self._teams.pop(team_id, None)  # read again next time
            raise

    async def _read_team(self, team_id: str) -> StoredConversation | None:
        return await self.deps.bus.read(
            partial(teams.conversation, self.org, ConversationScope.TEAM, team_id)
        )


def _program(rendered: Rendered | Skip | None) -> str | None:
    return rendered.program_id if rendered is not None else None
