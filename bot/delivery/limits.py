"""Teams' rate limits as sliding windows: at most `limit` sends in any `period` seconds.

A sliding window is what Teams enforces (7 a second and 60 per 30 seconds per conversation; a ceiling per
tenant), so a token bucket's initial burst would be refused. Times are monotonic seconds from a clock that
tests replace."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Monotonic = Callable[[], float]

CONVERSATION_WINDOWS = ((7, 1.0), (60, 30.0))
# Send slightly under the limit: a request reaches Teams a little later than we count it, never earlier,
# but two requests can arrive closer together than they left.
MARGIN = 1.01


class SlidingWindow:
    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError(f"A rate window needs limit >= 1 and period > 0, not {limit} per {period}s.")
        self.limit, self.period = limit, period * MARGIN
        self._sent: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 when it fits now)."""
        while self._sent and self._sent[0] <= now - self.period:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self._sent[0] + self.period - now

    def record(self, now: float) -> None:
        self._sent.append(now)

    def settles_in(self, now: float) -> float:
        """Seconds until the window is empty."""
        self.wait(now)
        return max(self._sent[-1] + self.period - now, 0.0) if self._sent else 0.0

    def idle(self, now: float) -> bool:
        self.wait(now)
        return not self._sent


class RateLimiter:
    """All of a tenant's windows: its ceiling, and each conversation's own limits; plus pauses (Retry-After)."""

    def __init__(self, per_second: float, clock: Monotonic = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError(f"The tenant ceiling must be above 0 messages a second, not {per_second}.")
        self.clock = clock
        # A whole number of sends per window: 30/s is 30 per second; 2.5/s is 5 per 2 seconds.
        period = 1.0 if per_second >= 1 else 1.0 / per_second
        self.tenant = SlidingWindow(max(int(per_second * period), 1), period)
        # Evenly spaced sends: a burst of a whole window at once arrives spread out and then crowds the
        # next window at Teams' end; one send per interval keeps arrival order and spacing.
        # Slots are kept on a fixed timeline, so a send that wakes up a little late does not push every
        # later slot back (that drift alone costs several per cent of the ceiling). A sender that fell
        # behind catches up at twice the pace, never with two sends at once (after a whole idle period,
        # the timeline starts afresh): requests reach Teams with jitter, and a pair sent together can
        # crowd one second at Teams' end above the ceiling.
        self.spacing = self.tenant.period / self.tenant.limit
        self._next_slot = float("-inf")
        self._conversations: dict[str, list[SlidingWindow]] = {}
        self._paused: dict[str, float] = {}
        self._last_refund = float("-inf")

    def _windows(self, conversation: str) -> list[SlidingWindow]:
        windows = self._conversations.get(conversation)
        if windows is None:
            windows = [SlidingWindow(limit, period) for limit, period in CONVERSATION_WINDOWS]
            self._conversations[conversation] = windows
        return windows

    def wait(self, conversation: str) -> float:
        """Seconds to wait before sending to `conversation`; 0 means send now (and `record` it)."""
        now = self.clock()
        paused = max(self._paused.get(conversation, 0.0), self._paused.get("", 0.0)) - now
        spaced = self._next_slot - now
        return max(paused, spaced, self.tenant.wait(now), *(w.wait(now) for w in self._windows(conversation)))

    def record(self, conversation: str) -> float:
        """Take the slot now; returns its time (to hand back with `refused`)."""
        now = self.clock()
        if now - self._next_slot > self.tenant.period:  # idle for a while: start the timeline afresh
            self._next_slot = now + self.spacing
        else:
            self._next_slot = max(self._next_slot + self.spacing, now + self.spacing / 2)
        self.tenant.record(now)
        for window in self._windows(conversation):
            window.record(now)
        return now

    def refused(self, slot: float) -> None:
        """The send taken at `slot` was not made after all (its sender's fence lapsed): the next send may
        take its place in the pacing. (A send Teams refused with 429 is not refunded: it arrived, and
        counts at Teams' end like any other; the caller pauses the conversation for `Retry-After`.)
        Only one slot a period is refunded, and it stays in the tenant's window."""
        now = self.clock()
        if now - self._last_refund < self.tenant.period:
            return
        self._last_refund = now
        self._next_slot = max(self._next_slot - self.spacing, now)

    def settles_in(self) -> float:
        """Seconds until none of the tenant's sends is left in its ceiling's window (another instance can
        then start sending for the tenant without exceeding the ceiling)."""
        return self.tenant.settles_in(self.clock())

    def pause(self, seconds: float, conversation: str = "") -> None:
        """Hold one conversation (or, with "", the whole tenant) for `seconds` (Teams said Retry-After)."""
        until = self.clock() + seconds
        self._paused[conversation] = max(self._paused.get(conversation, 0.0), until)

    def forget_idle(self) -> None:
        """Drop the windows of conversations with nothing recent, so a long fan-out keeps memory flat."""
        now = self.clock()
        for key in [k for k, ws in self._conversations.items() if all(w.idle(now) for w in ws)]:
            del self._conversations[key]
        self._paused = {k: v for k, v in self._paused.items() if v > now}
