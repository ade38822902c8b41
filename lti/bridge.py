"""pylti1p3 is synchronous (requests, and synchronous storage calls): it runs in a worker thread with a time
limit, and its storage calls come back to the event loop, where the async database lives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
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


class LoopBridge:
    """Lets code in a worker thread await a coroutine on the loop that started it."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float = HTTP_TIMEOUT) -> None:
        self._loop = loop
        self._timeout = timeout

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(self._timeout)


async def run_blocking(fn: Callable[[], T], limit: float = CALL_TIMEOUT) -> T:
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn), limit)
    except TimeoutError as exc:
        raise Timeout(f"The platform did not answer within {limit:.0f} seconds.") from exc
