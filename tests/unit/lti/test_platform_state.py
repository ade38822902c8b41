"""The LTI door's protocol state through the bus (`core.services.platforms`, `core.views.platforms`) against the
fake unit of work: kept only when the request's unit of work commits, taken out once, never across
organizations."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.bus import MessageBus
from core.commands import KeepLaunchData, RegisterPlatform, RotateToolKey, SavePlatformKeySet, TakeLaunchData
from core.model.platforms import NewRegistration, ToolKey
from core.views import platforms
from tests.unit.fakes import FakeClock, FakeUnitOfWorkFactory

LMS = "https://lms.example.edu"


@pytest.fixture
def uows() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def bus(uows: FakeUnitOfWorkFactory, clock: FakeClock) -> MessageBus:
    return MessageBus(uows, clock)


def _new(client_id: str = "client-1", *deployments: str) -> NewRegistration:
    return NewRegistration(
        LMS, client_id, f"{LMS}/auth", f"{LMS}/token", f"{LMS}/jwks", deployments or ("d-1",)
    )


async def test_a_registered_platform_is_read_back_with_its_deployments_and_may_frame_the_pages(
    bus: MessageBus,
) -> None:
    saved = await bus.handle(RegisterPlatform(_new()))
    await bus.handle(RegisterPlatform(_new("client-1", "d-2")))  # the same platform again: a deployment more
    found = await bus.read(lambda uow: platforms.registration(uow, LMS, "client-1"))
    assert found is not None and found.id == saved.id and found.deployment_ids == frozenset({"d-1", "d-2"})
    assert (
        await bus.read(lambda uow: platforms.registration(uow, LMS, None)) == found
    )  # the issuer's only one
    assert await bus.read(platforms.platform_urls) == [LMS, f"{LMS}/auth"]


async def test_a_key_set_fetched_during_a_launch_is_kept_with_the_launch(
    bus: MessageBus, clock: FakeClock
) -> None:
    saved = await bus.handle(RegisterPlatform(_new()))
    await bus.handle(SavePlatformKeySet(saved.id, {"keys": [{"kid": "k1"}]}))
    found = await bus.read(lambda uow: platforms.registration(uow, LMS, "client-1"))
    assert found is not None and found.key_set == {"keys": [{"kid": "k1"}]}
    assert found.key_set_fetched_at == clock.now()


async def test_nothing_a_failed_request_kept_is_kept(bus: MessageBus, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError):
        async with bus.unit() as work:
            await work.handle(
                KeepLaunchData("org-1", "login-1", {"nonce": "n"}, clock.now() + timedelta(minutes=5))
            )
            await work.handle(RotateToolKey(ToolKey("kid-1", "private", "public", clock.now())))
            raise RuntimeError("the request failed after keeping them")
    assert await bus.read(lambda uow: platforms.launch_data(uow, "org-1", "login-1", clock.now())) is None
    assert await bus.read(platforms.tool_keys) == []


async def test_a_login_binding_is_taken_out_once_and_only_by_its_organization(
    bus: MessageBus, clock: FakeClock
) -> None:
    await bus.handle(KeepLaunchData("org-1", "login-1", {"nonce": "n"}, clock.now() + timedelta(minutes=5)))
    assert await bus.handle(TakeLaunchData("org-2", "login-1")) is None  # another organization's request
    assert await bus.handle(TakeLaunchData("org-1", "login-1")) == {"nonce": "n"}
    assert await bus.handle(TakeLaunchData("org-1", "login-1")) is None  # posted a second time


async def test_a_key_another_organization_holds_is_refused_not_overwritten(
    bus: MessageBus, clock: FakeClock
) -> None:
    later = clock.now() + timedelta(minutes=5)
    await bus.handle(KeepLaunchData("org-1", "launch-1", {"sub": "a"}, later))
    with pytest.raises(PermissionError, match="another organization"):
        await bus.handle(KeepLaunchData("org-2", "launch-1", {"sub": "b"}, later))
    assert await bus.read(lambda uow: platforms.launch_data(uow, "org-1", "launch-1", clock.now())) == {
        "sub": "a"
    }


async def test_launch_data_past_its_expiry_is_not_read(bus: MessageBus, clock: FakeClock) -> None:
    await bus.handle(KeepLaunchData("org-1", "launch-1", {"sub": "a"}, clock.now() + timedelta(seconds=30)))
    clock.advance(seconds=31)
    assert await bus.read(lambda uow: platforms.launch_data(uow, "org-1", "launch-1", clock.now())) is None
    assert await bus.handle(TakeLaunchData("org-1", "launch-1")) is None


async def test_a_rotated_key_comes_first_and_the_previous_one_stays_published(
    bus: MessageBus, clock: FakeClock
) -> None:
    for kid in ("kid-1", "kid-2"):
        await bus.handle(RotateToolKey(ToolKey(kid, "private", "public", clock.now())))
    assert [k.kid for k in await bus.read(platforms.tool_keys)] == ["kid-2", "kid-1"]
