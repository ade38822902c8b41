"""The LTI world shared by the integration and end-to-end tests: the tool (the real app's LTI door on a
migrated database) and a real LTI 1.3 platform (`platform.py`), each served on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import ClientSession, CookieJar, web

from core.bus import MessageBus
from core.clock import SystemClock
from core.model.platforms import NewRegistration
from lti.config import LtiConfig
from lti.setup import setup_lti
from storage import migrate
from storage.database import create_engine, session_factory
from storage.lti_store import SqlLtiStore
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.support.lti.platform import INSTRUCTOR, LEARNER, Platform

MEMBERS = [
    {"user_id": "teacher-1", "roles": [INSTRUCTOR], "name": "Ada Teacher", "email": "ada@example.edu"},
    *[
        {"user_id": f"learner-{i}", "roles": [LEARNER], "name": f"Learner {i}", "email": f"l{i}@example.edu"}
        for i in range(1, 7)
    ],
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    platform: Platform
    tool_url: str
    store: SqlLtiStore
    uow_factory: SqlUnitOfWorkFactory
    config: LtiConfig

    def client(self) -> ClientSession:
        return ClientSession(cookie_jar=CookieJar(unsafe=True))


@asynccontextmanager
async def open_world(database_url: str, platform_host: str = "127.0.0.1") -> AsyncIterator[World]:
    """The tool and the platform, served until the block ends; the platform is registered with the tool.
    With `platform_host="localhost"` the platform is another site than the tool (on 127.0.0.1), so the tool
    in the platform's iframe is a cross-site (third-party) frame."""
    tool_port, platform_port = free_port(), free_port()
    tool_url, platform_url = f"http://127.0.0.1:{tool_port}", f"http://{platform_host}:{platform_port}"
    platform = Platform(base=platform_url, tool=tool_url, members=[dict(m) for m in MEMBERS])
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    store, uow_factory, clock = SqlLtiStore(sessions), SqlUnitOfWorkFactory(sessions), SystemClock()
    await store.add_registration(
        NewRegistration(
            issuer=platform_url,
            client_id=platform.client_id,
            auth_login_url=f"{platform_url}/auth",
            auth_token_url=f"{platform_url}/token",
            key_set_url=f"{platform_url}/jwks",
            deployment_ids=(platform.deployment_id,),
        ),
        None,
        clock.now(),
    )
    tool = web.Application()
    config = LtiConfig(MessageBus(uow_factory, clock), tool_url, b"x" * 32)
    setup_lti(tool, config)
    runners = []
    try:
        for app, port in ((tool, tool_port), (platform.app(), platform_port)):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            runners.append(runner)
            await web.TCPSite(runner, "127.0.0.1", port).start()
        yield World(platform, tool_url, store, uow_factory, config)
    finally:
        for runner in runners:
            await runner.cleanup()
        await engine.dispose()
