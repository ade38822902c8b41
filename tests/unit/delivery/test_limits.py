from __future__ import annotations

import itertools

import pytest

from bot.delivery.limits import MARGIN, RateLimiter, SlidingWindow


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _send_all(limiter: RateLimiter, clock: FakeMonotonic, conversations: list[str]) -> list[float]:
    """Send to each conversation in turn as soon as the limiter allows; returns the send times."""
    times = []
    for conversation in conversations:
        clock.now += limiter.wait(conversation)
        assert limiter.wait(conversation) == 0
        limiter.record(conversation)
        times.append(clock.now)
    return times


def test_a_window_admits_its_limit_then_waits_until_the_oldest_send_leaves_it() -> None:
    window = SlidingWindow(3, 1.0)
    for t in (0.0, 0.1, 0.2):
        assert window.wait(t) == 0
        window.record(t)
    assert window.wait(0.5) == pytest.approx(1.0 * MARGIN - 0.5)
    assert window.wait(1.0 * MARGIN + 0.001) == 0


def test_the_tenant_ceiling_holds_in_every_one_second_window_and_is_used_in_full() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(30, clock)
    times = _send_all(limiter, clock, [f"c{i}" for i in range(300)])
    spans = [times[i + 30] - times[i] for i in range(len(times) - 30)]
    assert min(spans) >= 1.0
    assert max(spans) == pytest.approx(1.0 * MARGIN)  # and it never waits longer than the window needs


def test_one_conversation_gets_at_most_seven_a_second_and_sixty_per_thirty_seconds() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(1000, clock)
    times = _send_all(limiter, clock, ["one"] * 130)
    assert all(times[i + 7] - times[i] >= 1.0 for i in range(len(times) - 7))
    assert all(times[i + 60] - times[i] >= 30.0 for i in range(len(times) - 60))


def test_a_pause_holds_one_conversation_and_a_tenant_pause_holds_all() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(30, clock)
    limiter.pause(5.0, "a")
    assert limiter.wait("a") == pytest.approx(5.0)
    assert limiter.wait("b") == 0
    limiter.pause(2.0)
    assert limiter.wait("b") == pytest.approx(2.0)


def test_a_ceiling_below_one_a_second_spreads_sends_over_a_longer_window() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(0.5, clock)
    times = _send_all(limiter, clock, ["a", "b", "c"])
    assert times[1] - times[0] >= 2.0


def test_idle_conversations_are_forgotten() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(30, clock)
    limiter.record("a")
    clock.now += 31 * MARGIN
    limiter.forget_idle()
    assert limiter._conversations == {}


def test_a_nonsense_ceiling_is_refused_with_its_value() -> None:
    with pytest.raises(ValueError, match="-1"):
        RateLimiter(-1)


def test_a_send_not_made_gives_its_slot_to_the_next_one_but_only_once_a_period() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(10, clock)
    limiter.record("a")
    clock.now += limiter.wait("b")
    slot = limiter.record("b")
    assert limiter.wait("c") == pytest.approx(limiter.spacing)
    limiter.refused(slot)  # the send was not made (its fence lapsed)
    assert limiter.wait("c") == 0
    second = limiter.record("c")
    limiter.refused(second)  # a second one within the period: the pace stays
    assert limiter.wait("d") == pytest.approx(limiter.spacing)


def test_a_late_sender_catches_up_without_sending_two_at_once() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(20, clock)
    times = _send_all(limiter, clock, [f"c{i}" for i in range(5)])
    clock.now += limiter.spacing * 3  # woke up late, by three slots
    times += _send_all(limiter, clock, [f"d{i}" for i in range(5)])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= limiter.spacing / 2 - 1e-9
    clock.now += 5.0  # far behind (or idle): afresh, no burst
    times = _send_all(limiter, clock, ["e0", "e1"])
    assert times[1] - times[0] == pytest.approx(limiter.spacing)
