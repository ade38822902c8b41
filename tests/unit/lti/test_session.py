from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import make_mocked_request

from lti.session import COOKIE, LIFETIME, SessionRefused, Sessions

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FIELDS: dict[str, str | bool] = {
    "organization_id": "org-lms",
    "person_id": "lea",
    "program_id": "course-a",
    "instructor": False,
    "launch_id": "launch-1",
    "issuer": "https://lms.example.edu",
    "client_id": "client-1",
    "section": "B",
}


@pytest.fixture
def sessions() -> Sessions:
    return Sessions(b"k" * 32)


def resign(token: str, sessions: Sessions, **changes: object) -> str:
    """The token's payload changed but its signature kept, as an attacker without the secret would try."""
    payload, _, mac = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=").decode()
    return f"{forged}.{mac}"


def test_a_new_session_reads_back_as_issued_until_it_expires(sessions: Sessions) -> None:
    session, token = sessions.new(NOW, **FIELDS)
    assert sessions.read(token, NOW + LIFETIME - timedelta(seconds=1)) == session
    assert session.expires == int((NOW + LIFETIME).timestamp())
    with pytest.raises(SessionRefused, match="expired") as refused:
        sessions.read(token, NOW + LIFETIME + timedelta(seconds=1))
    assert refused.value.status == 401


@pytest.mark.parametrize(
    "changes",
    [{"instructor": True}, {"program_id": "course-b"}, {"organization_id": "org-other"}, {"expires": 2**40}],
)
def test_a_changed_session_is_refused(sessions: Sessions, changes: dict[str, object]) -> None:
    _, token = sessions.new(NOW, **FIELDS)
    with pytest.raises(SessionRefused, match="not valid") as refused:
        sessions.read(resign(token, sessions, **changes), NOW)
    assert refused.value.status == 401


@pytest.mark.parametrize("token", ["", ".", "abc", "abc.def", "...."])
def test_garbage_is_refused_with_a_401(sessions: Sessions, token: str) -> None:
    with pytest.raises(SessionRefused) as refused:
        sessions.read(token, NOW)
    assert refused.value.status == 401


def test_a_signed_payload_that_is_not_a_session_is_refused(sessions: Sessions) -> None:
    payload = base64.urlsafe_b64encode(b'{"person_id": "lea"}').rstrip(b"=").decode()
    token = f"{payload}.{sessions._mac('session', payload)}"
    with pytest.raises(SessionRefused, match="could not be read"):
        sessions.read(token, NOW)


def test_a_session_from_another_secret_is_refused(sessions: Sessions) -> None:
    _, token = Sessions(b"o" * 32).new(NOW, **FIELDS)
    with pytest.raises(SessionRefused, match="not valid"):
        sessions.read(token, NOW)


def test_the_csrf_token_belongs_to_one_session_only(sessions: Sessions) -> None:
    _, course_a = sessions.new(NOW, **FIELDS)
    _, course_b = sessions.new(NOW, **{**FIELDS, "program_id": "course-b"})
    assert sessions.csrf(course_a) == sessions.csrf(course_a)
    assert sessions.csrf(course_a) != sessions.csrf(course_b)
    assert sessions.csrf(course_a) != course_a.partition(".")[2]  # not the session's own signature


def test_a_short_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Sessions(b"short")


async def test_a_page_request_takes_the_session_from_the_link_before_the_cookie(sessions: Sessions) -> None:
    mine, in_link = sessions.new(NOW, **FIELDS)
    _, in_cookie = sessions.new(NOW, **{**FIELDS, "person_id": "leo"})
    request = make_mocked_request(
        "GET", f"/lti/course?s={in_link}", headers={"Cookie": f"{COOKIE}={in_cookie}"}
    )
    assert await sessions.from_request(request, NOW) == (mine, in_link)
    only_cookie = make_mocked_request("GET", "/lti/course", headers={"Cookie": f"{COOKIE}={in_cookie}"})
    found, _ = await sessions.from_request(only_cookie, NOW)
    assert found == replace(mine, person_id="leo")


async def test_a_page_request_without_any_session_explains_blocked_cookies(sessions: Sessions) -> None:
    with pytest.raises(SessionRefused, match="block this tool's cookies") as refused:
        await sessions.from_request(make_mocked_request("GET", "/lti/course"), NOW)
    assert refused.value.status == 401
