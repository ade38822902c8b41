"""The SQL LTI store on each database lane: nonces are taken once even by concurrent callers, launch data
stays inside its organization, and expired rows are purged."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.lti.flows import launch_form
from tests.support.lti.world import World

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_of_concurrent_posts_of_one_launch_exactly_one_is_accepted(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        responses = await asyncio.gather(*(client.post(action, data=fields) for _ in range(6)))
        statuses = sorted(r.status for r in responses)
    assert statuses == [200, 401, 401, 401, 401, 401]


async def test_a_value_is_popped_once_even_by_concurrent_callers(world: World) -> None:
    org = await _organization(world)
    await world.store.put(org, "nonce-1", True, NOW + timedelta(minutes=5))
    popped = await asyncio.gather(*(world.store.pop(org, "nonce-1", NOW) for _ in range(8)))
    assert popped.count(True) == 1 and popped.count(None) == 7


async def test_launch_data_is_invisible_to_another_organization(world: World) -> None:
    org = await _organization(world)
    await world.store.put(org, "launch-1", {"sub": "x"}, NOW + timedelta(minutes=5))
    assert await world.store.get("another-org", "launch-1", NOW) is None
    assert await world.store.pop("another-org", "launch-1", NOW) is None
    assert await world.store.get(org, "launch-1", NOW) == {"sub": "x"}


async def test_a_key_of_another_organization_is_neither_overwritten_nor_taken(world: World) -> None:
    org = await _organization(world)
    await world.store.put(org, "launch-2", {"sub": "x"}, NOW + timedelta(minutes=5))
    await world.store.put(org, "launch-2", {"sub": "y"}, NOW + timedelta(minutes=5))  # its own: replaced
    with pytest.raises(PermissionError, match="belongs to another organization"):
        await world.store.put("another-org", "launch-2", {"sub": "z"}, NOW + timedelta(minutes=5))
    assert await world.store.get(org, "launch-2", NOW) == {"sub": "y"}
    assert await world.store.pop(org, "launch-2", NOW + timedelta(minutes=6)) is None  # expired: not returned
    assert await world.store.get(org, "launch-2", NOW) is None  # and gone


async def test_expired_launch_data_is_not_returned_and_is_purged(world: World) -> None:
    org = await _organization(world)
    await world.store.put(org, "old", 1, NOW - timedelta(seconds=1))
    await world.store.put(org, "fresh", 2, NOW + timedelta(minutes=5))
    assert await world.store.get(org, "old", NOW) is None
    assert await world.store.purge(NOW) == 1
    assert await world.store.get(org, "fresh", NOW) == 2


async def _organization(world: World) -> str:
    found = await world.store.registration(world.platform.base, world.platform.client_id)
    assert found is not None
    return found.organization_id
