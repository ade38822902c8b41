"""The page session after a launch: a signed, expiring token in an HttpOnly cookie, repeated in every form
(and in links), so the pages keep working where the LMS's iframe drops cookies. Forms also carry a CSRF token
derived from the session; instructor actions need a session whose launch had an instructor role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aiohttp import web

COOKIE = "peerlearn-lti"
LIFETIME = timedelta(hours=8)


class SessionRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class PageSession:
    organization_id: str
    person_id: str
    program_id: str
    instructor: bool
    launch_id: str
    issuer: str
    client_id: str
    expires: int
    section: str = ""
    context_id: str = ""  # the LMS's id of the course (Moodle: its course id)
    groups_service: bool = False  # the launch offered the LTI Course Groups service


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("The LTI session secret must be at least 16 bytes; set SECRET_KEY.")
        self._secret = secret

    def _mac(self, purpose: str, text: str) -> str:
        return _b64(hmac.new(self._secret, f"{purpose}:{text}".encode(), hashlib.sha256).digest())

    def issue(self, session: PageSession) -> str:
        payload = _b64(json.dumps(asdict(session), separators=(",", ":")).encode())
        return f"{payload}.{self._mac('session', payload)}"

    def new(self, now: datetime, **fields: str | bool) -> tuple[PageSession, str]:
        session = PageSession(expires=int((now + LIFETIME).timestamp()), **fields)  # type: ignore[arg-type]
        return session, self.issue(session)

    def read(self, token: str, now: datetime) -> PageSession:
        payload, _, mac = token.partition(".")
        if not payload or not hmac.compare_digest(
            mac.encode(errors="replace"), self._mac("session", payload).encode()
        ):
            raise SessionRefused(401, "Your session is not valid here. Open the tool again from your course.")
        try:
            session = PageSession(**json.loads(_unb64(payload)))
        except (ValueError, TypeError) as exc:
            raise SessionRefused(
                401, "Your session could not be read. Open the tool again from your course."
            ) from exc
        if session.expires < now.timestamp():
            raise SessionRefused(401, "Your session has expired. Open the tool again from your course.")
        return session

    def csrf(self, token: str) -> str:
        return self._mac("csrf", token)

    async def from_request(self, request: web.Request, now: datetime) -> tuple[PageSession, str]:
        """The session of a page request; a POST must also carry the matching CSRF token."""
        form = await request.post() if request.method == "POST" else None
        posted = form.get("session") if form is not None else None
        token = str(posted or request.query.get("s") or request.cookies.get(COOKIE) or "")
        if not token:
            raise SessionRefused(
                401,
                "There is no session: your browser may block this tool's cookies. Open it again from your course.",
            )
        session = self.read(token, now)
        if form is not None and not hmac.compare_digest(
            str(form.get("csrf", "")).encode(errors="replace"), self.csrf(token).encode()
        ):
            raise SessionRefused(
                403, "This form is missing its security token. Reload the page and try again."
            )
        return session, token
