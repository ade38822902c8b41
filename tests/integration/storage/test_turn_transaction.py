"""One request, one transaction: the unit of work joined by nested use cases, and the bot store inside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core import commands
from core.bus import MessageBus
from core.clock import SystemClock
from core.errors import InvalidInput
from core.model import Organization, OrganizationKind
from storage.models_bot import ProcessedActivityRow
from storage.repositories import teams as teams_repository
from storage.repositories.teams import PRUNE_BATCH, REPLAY_WINDOW, Countdown
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _org(n: int) -> Organization:
    return Organization(f"org-{n}", OrganizationKind.TEAMS_TENANT, f"tenant-{n}", f"Org {n}")


async def test_a_unit_of_work_rolls_back_unless_committed_and_does_not_nest(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    uow = uow_factory()
    async with uow:
        await uow.organizations.add(_org(1))
        with pytest.raises(RuntimeError, match="does not nest"):
            await uow.__aenter__()
        # the request ends without committing
    async with uow_factory() as other:
        assert await other.organizations.get("org-1") is None
    async with uow:  # the same object opens a fresh transaction once closed
        await uow.organizations.add(_org(2))
        await uow.commit()
    async with uow_factory() as other:
        assert await other.organizations.get("org-2") is not None


async def test_a_command_refused_inside_a_turn_keeps_nothing_of_the_turn(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """The bus's unit: a card action that caught its command's error and answered it commits nothing."""
    bus = MessageBus(uow_factory, SystemClock())
    async with bus.unit() as work:
        await work.uow.organizations.add(_org(3))
        with pytest.raises(InvalidInput):
            await work.handle(
                commands.UpdateProfile("org-3", "nobody", teaches=(commands.SkillInput("Go", 9),))
            )
    async with uow_factory() as other:
        assert await other.organizations.get("org-3") is None


async def _claim(uow_factory: SqlUnitOfWorkFactory, key: str, at: datetime, *, commit: bool = True) -> bool:
    async with uow_factory() as uow:
        claimed = await uow.activity_claims.claim(key, at)
        if commit:
            await uow.commit()
        return claimed


async def test_a_claim_inside_a_turn_is_kept_only_when_the_turn_commits(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    assert await _claim(uow_factory, "msteams|chat|1", NOW, commit=False)
    assert await _claim(uow_factory, "msteams|chat|1", NOW)  # the turn rolled back: not a replay
    assert await _claim(uow_factory, "msteams|chat|2", NOW)
    assert not await _claim(uow_factory, "msteams|chat|2", NOW, commit=False)
    assert not await _claim(uow_factory, "msteams|chat|2", NOW)


async def test_a_refused_claim_leaves_the_turns_transaction_usable(uow_factory: SqlUnitOfWorkFactory) -> None:
    """A replay is refused without a failed statement: on PostgreSQL a unique violation would end the whole
    transaction, and the turn answers 'already handled' inside it."""
    assert await _claim(uow_factory, "msteams|chat|3", NOW)
    async with uow_factory() as uow:
        assert not await uow.activity_claims.claim("msteams|chat|3", NOW)
        await uow.organizations.add(_org(9))
        await uow.commit()
    async with uow_factory() as other:
        assert await other.organizations.get("org-9") is not None


async def _count(uow_factory: SqlUnitOfWorkFactory) -> int:
    async with uow_factory.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedActivityRow)) or 0)


async def test_handled_activity_ids_older_than_the_replay_window_are_pruned_as_new_ones_come(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = NOW - REPLAY_WINDOW - timedelta(minutes=1)
    monkeypatch.setattr(teams_repository, "PRUNING", Countdown(10**9))
    monkeypatch.setattr(teams_repository.PRUNING, "left", 10**9)
    for i in range(25):  # what a previous day left behind
        assert await _claim(uow_factory, f"old-{i}", old)
    monkeypatch.setattr(teams_repository, "PRUNING", Countdown(10))  # a new process: its first claim prunes
    await _claim(uow_factory, "new-0", NOW)
    assert await _count(uow_factory) == 1
    for i in range(1, 10):
        await _claim(uow_factory, f"new-{i}", NOW)
    assert await _count(uow_factory) == 10
    later = NOW + REPLAY_WINDOW + timedelta(hours=1)
    await _claim(uow_factory, "later-0", later)  # the 10th claim since the last pruning prunes again
    assert await _count(uow_factory) == 1
    assert not await _claim(uow_factory, "later-0", later)  # inside the window, a replay is still refused


def test_a_pruning_pass_is_bounded() -> None:
    assert 0 < PRUNE_BATCH <= 10_000
