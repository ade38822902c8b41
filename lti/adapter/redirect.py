from __future__ import annotations

import html

from aiohttp import web
from pylti1p3.redirect import Redirect

from lti.adapter.cookie import AiohttpCookieService


class AiohttpRedirect(Redirect[web.Response]):
    def __init__(self, location: str, cookie_service: AiohttpCookieService | None = None) -> None:
        self._location = location
        self._cookie_service = cookie_service

    def do_redirect(self) -> web.Response:
        return self._process(web.Response(status=302, headers={"Location": self._location}))

    def do_js_redirect(self) -> web.Response:
        # A link, not inline script: the pages' Content-Security-Policy forbids inline scripts.
        target = html.escape(self._location, quote=True)
        body = f'<!doctype html><meta http-equiv="refresh" content="0;url={target}"><a href="{target}">Continue</a>'
        return self._process(web.Response(text=body, content_type="text/html"))

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location

    def _process(self, response: web.Response) -> web.Response:
        if self._cookie_service is not None:
            self._cookie_service.update_response(response)
        return response
