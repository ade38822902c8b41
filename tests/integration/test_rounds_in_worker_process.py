"""The app runs a whole round (read, match, store) in a worker process with its own database connection,
and hears back a summary or the round's refusal, as the same error."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from benchmarks.serving_during_round.seed import seed
from core import commands
from core.errors import PermissionDenied
from core.model import RoundStatus
from core.services.rounds import TooFewToMatch
from peerlearn import matching_pool
from storage.database import create_engine

FACILITATOR = "p000000"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[matching_pool.PoolRounds]:
    rounds = matching_pool.start(database_url, workers=1)
    try:
        yield rounds
    finally:
        matching_pool.stop(rounds)


async def _round_statuses(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text("SELECT status FROM rounds"))).scalars())
    finally:
        await engine.dispose()


async def test_a_round_in_a_worker_process_is_stored_and_summed_up(
    database_url: str, pool: matching_pool.PoolRounds
) -> None:
    seeded = await seed(database_url, 40)
    summary = await pool.run(commands.RunRound(seeded.organization_id, seeded.program_id, FACILITATOR))
    assert (summary.round.index, summary.round.status) == (1, RoundStatus.OPEN)
    assert summary.people + len(summary.unmatched) == 40 and summary.pairings >= 19
    assert await _round_statuses(database_url) == ["open"]


async def test_a_round_refused_in_the_worker_process_is_refused_here_with_its_reason(
    database_url: str, pool: matching_pool.PoolRounds
) -> None:
    seeded = await seed(database_url, 1)
    with pytest.raises(TooFewToMatch) as refused:
        await pool.run(commands.RunRound(seeded.organization_id, seeded.program_id, FACILITATOR))
    assert refused.value.ready == 1 and "at least two people" in refused.value.message
    with pytest.raises(PermissionDenied):
        await pool.run(commands.RunRound(seeded.organization_id, seeded.program_id, "p999999"))
    assert await _round_statuses(database_url) == []


async def test_the_worker_keeps_the_collector_off_the_round_while_it_is_stored_and_on_again_after(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After matching, the round's objects are frozen (a full collection walked millions of them while the
    pairings and each member's reasons were made); whatever happens next, they are unfrozen when it ends."""
    seeded = await seed(database_url, 40)
    frozen: list[int] = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: (frozen.append(1), freeze())[1])
    command = commands.RunRound(seeded.organization_id, seeded.program_id, FACILITATOR)
    # (This test process may hold objects frozen by an app started in an earlier test; a worker process,
    # forked from the fork server, holds none, so unfreezing everything at the end is right there.)
    summary = await matching_pool._run_round(database_url, command)  # as the worker process runs it
    assert summary.pairings >= 19 and frozen == [1] and gc.get_freeze_count() == 0
    stranger = commands.RunRound(seeded.organization_id, seeded.program_id, "p999999")
    with pytest.raises(PermissionDenied):  # refused before matching: nothing frozen, nothing left frozen
        await matching_pool._run_round(database_url, stranger)
    assert frozen == [1] and gc.get_freeze_count() == 0
