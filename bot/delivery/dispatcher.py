"""Which tenants this instance sends for: one lease per tenant, renewed while its outbox drains.

The tenant's rate ceiling is enforced by the limiter of the one instance holding its lease, so it holds
across instances. Each take of a lease hands out a new fencing token: claims are made under it, and each
send first checks that the lease is still held (`TenantLease.valid`, by the monotonic clock from the last
successful renewal, so a process paused past its lease knows it without asking the database).

A lease is not released when a drain ends: it lapses after `lease_seconds`, and until then new rows of
that tenant stay with the same instance (whose limiter remembers the recent sends). On shutdown it is
released as soon as the tenant's last sends have left the ceiling's window, so the next instance takes
over at once without exceeding the ceiling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from bot.delivery.limits import RateLimiter
from bot.delivery.sender import Deps, SenderConfig, TenantSender
from core.model.delivery import LeaseToken
from core.ports.delivery import Leases

log = logging.getLogger("peerlearn.delivery")

# A lease counts as ours until this share of it is left, to allow for clock skew between instances (the
# other instance decides by its wall clock when the lease has expired).
SKEW = 0.2


class TenantLease:
    """`send:<organization>` as this instance holds it: the `Fence` a tenant's sender works under."""

    def __init__(self, leases: Leases, deps: Deps, organization_id: str, holder: str, seconds: float) -> None:
        self.leases, self.deps, self.holder, self.seconds = leases, deps, holder, seconds
        self.name = f"send:{organization_id}"
        self.token: LeaseToken | None = None
        self._valid_until = float("-inf")

    def valid(self) -> bool:
        return self.token is not None and time.monotonic() < self._valid_until

    async def take(self) -> bool:
        """Renew the lease if it is still ours since our token, else take it afresh (a new token)."""
        started, now = time.monotonic(), self.deps.clock.now()
        until = now + timedelta(seconds=self.seconds)
        token = None
        if self.token is not None:
            token = await self.leases.take(self.name, self.holder, now, until, self.token.fence)
        if token is None:
            token = await self.leases.take(self.name, self.holder, now, until)
        self.token = token
        if token is None:
            self._valid_until = float("-inf")
            return False
        self._valid_until = started + self.seconds * (1 - SKEW)
        return True

    async def keep(self, lost: asyncio.Event) -> None:
        """Renew every third of the lease; a failed renewal (the database is away) is tried again, and the
        lease lapses by itself (`valid` turns False) if it cannot be renewed in time."""
        while True:
            await asyncio.sleep(self.seconds / 3)
            token = self.token
            if token is None:
                lost.set()
                return
            try:
                now = self.deps.clock.now()
                until = now + timedelta(seconds=self.seconds)
                started = time.monotonic()
                renewed = await self.leases.take(self.name, self.holder, now, until, token.fence)
            except Exception as error:
                log.warning(
                    "could not renew the sending lease", extra={"lease": self.name, "error": str(error)}
                )
                continue
            if renewed is None:
                log.warning("lost the sending lease", extra={"lease": self.name})
                self.token, self._valid_until = None, float("-inf")
                lost.set()
                return
            self._valid_until = started + self.seconds * (1 - SKEW)

    async def release(self, after: float) -> None:
        """Free the lease `after` seconds from now (when our last sends have left the ceiling's window)."""
        if self.token is None:
            return
        self.token, self._valid_until = None, float("-inf")
        at = self.deps.clock.now() + timedelta(seconds=after)
        await self.leases.release(self.name, self.holder, at)


class Dispatcher:
    def __init__(
        self, deps: Deps, leases: Leases, holder: str, config: SenderConfig, per_second: float
    ) -> None:
        self.deps, self.leases, self.holder, self.config = deps, leases, holder, config
        self.per_second = per_second
        self.limiters: dict[str, RateLimiter] = {}
        self.held: dict[str, TenantLease] = {}
        self.active: dict[str, asyncio.Task[None]] = {}
        self.stopping = False
        self.delivered = 0

    async def tick(self) -> None:
        """Start a drain for every tenant with due rows whose lease this instance can take."""
        now = self.deps.clock.now()
        for organization_id in await self.deps.queue.tenants_with_due(now, 200):
            if self.stopping or organization_id in self.active:
                continue
            lease = self.held.get(organization_id)
            if lease is None:
                lease = TenantLease(
                    self.leases, self.deps, organization_id, self.holder, self.config.lease_seconds
                )
            if await lease.take():
                self.held[organization_id] = lease
                self.active[organization_id] = asyncio.create_task(self._drain(organization_id, lease))
            else:
                self.held.pop(organization_id, None)

    async def _drain(self, organization_id: str, lease: TenantLease) -> None:
        lost = asyncio.Event()
        renewer = asyncio.create_task(lease.keep(lost))
        limiter = self.limiters.setdefault(organization_id, RateLimiter(self.per_second))
        limiter.forget_idle()
        sender = TenantSender(organization_id, self.deps, limiter, self.config, lease)
        try:
            self.delivered += await sender.drain(lambda: not lost.is_set() and not self.stopping)
            if sender.fenced_out:
                log.warning(
                    "the sending lease lapsed: rows given back", extra={"organization_id": organization_id}
                )
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

    async def shutdown(self, seconds: float | None = None) -> None:
        """Stop claiming; let in-flight sends finish (rows not yet started are given back), write the
        outcomes, and release the sending leases, all within `seconds` (default: one request timeout and
        a second). A send still running then is abandoned: its row comes back when its hold ends."""
        self.stopping = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (seconds if seconds is not None else self.config.request_timeout + 1)
        if self.active:
            _, late = await asyncio.wait(list(self.active.values()), timeout=max(deadline - loop.time(), 0.1))
            for task in late:
                task.cancel()
            if late:
                log.warning("sends still running at shutdown were abandoned", extra={"tenants": len(late)})
                await asyncio.wait(late, timeout=1)
        if not await self.deps.outcomes.flush(max(deadline - loop.time(), 1.0)):
            log.warning(
                "the database is unreachable: outcomes stay in the journal for the next start",
                extra={"kept": self.deps.outcomes.kept},
            )
        for organization_id, lease in list(self.held.items()):
            limiter = self.limiters.get(organization_id)
            try:
                await lease.release(limiter.settles_in() if limiter else 0.0)
            except Exception as error:  # it lapses by itself
                log.warning(
                    "could not release a sending lease", extra={"lease": lease.name, "error": str(error)}
                )
        self.held.clear()
