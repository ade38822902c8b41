"""Rendering: jinja2 templates shipped in `lti/templates`, security headers, and error pages (never a 500)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from lti.security import ANCESTORS, content_security_policy, secure_headers

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATIC = {
    "style.css": "text/css",
    "autosubmit.js": "application/javascript",
    "grid.js": "application/javascript",
    "timezone.js": "application/javascript",
    "platform_storage.js": "application/javascript",
    "logo.png": "image/png",
}


def setup_templates(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("lti", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        # The templates ship with the package: no stat of each template file on every render.
        auto_reload=False,
    )


def render(request: web.Request, name: str, context: dict[str, Any], status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template(name, request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(
    request: web.Request, status: int, message: str, *, framed_anywhere: bool = False, **extra: Any
) -> web.Response:
    """`framed_anywhere`: for a page with no session and no action (an unregistered platform's login), any
    site may frame it, so the message shows in the iframe of a platform not yet in `frame-ancestors`."""
    titles = {400: "The request was not valid", 401: "Not verified", 403: "Not allowed", 404: "Not found"}
    context = {"title": titles.get(status, "Something went wrong"), "message": message, **extra}
    response = render(request, "error.html", context, status=status)
    if framed_anywhere:
        response.headers["Content-Security-Policy"] = content_security_policy("*")
    return response


async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    kind = STATIC.get(name)
    if kind is None:
        raise web.HTTPNotFound()
    body = (resources.files("lti") / "templates" / name).read_bytes()
    return web.Response(body=body, content_type=kind, headers={"Cache-Control": "max-age=3600"})


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/lti/"):
        return await handler(request)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPRequestEntityTooLarge:
        response = error_page(request, 413, "That form is too large.")
    except web.HTTPException as exc:  # redirects and refusals raised as exceptions get the headers too
        secure_headers(exc, await _ancestors(request))
        _server_timing(exc, started)
        raise
    secure_headers(response, await _ancestors(request))
    _server_timing(response, started)
    return response


def _server_timing(response: web.StreamResponse, started: float) -> None:
    """The tool's own time for the request (`Server-Timing`), so a benchmark or the browser's developer tools
    can tell it from the network and the platform."""
    if not response.prepared:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"


async def _ancestors(request: web.Request) -> str:
    ancestors = request.app.get(ANCESTORS)
    return await ancestors.value() if ancestors is not None else "'self'"
