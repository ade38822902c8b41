"""Rendering the tabs: jinja2 templates in `bot/tabs/templates`, files in `bot/tabs/static`, and the headers
every response under `/tabs/` carries (see `bot.tabs.routes` for the contract)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from importlib import resources
from typing import Any

import jinja2
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Where Microsoft hosts tabs (Microsoft Learn, "Prerequisites" for tabs): Teams, Outlook and Microsoft 365 on
# the web, old domains and the new *.cloud.microsoft one.
MICROSOFT_HOSTS = (
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://*.cloud.microsoft",
    "https://*.microsoft365.com",
    "https://*.office.com",
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://outlook-sdf.office.com",
    "https://outlook-sdf.office365.com",
    "https://outlook.live.com",
)
STATIC_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain",
}
HOST_ORIGINS = web.AppKey("tab_host_origins", tuple[str, ...])

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.tabs", "templates"),
    autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    undefined=jinja2.StrictUndefined,
)


def _host_origins(request: web.Request) -> tuple[str, ...]:
    return request.app[HOST_ORIGINS]  # set by setup_tabs, which also installs the middleware


def content_security_policy(extra_hosts: Iterable[str]) -> str:
    ancestors = " ".join(["'self'", *MICROSOFT_HOSTS, *extra_hosts])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
        f"frame-ancestors {ancestors}"
    )


def _render(request: web.Request, template: str, status: int, context: dict[str, Any]) -> web.Response:
    body = _ENV.get_template(template).render(**context)
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def shell(request: web.Request, template: str, *, title: str, source: str, **context: Any) -> web.Response:
    """A whole page without personal data: TeamsJS, tabs.js, and `source`, the fragment to load signed in."""
    host_origins = _host_origins(request)
    return _render(
        request,
        template,
        200,
        {"title": title, "source": source, "host_origins": " ".join(host_origins), **context},
    )


def fragment(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    """Part of a page, put into the shell's content by tabs.js."""
    return _render(request, template, status, context)


def problem(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return fragment(request, "problem.html", status=status, title=title, message=message)


async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    kind = next((t for suffix, t in STATIC_TYPES.items() if name.endswith(suffix)), None)
    folder = resources.files("bot.tabs") / "static"
    if kind is None or "/" in name or name.startswith(".") or not (folder / name).is_file():
        raise web.HTTPNotFound(text=f"There is no tab file named '{name[:80]}'.")
    return web.Response(
        body=(folder / name).read_bytes(), content_type=kind, headers={"Cache-Control": "max-age=3600"}
    )


@web.middleware
async def tab_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/tabs/") and request.path != "/tabs":
        return await handler(request)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure(exc, request)
        raise
    _secure(response, request)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def _secure(response: web.StreamResponse, request: web.Request) -> None:
    response.headers["Content-Security-Policy"] = content_security_policy(_host_origins(request))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
