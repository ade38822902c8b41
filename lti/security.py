"""Headers every LTI page is sent with, and who may frame the pages.

`frame-ancestors` lists the origins of the registered platforms (their issuer and their login URL) and the tool
itself, read from storage and kept for a minute, so a platform registered at run time (Dynamic Registration)
can frame the pages within a minute and any other site cannot. A URL that is not a plain http(s) origin (a
wildcard, a quote, a `;` that would start another directive) is left out, never copied into the header.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web

CACHE_SECONDS = 60.0
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None when it is not one a header may quote."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not _HOST.match(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def frame_ancestors(urls: Iterable[str]) -> str:
    origins = sorted({o for o in map(origin, urls) if o is not None})
    return " ".join(["'self'", *origins])


def content_security_policy(ancestors: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"form-action *; base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}"
    )


class FrameAncestors:
    """The `frame-ancestors` source list, from the registered platforms' URLs (`platform_urls`, read in a unit
    of work of its own), cached for `CACHE_SECONDS`."""

    def __init__(
        self,
        platform_urls: Callable[[], Awaitable[list[str]]],
        clock: Callable[[], float] = time.monotonic,
        extra: Iterable[str] = (),
    ) -> None:
        # `extra`: origins an LMS frames the pages from that are not its issuer or login URL (Canvas: the school's host).
        self.platform_urls, self.clock, self.extra = platform_urls, clock, tuple(extra)
        self._value: str | None = None
        self._at = 0.0

    async def value(self) -> str:
        if self._value is None or self.clock() - self._at > CACHE_SECONDS:
            self._value = frame_ancestors([*await self.platform_urls(), *self.extra])
            self._at = self.clock()
        return self._value

    def forget(self) -> None:
        """After a registration: the next page reads the list again."""
        self._value = None


ANCESTORS = web.AppKey("lti_frame_ancestors", FrameAncestors)


def secure_headers(response: web.StreamResponse, ancestors: str) -> None:
    response.headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
