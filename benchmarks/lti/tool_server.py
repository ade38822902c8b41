"""The tool alone in a process of its own, for `benchmarks.lti.run` (as it is deployed: its event loop shares
its process with no platform and no browser). It serves the LTI door of whichever source tree comes first on
PYTHONPATH (so an older checkout can be measured with today's benchmark), on a migrated database where the
benchmark's platform is registered, prints `ready` once it listens, and stops when its stdin closes.

    PYTHONPATH=<tree> python benchmarks/lti/tool_server.py DATABASE_URL PORT PLATFORM_URL
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

from core.clock import SystemClock
from core.model.platforms import NewRegistration
from lti.config import LtiConfig
from lti.setup import setup_lti
from storage import migrate
from storage.database import create_engine, session_factory
from storage.lti_store import SqlLtiStore
from storage.unit_of_work import SqlUnitOfWorkFactory

CLIENT_ID, DEPLOYMENT_ID = "peerlearn-client", "deployment-1"  # the benchmark platform's (`Platform`)


async def serve(database_url: str, port: int, platform_url: str) -> None:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    store, clock = SqlLtiStore(sessions), SystemClock()
    await store.add_registration(
        NewRegistration(
            issuer=platform_url,
            client_id=CLIENT_ID,
            auth_login_url=f"{platform_url}/auth",
            auth_token_url=f"{platform_url}/token",
            key_set_url=f"{platform_url}/jwks",
            deployment_ids=(DEPLOYMENT_ID,),
        ),
        None,
        clock.now(),
    )
    app = web.Application()
    uows, url = SqlUnitOfWorkFactory(sessions), f"http://127.0.0.1:{port}"
    if "bus" in LtiConfig.__dataclass_fields__:  # this tree's door: on the message bus
        from core.bus import MessageBus

        config = LtiConfig(MessageBus(uows, clock), url, b"x" * 32)
    else:  # an older tree's (a baseline): the store and the unit-of-work factory
        config = LtiConfig(store, uows, clock, url, b"x" * 32)  # type: ignore[arg-type]
    setup_lti(app, config)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(
            None, sys.stdin.read
        )  # until the benchmark closes it
    finally:
        await runner.cleanup()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
