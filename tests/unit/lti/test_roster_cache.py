from __future__ import annotations

import pytest

from core.views.courses import RosterMember
from lti.roster_cache import FRESH, KEEP, RosterCache
from lti.tool import LaunchRefused

COURSE = ("org", "program")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lms:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    async def roster(self) -> list[RosterMember] | None:
        self.calls += 1
        if self.fail:
            raise LaunchRefused(504, "The platform did not answer within 20 seconds.")
        return [RosterMember(f"u{self.calls}", f"Version {self.calls}")]


async def test_a_fresh_roster_is_reused_a_stale_one_is_shown_and_refreshed_in_the_background() -> None:
    clock, lms = Clock(), Lms()
    cache = RosterCache(clock=clock)
    first = await cache.get(COURSE, lms.roster)
    clock.now += FRESH / 2
    assert await cache.get(COURSE, lms.roster) == first and lms.calls == 1
    clock.now += FRESH
    assert await cache.get(COURSE, lms.roster) == first  # shown at once...
    await cache.settle()
    assert lms.calls == 2  # ...and refreshed behind
    assert (await cache.get(COURSE, lms.roster) or [])[0].name == "Version 2"


async def test_a_failed_refresh_keeps_the_roster_and_a_too_old_one_waits_for_the_lms() -> None:
    clock, lms = Clock(), Lms()
    cache = RosterCache(clock=clock)
    await cache.get(COURSE, lms.roster)
    clock.now += FRESH + 1
    lms.fail = True
    assert await cache.get(COURSE, lms.roster) is not None
    await cache.settle()
    clock.now += KEEP
    with pytest.raises(LaunchRefused):
        await cache.get(COURSE, lms.roster)
