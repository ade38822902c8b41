"""What a peer's answer means for a message, and when to try again.

    PeerError                an HTTP answer from the Bot Connector or Graph that is not a success
    ├── Transient            try again later: 429, 412, 500, 502, 503, 504, a timeout or a dropped connection
    ├── NotInstalled         the app is not installed for the person (Graph can install it, then try again)
    └── Permanent            never try again: blocked, removed, left the organization, not found, refused

A transient error honours `Retry-After`; otherwise the wait grows exponentially with jitter, up to a cap.
An outbox message is retried until its `RetryPolicy.horizon` has passed since it was queued (48 hours by
default: a connector outage of hours loses nothing), then given up as failed, so nothing is retried
forever. Graph's group-chat set-up counts attempts instead (`MAX_ATTEMPTS`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_ATTEMPTS = 10
BASE_DELAY = 1.0
MAX_DELAY = 15 * 60.0
TRANSIENT_STATUSES = frozenset({412, 429, 500, 502, 503, 504})

# Teams' error codes (the `error.code` of the answer's body) and how a facilitator reads them.
PERMANENT_REASONS = {
    "ConversationBlockedByUser": "The person blocked the app in Teams.",
    "BotDisabledByAdmin": "An IT admin disabled the app for the organization.",
    "UserNotFound": "The person is no longer in the organization.",
    "MemberNotFoundInConversation": "The person is no longer in the organization.",
    "MessageWritesBlocked": "Teams blocks messages to this person (they may have left the organization).",
    "ConversationNotFound": "The chat with the person no longer exists (the app was removed).",
    "MessageSizeTooBig": "The message was too large for Teams.",
}
NOT_INSTALLED_CODES = frozenset({"BotNotInConversationRoster"})


class PeerError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} {code}: {message}".strip())
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class Transient(PeerError):
    """Worth retrying after a back-off: throttled (429, 412) or a gateway hiccup (500, 502, 503, 504)."""


class NotInstalled(PeerError):
    """The bot is not in the person's conversation: install the app through Graph, then retry."""


class Permanent(PeerError):
    @property
    def reason(self) -> str:
        """One sentence for the facilitator's report (the same sentence for the same cause, so they group)."""
        if self.code in PERMANENT_REASONS:
            return PERMANENT_REASONS[self.code]
        if self.status == 403:
            return f"Teams refused the message (403 {self.code or 'Forbidden'})."
        if self.status == 404:
            return "Teams could not find the person or the chat (404)."
        return f"Teams rejected the message ({self.status} {self.code or 'error'})."


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.replace(
        ".", "", 1
    ).isdigit():  # delay-seconds (RFC 9110 allows only digits; a fraction is tolerated)
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def classify(status: int, code: str = "", message: str = "", retry_after: float | None = None) -> PeerError:
    if status in TRANSIENT_STATUSES or status == 401:  # 401: a token expired between fetch and use
        return Transient(status, code, message, retry_after)
    if code in NOT_INSTALLED_CODES:
        return NotInstalled(status, code, message, retry_after)
    return Permanent(status, code, message, retry_after)


def backoff(attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds before attempt `attempt + 1`: exponential (1 s, 2 s, 4 s … capped) with jitter, never
    sooner than the peer's `Retry-After`. Jitter spreads retries so throttled senders do not return in step."""
    exp = min(MAX_DELAY, BASE_DELAY * 2 ** max(attempt - 1, 0))
    delay: float = exp / 2 + (rng or random).random() * exp / 2
    return max(delay, retry_after or 0.0)


def gives_up(attempt: int) -> bool:
    return attempt >= MAX_ATTEMPTS


DEFAULT_HORIZON = timedelta(hours=48)


@dataclass(frozen=True)
class RetryPolicy:
    """When an outbox message is tried again, and when it is given up."""

    horizon: timedelta = DEFAULT_HORIZON
    base_delay: float = BASE_DELAY
    max_delay: float = MAX_DELAY

    def __post_init__(self) -> None:
        if self.horizon <= timedelta(0) or self.base_delay <= 0 or self.max_delay < self.base_delay:
            raise ValueError(
                f"A retry policy needs horizon > 0 and 0 < base delay <= max delay, not horizon "
                f"'{self.horizon}', base {self.base_delay}s, max {self.max_delay}s."
            )

    def next_attempt(
        self,
        queued_at: datetime,
        attempt: int,
        now: datetime,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> datetime | None:
        """When to try again after attempt `attempt` failed; None once the horizon has passed. The last
        try lands on the horizon itself, unless `Retry-After` asks for later (then one try after it)."""
        deadline = queued_at + self.horizon
        if now >= deadline:
            return None
        exp = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        delay = max(exp / 2 + (rng or random).random() * exp / 2, retry_after or 0.0)
        return max(min(now + timedelta(seconds=delay), deadline), now + timedelta(seconds=retry_after or 0.0))

    def describe(self) -> str:
        hours = self.horizon.total_seconds() / 3600
        span = f"{hours:g} hours" if hours >= 1 else f"{self.horizon.total_seconds():g} seconds"
        return f"Teams could not be reached or kept refusing the message for {span}."
