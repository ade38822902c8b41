"""The pieces of the LTI door's defences that need no I/O: frame-ancestors, and tokens that are not ASCII."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lti.security import FrameAncestors, content_security_policy, frame_ancestors, origin
from lti.session import SessionRefused, Sessions


def test_frame_ancestors_lists_each_registered_origin_once_after_self() -> None:
    urls = ["https://lms.example.edu", "https://lms.example.edu/auth/login", "https://SSO.example.edu:8443/x"]
    assert frame_ancestors(urls) == "'self' https://lms.example.edu https://sso.example.edu:8443"


@pytest.mark.parametrize(
    "url",
    [
        "https://lms.example.edu; script-src *",
        "https://*.example.edu",
        "javascript:alert(1)",
        "https://user:pw@lms.example.edu",
        "https://lms.example.edu'",
        "ftp://lms.example.edu",
        "",
    ],
)
def test_a_registered_url_that_is_not_a_plain_origin_never_reaches_the_header(url: str) -> None:
    assert origin(url) is None
    assert frame_ancestors([url]) == "'self'"


class _Platforms:
    async def platform_urls(self) -> list[str]:
        return ["https://canvas.instructure.com"]


async def test_configured_extra_origins_may_frame_the_pages_beside_the_registered_platforms() -> None:
    ancestors = FrameAncestors(_Platforms().platform_urls, extra=["https://school.instructure.com"])
    assert await ancestors.value() == "'self' https://canvas.instructure.com https://school.instructure.com"


def test_without_registered_platforms_only_the_tool_may_frame_its_pages() -> None:
    assert content_security_policy(frame_ancestors([])).endswith("frame-ancestors 'self'")


@pytest.mark.parametrize("mac", ["\x80", "é" * 43, "\ud800"])
def test_a_session_whose_mac_is_not_ascii_is_refused_not_a_crash(mac: str) -> None:
    sessions = Sessions(b"k" * 32)
    with pytest.raises(SessionRefused) as refused:
        sessions.read(f"eyJ9.{mac}", datetime.now(UTC))
    assert refused.value.status == 401
