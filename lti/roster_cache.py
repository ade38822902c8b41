"""The course roster from the LMS (Names and Role Provisioning), kept per course so that the instructor's page
does not fetch every roster page from the LMS on every view.

A roster younger than `FRESH` is used as it is. An older one (up to `KEEP`) is shown at once and refreshed in
the background, one refresh per course at a time; the next view shows the refreshed one. Without a roster, or
with one older than `KEEP`, the page waits for the LMS. The cache lives in the process: each instance keeps
its own, which costs each one a first fetch and nothing else (the roster is the LMS's, never stored).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.views.courses import RosterMember
from lti.tool import LaunchRefused

FRESH = 60.0  # seconds
KEEP = 15 * 60.0
MAX_COURSES = 2000
Fetch = Callable[[], Awaitable[list[RosterMember] | None]]
log = logging.getLogger(__name__)


@dataclass
class RosterCache:
    clock: Callable[[], float] = time.monotonic
    _rosters: dict[tuple[str, str], tuple[list[RosterMember] | None, float]] = field(default_factory=dict)
    _refreshing: dict[tuple[str, str], asyncio.Task[None]] = field(default_factory=dict)

    async def get(self, course: tuple[str, str], fetch: Fetch) -> list[RosterMember] | None:
        """The course's roster (None: the launch offers no roster service); `fetch` asks the LMS."""
        cached = self._rosters.get(course)
        age = self.clock() - cached[1] if cached is not None else None
        if cached is not None and age is not None and age < KEEP:
            if age >= FRESH and course not in self._refreshing:
                self._refreshing[course] = asyncio.create_task(self._refresh(course, fetch))
            return cached[0]
        members = await fetch()
        self._store(course, members)
        return members

    def forget(self, course: tuple[str, str]) -> None:
        self._rosters.pop(course, None)

    def _store(self, course: tuple[str, str], members: list[RosterMember] | None) -> None:
        if len(self._rosters) >= MAX_COURSES and course not in self._rosters:
            oldest = min(self._rosters, key=lambda key: self._rosters[key][1])
            del self._rosters[oldest]
        self._rosters[course] = (members, self.clock())

    async def _refresh(self, course: tuple[str, str], fetch: Fetch) -> None:
        try:
            self._store(course, await fetch())
        except LaunchRefused as exc:  # keep the roster we have; the next view tries again
            log.info("roster refresh for a course failed: %s", exc.message)
        finally:
            self._refreshing.pop(course, None)

    async def settle(self) -> None:
        """Wait for the background refreshes under way (tests, shutdown)."""
        while self._refreshing:
            await asyncio.gather(*list(self._refreshing.values()), return_exceptions=True)
