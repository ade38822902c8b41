"""pylti1p3 is synchronous: when it calls a platform (requests) it runs in a worker thread with a time limit.
It never calls storage from there: what it reads is read before, in the request's unit of work (`lti/tool.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import requests

T = TypeVar("T")

HTTP_TIMEOUT = 5.0  # seconds, for each call pylti1p3 makes to a platform
CALL_TIMEOUT = 20.0  # seconds, for a whole validation or service call


class Timeout(Exception):
    """A platform did not answer in time."""


class TimeoutSession(requests.Session):
    """A requests session whose every call has a timeout (pylti1p3 passes none)."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


async def run_blocking(fn: Callable[[], T], limit: float = CALL_TIMEOUT) -> T:
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn), limit)
    except TimeoutError as exc:
        raise Timeout(f"The platform did not answer within {limit:.0f} seconds.") from exc
