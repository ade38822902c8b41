from __future__ import annotations

from aiohttp import web
from pylti1p3.cookie import CookieService

from lti.adapter.request import AiohttpRequest


def set_cookie(
    response: web.StreamResponse, name: str, value: str, max_age: int | None, secure: bool
) -> None:
    """Over https a cookie must be `SameSite=None; Secure; Partitioned` to survive the LMS's iframe; over plain
    http (local tests) browsers refuse `SameSite=None` without `Secure`, so it is `Lax` there."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
    )
    if secure:
        # Python's Morsel knows `Partitioned` only from 3.14: teach this one morsel the flag, then set it.
        morsel = response.cookies[name]
        morsel._reserved = {**morsel._reserved, "partitioned": "Partitioned"}  # type: ignore[attr-defined]
        morsel._flags = {*morsel._flags, "partitioned"}  # type: ignore[attr-defined]
        morsel["partitioned"] = True


class AiohttpCookieService(CookieService):
    def __init__(self, request: AiohttpRequest) -> None:
        self._request = request
        self._to_set: dict[str, tuple[str, int | None]] = {}

    def _get_key(self, key: str) -> str:
        return f"{self._cookie_prefix}-{key}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._get_key(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self._to_set[self._get_key(name)] = (str(value), exp)

    def update_response(self, response: web.StreamResponse) -> None:
        for key, (value, exp) in self._to_set.items():
            set_cookie(response, key, value, exp, self._request.is_secure())
