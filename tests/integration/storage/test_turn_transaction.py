"""One request, one transaction: the unit of work joined by nested use cases, and the bot store inside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import InvalidInput
from core.model import Organization, OrganizationKind
from storage.models_bot import ProcessedActivityRow
from storage.repositories import teams as teams_repository
from storage.repositories.teams import PRUNE_BATCH, REPLAY_WINDOW, Countdown
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _org(n: int) -> Organization:
    return Organization(f"org-{n}", OrganizationKind.TEAMS_TENANT, f"tenant-{n}", f"Org {n}")


async def _add_organization(uow: SqlUnitOfWork, n: int) -> None:
    """A use case: its own `async with` and `commit()`, as in core."""
    async with uow:
        await uow.organizations.add(_org(n))
        await uow.commit()


async def test_a_nested_block_commits_only_with_the_outermost_one(uow_factory: SqlUnitOfWorkFactory) -> None:
    uow = uow_factory()
    async with uow:
        await _add_organization(uow, 1)
        # the request ends without committing
    async with uow_factory() as other:
        assert await other.organizations.get("org-1") is None
    async with uow:
        await _add_organization(uow, 2)
        assert await uow.organizations.get("org-2") is not None  # flushed, seen inside
        await uow.commit()
    async with uow_factory() as other:
        assert await other.organizations.get("org-2") is not None


async def test_a_nested_failure_rolls_back_the_whole_unit_even_if_its_error_was_answered(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    uow = uow_factory()
    async with uow:
        await uow.organizations.add(_org(1))
        with pytest.raises(InvalidInput):
            async with uow:
                await uow.organizations.add(_org(2))
                raise InvalidInput("name", "refused")
        await uow.commit()  # the request answered the error; nothing it did is kept
    async with uow_factory() as other:
        assert await other.organizations.get("org-1") is None
        assert await other.organizations.get("org-2") is None
    async with uow:  # the next use of the same object starts clean
        await uow.organizations.add(_org(3))
        await uow.commit()
    async with uow_factory() as other:
        assert await other.organizations.get("org-3") is not None


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
