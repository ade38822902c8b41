"""`peerlearn`: serve the app, run the worker, migrate the database, build the Teams app package, …"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web

from core.clock import SystemClock
from lti import cli as lti_cli
from peerlearn import __version__, app_package, privacy_cli
from peerlearn.app import create_app
from peerlearn.logs import configure_logging
from peerlearn.settings import Settings, SettingsError, load_settings
from storage import migrate
from storage.database import create_engine, session_factory
from storage.lti_store import SqlLtiStore
from storage.unit_of_work import SqlUnitOfWorkFactory

log = logging.getLogger("peerlearn")


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.env_file)
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    return settings


def _announce(settings: Settings, *, serving: bool = True) -> None:
    """The first lines a person starting peerlearn reads: where it listens, then what is unsafe."""
    database = settings.database_url.split("://")[0]
    if serving:
        log.info(
            f"peerlearn {__version__} listening on {settings.listen_url}; people and platforms reach it at "
            f"{settings.public_url} (PUBLIC_URL); health: {settings.listen_url}/healthz",
            extra={"listen": settings.listen_url, "public_url": settings.public_url, "database": database},
        )
    else:
        log.info(
            f"peerlearn {__version__} worker starting (rounds, check-ins, the outbox); it serves no HTTP",
            extra={"database": database},
        )
    if not settings.authenticated:
        log.warning(
            "NO MicrosoftAppId IS SET: the bot accepts UNAUTHENTICATED requests. "
            "This is for local testing with the Agents Playground only; never expose this port."
        )


def serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.port is not None:
        settings.listen_on(args.port)
    _announce(settings)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


async def _migrate(settings: Settings, target: str, down: bool) -> str:
    engine = create_engine(
        settings.database_url, idle_transaction_seconds=settings.database_idle_transaction_seconds
    )
    try:
        if down:
            await migrate.downgrade(engine, target)
        else:
            await migrate.upgrade(engine, target)
        return await migrate.state(engine)
    finally:
        await engine.dispose()


async def _work(settings: Settings) -> None:
    from peerlearn.app import build_runtime
    from peerlearn.worker import Worker

    runtime = build_runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await migrate.upgrade(runtime.engine)
        await Worker(settings, runtime.uow_factory, runtime.clock, engine=runtime.engine).run(stop)
    finally:
        await runtime.engine.dispose()
        await runtime.health_engine.dispose()


def worker(args: argparse.Namespace) -> int:
    """Run only the background worker (rounds, check-ins, outbox) until SIGINT or SIGTERM."""
    settings = _settings(args)
    _announce(settings, serving=False)
    asyncio.run(_work(settings))
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    settings = _settings(args)
    state = asyncio.run(_migrate(settings, args.revision, args.down))
    print(f"database: {state}")
    return 0


@asynccontextmanager
async def open_lti_store(args: argparse.Namespace) -> AsyncIterator[SqlLtiStore]:
    engine = create_engine(_settings(args).database_url)
    try:
        await migrate.upgrade(engine)
        yield SqlLtiStore(session_factory(engine))
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_units(args: argparse.Namespace) -> AsyncIterator[tuple[SqlUnitOfWorkFactory, SystemClock]]:
    """Units of work on the configured database (brought to the newest schema first), for the
    administrator's commands."""
    engine = create_engine(_settings(args).database_url)
    try:
        await migrate.upgrade(engine)
        yield SqlUnitOfWorkFactory(session_factory(engine)), SystemClock()
    finally:
        await engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerlearn", description=__doc__)
    parser.add_argument("--version", action="version", version=f"peerlearn {__version__}")
    parser.add_argument(
        "--env-file", default=".env", help="settings file read besides the environment (default .env)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "serve", help="serve the bot, the LTI tool and /healthz (and the worker, by default)"
    )
    p.add_argument("--port", type=int, default=None, help="override PORT")
    p.set_defaults(handler=serve)

    p = commands.add_parser("worker", help="run only the background worker: rounds, check-ins, the outbox")
    p.set_defaults(handler=worker)

    p = commands.add_parser("migrate", help="bring the database to the newest schema (or another revision)")
    p.add_argument("revision", nargs="?", default="heads", help="target revision (default: heads)")
    p.add_argument("--down", action="store_true", help="downgrade to the revision instead")
    p.set_defaults(handler=migrate_command)

    app_package.add_commands(commands)
    lti_cli.add_commands(commands, open_lti_store)
    privacy_cli.add_commands(commands, open_units)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except SettingsError as exc:
        print(f"peerlearn: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
