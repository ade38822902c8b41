from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.retry import (
    MAX_ATTEMPTS,
    MAX_DELAY,
    NotInstalled,
    Permanent,
    RetryPolicy,
    Transient,
    backoff,
    classify,
    gives_up,
    parse_retry_after,
)


@pytest.mark.parametrize("status", [429, 412, 502, 504, 500, 503, 401])
def test_throttling_and_gateway_errors_are_retried(status: int) -> None:
    assert isinstance(classify(status, "Whatever"), Transient)


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        (403, "ConversationBlockedByUser", "blocked the app"),
        (403, "BotDisabledByAdmin", "disabled the app"),
        (404, "ConversationNotFound", "no longer exists"),
        (403, "MessageWritesBlocked", "left the organization"),
        (404, "", "could not find"),
        (400, "BadArgument", "400 BadArgument"),
    ],
)
def test_refusals_are_permanent_with_a_reason_a_facilitator_can_read(
    status: int, code: str, reason: str
) -> None:
    error = classify(status, code)
    assert isinstance(error, Permanent)
    assert reason in error.reason


def test_a_bot_missing_from_the_roster_means_the_app_is_not_installed() -> None:
    assert isinstance(classify(403, "BotNotInConversationRoster"), NotInstalled)


def test_back_off_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    for attempt in range(1, 15):
        exp = min(MAX_DELAY, 2 ** (attempt - 1))
        delay = backoff(attempt, rng=rng)
        assert exp / 2 <= delay <= exp


def test_jitter_spreads_senders_throttled_at_the_same_moment() -> None:
    rng = random.Random(2)
    assert len({round(backoff(5, rng=rng), 3) for _ in range(20)}) > 10


def test_back_off_never_comes_back_before_retry_after() -> None:
    assert backoff(1, retry_after=30.0, rng=random.Random(3)) == 30.0
    assert backoff(12, retry_after=1.0, rng=random.Random(3)) > 1.0


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 02 Nov 2026 09:00:20 GMT", now) == 20.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_nothing_is_retried_forever() -> None:
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)


def test_a_message_is_retried_until_its_horizon_not_for_a_number_of_attempts() -> None:
    policy = RetryPolicy(horizon=timedelta(hours=48), max_delay=900)
    queued = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    now, attempt, rng = queued, 1, random.Random(4)
    while (later := policy.next_attempt(queued, attempt, now, rng=rng)) is not None:
        assert later - now <= timedelta(seconds=900)  # capped
        assert later <= queued + policy.horizon  # the last try lands on the horizon
        now, attempt = later, attempt + 1
    assert attempt > MAX_ATTEMPTS * 10  # an outage of two days is ridden out
    assert now == queued + policy.horizon


def test_retry_after_is_honoured_even_past_the_cap() -> None:
    policy = RetryPolicy(max_delay=10)
    queued = now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert policy.next_attempt(queued, 1, now, retry_after=60) == now + timedelta(seconds=60)


def test_a_nonsense_policy_is_refused_with_its_values() -> None:
    with pytest.raises(ValueError, match="horizon '0:00:00'"):
        RetryPolicy(horizon=timedelta(0))
