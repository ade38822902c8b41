"""The server under test, in its own process: peerlearn on a seeded database, rounds matched one of two ways.

    python -m benchmarks.serving_during_round.server worker-process DATABASE_URL
    python -m benchmarks.serving_during_round.server in-loop DATABASE_URL

`worker-process` is the app as it ships. `in-loop` puts back how a round ran before (for comparison only,
never in the app): "Match now" runs the whole round inside the card action's turn, its one transaction
open throughout, with `matching.match` called on the event loop (`before.py`: the code of that time).
It listens on 127.0.0.1 (a free port), prints `{"url": ...}` once serving, and stops when its stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from aiohttp import web

from adaptive_cards import setup as setup_cards
from adaptive_cards import verbs
from benchmarks.serving_during_round import before
from bot.actions import Reply
from bot.actions.context import ActionContext, target_program
from bot.app import BOT
from core import commands
from peerlearn.app import create_app
from peerlearn.settings import Settings


async def round_in_the_turn(ctx: ActionContext) -> Reply:
    """The round as the bot ran it before: during the turn, on the event loop (its own units of work now: the
    unit of work no longer nests, and the loop, not the transaction, is what this baseline measures)."""
    program = await target_program(ctx, for_facilitator=True)
    outcome = await before.run_round(
        commands.RunRound(ctx.organization_id, program.id, ctx.person.id),
        ctx.services.bus.uows(),
        ctx.services.clock,
    )
    people = sum(len(p.members) for p in outcome.pairings)
    unmatched = [("A participant", why) for _, why in outcome.unmatched]
    return Reply(
        setup_cards.round_result(program, outcome.round.index, len(outcome.pairings), people, unmatched)
    )


async def main(mode: str, database_url: str) -> None:
    logging.disable(logging.WARNING)
    settings = Settings(
        _env_file=None, database_url=database_url, log_level="WARNING", log_format="text", run_worker=False
    )
    app = create_app(settings)
    if mode == "in-loop":
        registry = app[BOT].registry
        assert isinstance(registry, dict)
        registry[verbs.ROUND_RUN] = round_in_the_turn
    elif mode != "worker-process":
        raise SystemExit(f"Mode '{mode}' is not 'worker-process' or 'in-loop'.")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"url": f"http://127.0.0.1:{runner.addresses[0][1]}"}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # returns once the driver closes stdin: time to stop
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
