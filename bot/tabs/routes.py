"""The contract every tab page keeps: how it authenticates, how it renders, how its routes are registered.

Authentication (Teams single sign-on, no cookies)
-------------------------------------------------
A tab is an iframe inside Teams, Outlook or microsoft365.com, so it is a third-party context: browsers
block or partition its cookies. peerlearn therefore keeps no session for tabs. Each page is a *shell*
without any personal data: HTML that loads Microsoft's TeamsJS (`/tabs/static/MicrosoftTeams.min.js`) and
`/tabs/static/tabs.js`. tabs.js initializes TeamsJS, takes the theme from its context, asks for a token
with `authentication.getAuthToken()` and fetches the page's content from the server with
`Authorization: Bearer <token>`. The server checks the token on every request (`bot.tabs.sso`) and answers
with an HTML *fragment* rendered here, which tabs.js puts into the page. Forms in a fragment are sent the
same way (fetch, bearer header), and their answer replaces the content. A forged, expired, wrong-audience
or other-tenant token gets 401 and a fragment that says why; nothing is read before the token is checked.

Why fragments rendered on the server rather than JSON rendered in the browser: the templates stay jinja2
with autoescaping (as the LTI pages), the markup is testable over plain HTTP without a browser, and the
page's JavaScript is one small generic file instead of a renderer per page.

For a tab page, in your own module (the facilitator dashboard: `bot/tabs/dashboard.py`)::

    from bot.tabs.routes import TabServices, Viewer, fragment, shell, signed_in

    def setup(app: web.Application, services: TabServices) -> None:   # setup_tabs calls it when present
        app.router.add_get("/tabs/dashboard", dashboard_page)
        app.router.add_get("/tabs/dashboard/view", signed_in(dashboard_view))

    async def dashboard_page(request: web.Request) -> web.Response:  # no token: a shell, no data
        return shell(request, "dashboard.html", title="Program health", source="/tabs/dashboard/view")

    async def dashboard_view(request: web.Request, viewer: Viewer) -> web.Response:
        services = request.app[TABS]
        async with services.bus.unit() as work:      # one unit of work; views read with work.uow
            ...
        return fragment(request, "dashboard_view.html", program=...)

- `shell(request, template, title=..., source=...)` renders a page that extends `tab_base.html`; its
  `<main data-tab-source="...">` is loaded with the bearer token once TeamsJS is ready. Blocks to fill:
  `content` (what shows while loading), `scripts` (extra `<script src="/tabs/static/<file>.js">` for a
  page that needs more, e.g. a configuration page calling `pages.config`; files in `bot/tabs/static/`).
- `signed_in(handler)` checks the token and hands `handler(request, viewer)` a `Viewer`: the verified
  tenant and Entra object id, and the organization and person the bot knows for them. A person the bot
  does not know gets the "say hi to peerlearn in chat first" fragment without calling the handler (pass
  `known_only=False` to handle them yourself). `viewer.person` is the ONLY identity to read data for.
- `fragment(request, template, status=200, **context)` renders `bot/tabs/templates/<template>` as a
  fragment; `problem(request, status, title, message)` is the error fragment (never a trace).
- In a fragment, tabs.js gives these attributes behaviour (no inline script, CSP `script-src 'self'`):
  `<form data-tab-form method="post" action="/tabs/...">` is posted with the token and its answer
  replaces the content; `<a data-tab-link href="/tabs/...">` loads another fragment; `<button
  data-tab-download="/tabs/..." data-filename="x.json">` downloads with the token; `<a data-tab-deep-link
  href="https://teams.microsoft.com/l/...">` opens through TeamsJS `app.openLink`. Your own scripts get
  `window.peerlearnTabs`: `ready` (a promise of the TeamsJS context), `fetch(url, init)` (adds the
  token), `load(url)` (a fragment into the content).
- Themes: tabs.js sets `<html data-theme="default|dark|contrast">` from the TeamsJS context and on every
  theme change; `tabs.css` defines the colours as custom properties per theme (use `var(--…)`).
- Every response under `/tabs/` gets the tab CSP (`default-src 'none'`, scripts, styles, images and
  fetches from `'self'` only, `frame-ancestors` Teams', Outlook's and Microsoft 365's hosts plus
  `TABS_HOST_ORIGINS`), `nosniff`, `no-referrer` and `Cache-Control: no-store` on fragments.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.tabs.pages import fragment, problem, shell
from bot.tabs.sso import KeysUnavailable, SsoUser, SsoValidator, TokenRefused
from core.bus import MessageBus
from core.model import Person
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.views import people

__all__ = ["TABS", "TabServices", "Viewer", "fragment", "problem", "shell", "signed_in"]

log = logging.getLogger("peerlearn.tabs")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ViewerHandler = Callable[[web.Request, "Viewer"], Awaitable[web.StreamResponse]]


@dataclass
class TabServices:
    """What every tab handler may use; built once by `setup_tabs`."""

    bus: MessageBus
    uows: UnitOfWorkFactory
    clock: Clock
    sso: SsoValidator | None  # None: single sign-on is not configured, every signed-in route says so
    sso_off_reason: str
    bot_id: str
    min_group: int
    host_origins: tuple[str, ...] = ()  # origins beside Microsoft's that may host the tabs (a test host)


TABS = web.AppKey("tabs", TabServices)


@dataclass(frozen=True)
class Viewer:
    """The person looking at a tab, as the token proves and the bot knows them."""

    user: SsoUser
    organization_id: str | None
    person: Person | None  # None: the bot has no record of them (never met, or they deleted their data)

    @property
    def known(self) -> bool:
        return self.person is not None and self.organization_id is not None


def signed_in(handler: ViewerHandler, *, known_only: bool = True) -> Handler:
    """Check the bearer token, find the person, then call `handler(request, viewer)`."""

    async def checked(request: web.Request) -> web.StreamResponse:
        services = request.app[TABS]
        if services.sso is None:
            return problem(request, 503, "Sign-in is not set up", services.sso_off_reason)
        try:
            user = await services.sso.verify(request.headers.get("Authorization", ""))
        except TokenRefused as refused:
            log.info("tab token refused", extra={"path": request.path, "reason": refused.reason})
            return problem(
                request,
                401,
                "We could not confirm who you are",
                f"Teams' sign-in did not check out: {refused.reason}. Reload the tab; if it stays, "
                "ask your IT admin to check peerlearn's single sign-on set-up.",
            )
        except KeysUnavailable:
            return problem(
                request,
                503,
                "Sign-in cannot be checked right now",
                "peerlearn cannot reach Microsoft's sign-in keys. Try again in a minute.",
            )
        viewer = await _viewer(services, user)
        if known_only and not viewer.known:
            return fragment(request, "unknown_person.html", status=200, bot_id=services.bot_id)
        return await handler(request, viewer)

    return checked


async def _viewer(services: TabServices, user: SsoUser) -> Viewer:
    async def read(uow: UnitOfWork) -> Viewer:
        organization_id = await people.teams_organization(user.tenant_id, uow)
        person = None
        if organization_id is not None:
            found = await people.by_aad_object_id(organization_id, user.object_id, uow)
            person = found if found is not None and not found.erased else None
        return Viewer(user, organization_id, person)

    return await services.bus.read(read)


def tab_services(request: web.Request) -> TabServices:
    return request.app[TABS]


def context_of(viewer: Viewer) -> dict[str, Any]:
    """What every fragment may show about the viewer (their own name only)."""
    return {"viewer_name": viewer.person.display_name if viewer.person else viewer.user.name}
