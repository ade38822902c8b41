"""A fake Bot Connector on 127.0.0.1 that behaves like Teams where delivery is concerned.

- It enforces Teams' limits with sliding windows: per conversation 7 a second and 60 per 30 seconds, per
  tenant a ceiling. A send over a limit is answered 429 with `Retry-After` and counted as a violation.
- It answers 429 at random (`throttle_probability`), as Teams does under load.
- It is slow on purpose (`delay` before a message is accepted) and can hold every send after the first
  `hold_after` accepted ones until `release()`, so a test can kill the sender with sends in flight.
- A message counts as delivered once the connector accepts it; the request is handled with cancellation on,
  so a send whose client vanished while it was still being processed is not delivered (as when the sender's
  process dies before Teams took the message).
- Every message is counted by the activity id the sender put on it (one per outbox row): a count above one
  is a duplicate the person would see.
- Every send that arrives is timed (`arrived_at`), accepted or not: `peak_per_second()` is the most sends
  seen in any sliding second, to hold against the tenant's ceiling.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from aiohttp import web

CONVERSATION_WINDOWS = ((7, 1.0), (60, 30.0))


@dataclass
class FakeTeams:
    tenant_per_second: float | None = None
    throttle_probability: float = 0.0
    delay: float = 0.0
    hold_after: int | None = None
    blocked_members: set[str] = field(default_factory=set)
    not_installed: set[str] = field(default_factory=set)
    conversations: Counter[str] = field(default_factory=Counter)
    seed: int = 7
    deliveries: Counter[str] = field(default_factory=Counter)
    accepted_at: list[float] = field(default_factory=list)
    accepted_at_by_id: dict[str, list[float]] = field(default_factory=dict)
    arrived_at: list[float] = field(default_factory=list)
    over_limit_at: list[float] = field(default_factory=list)
    conversations_created: int = 0
    random_429: int = 0
    limit_violations: int = 0
    in_flight: int = 0
    held: int = 0
    _gate: asyncio.Event = field(default_factory=asyncio.Event)
    _tenant: deque[float] = field(default_factory=deque)
    _windows: dict[tuple[str, float], deque[float]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self.send)
        app.router.add_get("/_stats", self.stats)
        return app

    async def stats(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "delivered": self.delivered,
                "duplicates": self.duplicates,
                "random_429": self.random_429,
                "limit_violations": self.limit_violations,
                "conversations_created": self.conversations_created,
                "achieved_rate": self.achieved_rate(),
                "peak_per_second": self.peak_per_second(),
                "first_accepted": min(self.accepted_at, default=None),
                "last_accepted": max(self.accepted_at, default=None),
            }
        )

    def release(self) -> None:
        self.hold_after = None
        self._gate.set()

    @property
    def delivered(self) -> int:
        return len(self.deliveries)

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.deliveries.values() if n > 1)

    async def create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        member = str(body["members"][0]["id"])
        if member in self.blocked_members:
            return _error(403, "ConversationBlockedByUser", "User blocked the conversation with the bot.")
        if member in self.not_installed:
            return _error(
                403, "BotNotInConversationRoster", "The bot is not part of the conversation roster."
            )
        self.conversations_created += 1
        return web.json_response({"id": f"a:personal-{member}"}, status=201)

    def _over_limit(self, conversation: str, now: float) -> bool:
        windows: list[tuple[deque[float], int, float]] = [
            (self._windows.setdefault((conversation, period), deque()), limit, period)
            for limit, period in CONVERSATION_WINDOWS
        ]
        if self.tenant_per_second is not None:
            windows.append((self._tenant, int(self.tenant_per_second), 1.0))
        for sent, _, period in windows:
            while sent and sent[0] <= now - period:
                sent.popleft()
        if any(len(sent) >= limit for sent, limit, _ in windows):
            return True
        for sent, _, _ in windows:
            sent.append(now)
        return False

    async def send(self, request: web.Request) -> web.Response:
        self.arrived_at.append(time.monotonic())
        body = await request.json()
        conversation = request.match_info["cid"]
        if conversation.removeprefix("a:personal-") in self.blocked_members:
            return _error(403, "ConversationBlockedByUser", "User blocked the conversation with the bot.")
        self.in_flight += 1
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.hold_after is not None and self.delivered >= self.hold_after:
                self.held += 1
                await self._gate.wait()
            if self._random.random() < self.throttle_probability:
                self.random_429 += 1
                return _error(429, "Throttled", "Too many requests.", retry_after="1")
            now = time.monotonic()
            if self._over_limit(conversation, now):
                self.limit_violations += 1
                self.over_limit_at.append(now)
                return _error(429, "Throttled", "Rate limit exceeded.", retry_after="1")
            activity = str(body.get("id") or f"no-id-{next(self._ids)}")
            self.deliveries[activity] += 1
            self.accepted_at_by_id.setdefault(activity, []).append(now)
            self.conversations[conversation] += 1
            self.accepted_at.append(now)
            return web.json_response({"id": f"m{next(self._ids)}"}, status=201)
        finally:
            self.in_flight -= 1

    def peak_per_second(self) -> int:
        """The most sends that arrived within any one second (a sliding window over every arrival)."""
        return peak_in_window(self.arrived_at, 1.0)

    def busiest_second(self) -> str:
        """The sends of the busiest second, as offsets in ms (for a failing assertion's message)."""
        ordered, best, start, first = sorted(self.arrived_at), 0, 0, 0
        for end, at in enumerate(ordered):
            while ordered[start] <= at - 1.0:
                start += 1
            if end - start + 1 > best:
                best, first = end - start + 1, start
        window = ordered[first : first + best]
        refused = sum(1 for t in self.over_limit_at if window and window[0] <= t <= window[-1])
        offsets = [round((t - window[0]) * 1000) for t in window]
        return f"{best} sends in a second ({refused} refused over the limit): {offsets}"

    def achieved_rate(self, skip_first: int = 0) -> float:
        """Messages a second between the first counted and the last accepted message."""
        times = sorted(self.accepted_at)[skip_first:]
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])


def peak_in_window(times: list[float], period: float) -> int:
    ordered, peak, start = sorted(times), 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - period:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def _error(status: int, code: str, message: str, retry_after: str | None = None) -> web.Response:
    headers = {"Retry-After": retry_after} if retry_after else None
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


async def serve(fake: FakeTeams, port: int = 0) -> tuple[web.AppRunner, str]:
    """Start the fake on 127.0.0.1; returns the runner (to clean up) and its base URL."""
    runner = web.AppRunner(fake.app(), handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"


def run_in_process(port: int, tenant_per_second: float, throttle_probability: float) -> None:
    """Serve a fake in its own process (as Teams would be), until terminated."""

    with contextlib.suppress(OSError):
        # It measures when sends arrive: on a busy machine, a fake waiting for the CPU would see them
        # bunched up. (Needs the right to raise a priority; without it, it runs as it is.)
        os.nice(-10)

    async def main() -> None:
        fake = FakeTeams(tenant_per_second=tenant_per_second, throttle_probability=throttle_probability)
        await serve(fake, port)
        await asyncio.Event().wait()

    asyncio.run(main())
