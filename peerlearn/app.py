"""The aiohttp application factory: one server for both doors (`/api/messages`, `/lti/*`) and `/healthz`."""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import attach_calendars, setup_bot
from bot.config import BotConfig
from bot.delivery.graph import GraphCalendars
from bot.tabs.app import build_validator, setup_tabs
from core.bus import MessageBus
from core.clock import SystemClock
from core.model.delivery import GraphStatus
from core.ports import Clock, RoundRunner
from lti.config import LtiConfig
from lti.lms_groups import group_api
from lti.setup import setup_lti
from peerlearn import __version__, matching_pool, secret_key
from peerlearn.home import setup_home
from peerlearn.logs import request_id
from peerlearn.settings import Settings
from peerlearn.worker import attach_worker, graph_client
from storage import migrate
from storage.database import create_engine, refresh_statistics, session_factory, transaction_slots
from storage.lti_store import SqlLtiStore
from storage.unit_of_work import SqlUnitOfWorkFactory

log = logging.getLogger("peerlearn.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Runtime:
    """What start-up builds once and every door shares."""

    settings: Settings
    engine: AsyncEngine
    uow_factory: SqlUnitOfWorkFactory
    clock: Clock
    # Health checks read on a connection of their own: on SQLite the app has one, and a check queued behind a
    # card action that waits for another process's write answered in hundreds of milliseconds.
    health_engine: AsyncEngine


RUNTIME = web.AppKey("runtime", Runtime)


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give each request an id (kept from `X-Request-Id` when sane), log one line for it, and never show a trace."""
    incoming = request.headers.get("X-Request-Id", "")
    rid = incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
    token = request_id.set(rid)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = rid
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers["X-Request-Id"] = rid
        raise
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return web.json_response(
            {
                "error": "Something went wrong on our side. It has been logged; quote this id if you report it.",
                "id": rid,
            },
            status=500,
            headers={"X-Request-Id": rid},
        )
    finally:
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        request_id.reset(token)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    database: dict[str, str] = {"backend": runtime.engine.dialect.name}
    try:  # one connection, one read of the schema version: it also proves the database answers
        database["state"] = await migrate.state(runtime.health_engine)
    except Exception as exc:  # the health check reports the failure instead of failing itself
        database["state"] = f"unreachable ({type(exc).__name__})"
    healthy = database["state"] == "current"
    return web.json_response(
        {"status": "ok" if healthy else "degraded", "version": __version__, "database": database},
        status=200 if healthy else 503,
    )


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Engines and factories. Creating an engine opens no connection; the first start-up hook does."""
    engine = create_engine(
        settings.database_url, idle_transaction_seconds=settings.database_idle_transaction_seconds
    )
    uow_factory = SqlUnitOfWorkFactory(session_factory(engine), transaction_slots(engine))
    health_engine = create_engine(settings.database_url, connections=1)
    return Runtime(settings, engine, uow_factory, clock or SystemClock(), health_engine)


def bot_config(settings: Settings) -> BotConfig:
    return BotConfig(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password.get_secret_value(),
        APP_TYPE=settings.app_type.value,
        APP_TENANTID=settings.app_tenant_id,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.bot_openid_metadata_url or None,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.bot_token_issuer or None,
    )


def lti_config(settings: Settings, runtime: Runtime, rounds: RoundRunner | None) -> LtiConfig:
    secret = secret_key.load_or_create(
        settings.secret_key.get_secret_value(),
        settings.data_dir,
        shared_database=runtime.engine.dialect.name != "sqlite",
    )
    extra_origins = tuple(o.strip() for o in settings.lti_frame_ancestors.split(",") if o.strip())
    return LtiConfig(
        MessageBus(runtime.uow_factory, runtime.clock),
        settings.public_url,
        secret,
        extra_origins,
        registration_issuers=settings.registration_issuers,
        min_group=settings.report_min_group,
        rounds=rounds,
        group_apis={
            issuer: group_api(api.kind, api.base_url, api.token)
            for issuer, api in settings.group_apis.items()
        },
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    runtime = build_runtime(settings, clock)
    app = web.Application(middlewares=[request_context], client_max_size=settings.max_request_bytes)
    app[RUNTIME] = runtime

    async def database(app: web.Application) -> AsyncIterator[None]:
        # The embedded database is created and migrated on first start; PostgreSQL is migrated the same way.
        await migrate.upgrade(runtime.engine)
        if not settings.run_worker:  # else the worker's `statistics` job runs it now, once across instances
            await refresh_statistics(runtime.engine)
        log.info("database ready", extra={"backend": runtime.engine.dialect.name})
        yield
        await runtime.engine.dispose()
        await runtime.health_engine.dispose()

    app.cleanup_ctx.append(database)
    app.router.add_get("/healthz", healthz)
    setup_home(app)
    # Rounds run in worker processes, never on this event loop; stopped after the worker (on_cleanup
    # runs after every cleanup context).
    rounds = matching_pool.start(settings.database_url)

    async def stop_matching(_: web.Application) -> None:
        matching_pool.stop(rounds)

    app.on_startup.append(matching_pool.warm)
    app.on_cleanup.append(stop_matching)
    setup_lti(app, lti_config(settings, runtime, rounds))
    # The bot reads people's Outlook settings (and free/busy) through Graph when it is configured.
    calendars = None if settings.graph_off_reason else GraphCalendars(runtime.clock.now)
    if calendars is not None:
        attach_calendars(app, calendars, lambda http: graph_client(settings, http))
    setup_bot(
        app,
        bot_config(settings),
        runtime.uow_factory,
        runtime.clock,
        graph=GraphStatus(enabled=not settings.graph_off_reason, reason=settings.graph_off_reason),
        min_group=settings.report_min_group,
        calendars=calendars,
        rounds=rounds,
        public_url=settings.public_url,
    )
    tabs(app, settings, runtime)
    if settings.run_worker:
        attach_worker(app, settings, runtime.uow_factory, runtime.clock, rounds, runtime.engine)
    app.on_startup.append(warn_about_public_url)
    app.on_startup.append(freeze_startup_objects)
    return app


def tabs(app: web.Application, settings: Settings, runtime: Runtime) -> None:
    """The Teams tabs (`/tabs/*`), signed in with Teams SSO when the bot has an app id."""
    off = settings.tabs_off_reason
    validator = None
    if not off:
        validator = build_validator(
            app,
            client_id=settings.app_id,
            audience=settings.tabs_audience,
            metadata_url=settings.tabs_openid_metadata_url,
            allowed_tenants=settings.tabs_tenants,
        )
    setup_tabs(
        app,
        runtime.uow_factory,
        runtime.clock,
        sso=validator,
        sso_off_reason=off,
        bot_id=settings.app_id,
        min_group=settings.report_min_group,
        host_origins=settings.tab_host_origins,
    )


async def warn_about_public_url(app: web.Application) -> None:
    """An LMS cannot launch a tool that advertises a loopback address (runs after the database is ready)."""
    runtime = app[RUNTIME]
    if not runtime.settings.public_url_is_loopback:
        return
    platforms = await SqlLtiStore(runtime.uow_factory.sessions).platform_urls()
    if platforms:
        log.warning(
            f"PUBLIC_URL is {runtime.settings.public_url}, an address only this machine can reach, but LTI "
            "platforms are registered: their launches will fail. Set PUBLIC_URL to the https address "
            "people and platforms reach this service at.",
            extra={"public_url": runtime.settings.public_url},
        )


async def freeze_startup_objects(app: web.Application) -> None:
    """Leave what start-up built (modules, botbuilder's and msrest's models, mappers) out of the collector.

    Those are about 170,000 long-lived objects; every full collection walked them all, a pause of up to
    ~130 ms in the middle of some request (measured under the bot benchmark), which is what a p99 sees.
    Frozen, a full collection walks only what requests made since (~11 ms).
    """
    gc.collect()
    gc.freeze()
