"""Wiring the tabs into the aiohttp application: `/tabs/static/*`, the personal tab "My learning", and the
facilitator dashboard's routes when `bot.tabs.dashboard` is there (its `setup(app, services)`)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence

from aiohttp import web

from bot.tabs import my_learning
from bot.tabs.pages import HOST_ORIGINS, static, tab_headers
from bot.tabs.routes import TABS, TabServices
from bot.tabs.sso import SigningKeys, SsoValidator
from core.bus import MessageBus
from core.ports import Clock, UnitOfWorkFactory

log = logging.getLogger("peerlearn.tabs")

# Tab modules other people own: each has `setup(app, services)` and is wired in when it exists.
PLUGGED_IN = ("bot.tabs.dashboard",)


def build_validator(
    app: web.Application,
    *,
    client_id: str,
    audience: str,
    metadata_url: str,
    allowed_tenants: Sequence[str],
    issuer_template: str | None = None,
) -> SsoValidator:
    """A validator whose key cache lives as long as the app (its HTTP session closed at clean-up)."""
    keys = SigningKeys(metadata_url)

    async def close_keys(_: web.Application) -> None:
        await keys.close()

    app.on_cleanup.append(close_keys)
    return SsoValidator(keys, client_id, audience, allowed_tenants, issuer_template)


def setup_tabs(
    app: web.Application,
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    sso: SsoValidator | None,
    sso_off_reason: str = "",
    bot_id: str = "",
    min_group: int = 5,
    host_origins: Sequence[str] = (),
) -> TabServices:
    services = TabServices(
        bus=MessageBus(uows, clock),
        uows=uows,
        clock=clock,
        sso=sso,
        sso_off_reason=sso_off_reason,
        bot_id=bot_id,
        min_group=min_group,
        host_origins=tuple(host_origins),
    )
    if sso is None:
        log.warning("tabs: single sign-on is off", extra={"reason": sso_off_reason})
    app[TABS] = services
    app[HOST_ORIGINS] = tuple(host_origins)
    app.middlewares.append(tab_headers)
    app.router.add_get("/tabs/static/{name}", static)
    my_learning.setup(app, services)
    for name in PLUGGED_IN:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:  # the module is there but something it imports is not: a real error
                raise
            continue
        module.setup(app, services)
    return services
