"""The background worker: opens due rounds, queues check-ins and reminders, and drains the outbox.

Every periodic job runs under a lease in the database (`job:<name>`, held for the job's interval), so with
several instances each job runs once per interval in total; the outbox is sent per tenant under
`send:<organization id>`. `peerlearn serve` runs the worker in-process unless RUN_WORKER is false;
`peerlearn worker` runs it alone.

Stopping (SIGTERM, or the server shutting down): the dispatcher stops claiming, lets in-flight sends
finish (rows not started are given back), writes the outcomes (kept in `DATA_DIR/delivery/` if the
database is away), and releases its sending leases, so the next instance takes over at once.

Delivery's retry settings are `Settings.delivery_retry_horizon_hours` (`DELIVERY_RETRY_HORIZON_HOURS`,
default 48) and `Settings.delivery_retry_max_delay_seconds` (`DELIVERY_RETRY_MAX_DELAY_SECONDS`, default 900)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.connector import BotConnector
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.graph import GraphCalendars, GraphClient, GraphInstaller, GroupChats
from bot.delivery.outcomes import OutcomeJournal, OutcomeRecorder
from bot.delivery.retry import RetryPolicy
from bot.delivery.sender import Deps, SenderConfig
from bot.delivery.tokens import (
    BOT_CONNECTOR_SCOPE,
    GRAPH_SCOPE,
    ClientCredentials,
    ManagedIdentity,
    NoToken,
    TokenSource,
)
from core.bus import MessageBus
from core.ports import Clock, RoundRunner
from core.services import schedule
from core.services.delivery_units import BusGraphRecords, BusLeases, BusOutboxQueue, BusProgramDirectory
from peerlearn import matching_pool
from peerlearn.settings import AppType, Settings
from storage.database import refresh_statistics
from storage.lti_store import SqlLtiStore
from storage.unit_of_work import SqlUnitOfWorkFactory

log = logging.getLogger("peerlearn.worker")

ROUNDS_EVERY = timedelta(minutes=1)
CHECK_INS_EVERY = timedelta(minutes=5)
GROUP_CHATS_EVERY = timedelta(seconds=30)
# LTI states, nonces and launches expire within hours; deleting the expired ones keeps the table small.
LTI_PURGE_EVERY = timedelta(hours=1)
STATISTICS_EVERY = timedelta(hours=6)  # the planner's view of tables that grow between rounds


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        horizon=timedelta(hours=settings.delivery_retry_horizon_hours),
        max_delay=settings.delivery_retry_max_delay_seconds,
        base_delay=min(1.0, settings.delivery_retry_max_delay_seconds),
    )


def bot_tokens(settings: Settings) -> TokenSource:
    if not settings.authenticated:
        return NoToken()
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return ManagedIdentity(settings.app_id, BOT_CONNECTOR_SCOPE)
    tenant = settings.app_tenant_id if settings.app_type is AppType.SINGLE_TENANT else "botframework.com"
    return ClientCredentials(
        settings.app_id, settings.app_password.get_secret_value(), tenant, BOT_CONNECTOR_SCOPE
    )


def graph_client(settings: Settings, http: aiohttp.ClientSession) -> GraphClient | None:
    if settings.graph_off_reason:
        return None
    tokens = ClientCredentials(
        settings.graph_client_id,
        settings.graph_client_secret.get_secret_value(),
        settings.graph_tenant_id,
        GRAPH_SCOPE,
        authority_host=settings.graph_authority_host,
    )
    return GraphClient(http, tokens, settings.graph_base_url, settings.teams_app_catalog_id)


class Worker:
    def __init__(
        self,
        settings: Settings,
        uows: SqlUnitOfWorkFactory,
        clock: Clock,
        rounds: RoundRunner | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        """`rounds`: the app's, when the worker runs inside it; alone, the worker starts its own pool.
        `engine`: the database's, to refresh the planner's statistics when the worker starts and every
        `STATISTICS_EVERY` (one instance at a time, under the job's lease)."""
        self.settings, self.uows, self.clock = settings, uows, clock
        self.engine = engine
        self.bus = MessageBus(uows, clock)
        self.rounds = rounds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leases = BusLeases(self.bus)
        self.directory = BusProgramDirectory(self.bus)

    async def _every(
        self, name: str, interval: timedelta, job: Callable[[], Awaitable[object]], stop: asyncio.Event
    ) -> None:
        """Run `job` once per `interval` across all instances: whoever takes the lease runs it.

        The holder may renew its own lease (the tenant send lease relies on that), so this instance also
        waits out the interval itself after a run instead of re-taking the lease it still holds.
        """
        next_due = self.clock.now()
        while not stop.is_set():
            now = self.clock.now()
            try:
                if now >= next_due and await self.leases.acquire(
                    f"job:{name}", self.holder, now, now + interval
                ):
                    next_due = now + interval
                    result = await job()
                    log.info("job ran", extra={"job": name, "result": repr(result)[:300]})
            except Exception:  # one failed run must not end the worker; the next interval tries again
                log.exception("job failed", extra={"job": name})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), min(interval.total_seconds(), 5.0))

    async def run(self, stop: asyncio.Event) -> None:
        if self.rounds is not None:
            await self._run(stop, self.rounds)
            return
        own = matching_pool.start(self.settings.database_url)
        try:
            await self._run(stop, own)
        finally:
            matching_pool.stop(own)

    async def _run(self, stop: asyncio.Event, rounds: RoundRunner) -> None:
        settings = self.settings
        lease = settings.delivery_lease_seconds
        async with aiohttp.ClientSession() as http:
            graph = graph_client(settings, http)
            graph_store = BusGraphRecords(self.bus)
            connector = BotConnector(http, bot_tokens(settings), timeout=2 * lease)
            queue = BusOutboxQueue(self.bus)
            journal = OutcomeJournal(settings.data_dir / "delivery")
            outcomes = OutcomeRecorder(queue, journal)
            orphans = journal.adopt_orphans()
            if orphans:
                log.info("adopted outcomes a stopped process had not written", extra={"count": len(orphans)})
                outcomes.adopt(orphans)
            deps = Deps(
                queue=queue,
                uows=self.uows,
                connector=connector,
                clock=self.clock,
                installer=GraphInstaller(graph, graph_store, self.clock) if graph else None,
                graph_off_reason=settings.graph_off_reason,
                outcomes=outcomes,
                # Introductions propose a first meeting the members' calendars have free, when the
                # organisation grants Calendars.ReadBasic.All; refused, it is not asked again for an hour.
                # Graph answers well within a claim's start window, or the hours people gave decide.
                calendars=GraphCalendars(self.clock.now, graph, min(3.0, lease / 4)) if graph else None,
            )
            config = SenderConfig(
                bot_id=settings.app_id or "peerlearn", lease_seconds=lease, retry=retry_policy(settings)
            )
            dispatcher = Dispatcher(
                deps, self.leases, self.holder, config, settings.teams_tenant_messages_per_second
            )
            jobs = [
                dispatcher.run(stop),
                self._every(
                    "rounds",
                    ROUNDS_EVERY,
                    lambda: schedule.open_due_rounds(self.directory, self.bus, rounds),
                    stop,
                ),
                self._every(
                    "check-ins",
                    CHECK_INS_EVERY,
                    lambda: schedule.queue_check_ins(self.directory, self.bus),
                    stop,
                ),
                self._every(
                    "lti-purge",
                    LTI_PURGE_EVERY,
                    lambda: SqlLtiStore(self.uows.sessions).purge(self.clock.now()),
                    stop,
                ),
            ]
            if self.engine is not None:
                engine = self.engine
                jobs.append(
                    self._every("statistics", STATISTICS_EVERY, lambda: refresh_statistics(engine), stop)
                )
            if graph is not None:
                chats = GroupChats(graph, graph_store, deps, config, self.directory)
                jobs.append(self._every("group-chats", GROUP_CHATS_EVERY, chats.run, stop))
            else:
                log.info("Graph features are off", extra={"reason": settings.graph_off_reason})
            log.info("worker started", extra={"holder": self.holder})
            try:
                await asyncio.gather(*jobs)
            finally:
                outcomes.close()
            log.info("worker stopped", extra={"delivered": dispatcher.delivered, "kept": outcomes.kept})


def attach_worker(
    app: web.Application,
    settings: Settings,
    uows: SqlUnitOfWorkFactory,
    clock: Clock,
    rounds: RoundRunner,
    engine: AsyncEngine | None = None,
) -> None:
    """Run the worker alongside the web app: it starts after the database is migrated and stops first."""

    async def context(_: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(Worker(settings, uows, clock, rounds, engine).run(stop))
        yield
        stop.set()
        await task

    app.cleanup_ctx.append(context)
