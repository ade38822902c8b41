from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from pylti1p3.request import Request


class AiohttpRequest(Request):
    """A request whose parameters were read before pylti1p3 sees it (aiohttp reads bodies asynchronously)."""

    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], secure: bool) -> None:
        self._params = dict(params)
        self._cookies = dict(cookies)
        self._secure = secure

    @classmethod
    async def from_aiohttp(cls, request: web.Request, secure: bool) -> AiohttpRequest:
        params: dict[str, str] = dict(request.query)
        if request.method == "POST":
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return cls(params, request.cookies, secure)

    @property
    def params(self) -> dict[str, str]:
        return dict(self._params)

    @property
    def session(self) -> None:
        return None

    def get_param(self, key: str) -> str:
        return self._params.get(key) or ""

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)

    def add_cookie(self, key: str, value: str) -> None:
        """A value that counts as a cookie of this request (the state read back from platform storage)."""
        self._cookies[key] = value

    def is_secure(self) -> bool:
        return self._secure
