"""Which tenants this instance sends for: one lease per tenant, renewed while its outbox drains.

The tenant's rate ceiling is enforced by the limiter of the one instance holding its lease, so it holds
across instances. A lease is not released when a drain ends: it lapses after `lease_seconds`, and until
then new rows of that tenant stay with the same instance (whose limiter remembers the recent sends)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.delivery.limits import RateLimiter
from bot.delivery.sender import Deps, SenderConfig, TenantSender
from core.delivery_ports import Leases

log = logging.getLogger("peerlearn.delivery")


class Dispatcher:
    def __init__(
        self, deps: Deps, leases: Leases, holder: str, config: SenderConfig, per_second: float
    ) -> None:
        self.deps, self.leases, self.holder, self.config = deps, leases, holder, config
        self.per_second = per_second
        self.limiters: dict[str, RateLimiter] = {}
        self.active: dict[str, asyncio.Task[None]] = {}
        self.stopping = False
        self.delivered = 0

    def _lease(self) -> timedelta:
        return timedelta(seconds=self.config.lease_seconds)

    async def tick(self) -> None:
        """Start a drain for every tenant with due rows whose lease this instance can take."""
        now = self.deps.clock.now()
        for organization_id in await self.deps.queue.tenants_with_due(now, 200):
            if self.stopping or organization_id in self.active:
                continue
            name = f"send:{organization_id}"
            if await self.leases.acquire(name, self.holder, now, now + self._lease()):
                task = asyncio.create_task(self._drain(organization_id, name))
                self.active[organization_id] = task

    async def _drain(self, organization_id: str, name: str) -> None:
        lost = asyncio.Event()

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.config.lease_seconds / 3)
                now = self.deps.clock.now()
                if not await self.leases.acquire(name, self.holder, now, now + self._lease()):
                    log.warning("lost the sending lease", extra={"organization_id": organization_id})
                    lost.set()
                    return

        renewer = asyncio.create_task(renew())
        limiter = self.limiters.setdefault(organization_id, RateLimiter(self.per_second))
        limiter.forget_idle()
        sender = TenantSender(organization_id, self.deps, limiter, self.config)
        try:
            self.delivered += await sender.drain(lambda: not lost.is_set() and not self.stopping)
        except Exception:
            log.exception("a tenant's drain stopped", extra={"organization_id": organization_id})
        finally:
            renewer.cancel()
            self.active.pop(organization_id, None)

    async def run(self, stop: asyncio.Event, poll: float = 0.5) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:  # the database may be briefly unreachable: try again on the next tick
                log.exception("the outbox poll failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)
        await self.shutdown()

    async def shutdown(self) -> None:
        """Stop claiming; let in-flight sends finish and record their outcome."""
        self.stopping = True
        if self.active:
            await asyncio.wait(list(self.active.values()))
