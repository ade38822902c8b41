from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real clock. Tests pass their own `core.ports.Clock` instead."""

    def now(self) -> datetime:
        return datetime.now(UTC)
