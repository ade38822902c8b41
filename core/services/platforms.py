"""The LTI door's protocol state as commands: registering a platform, keeping its key set, rotating the tool's
key, and the short-lived launch data a login and a launch keep and take. Each handler runs in the request's
unit of work (`core.bus`), never commits and never opens one."""

from __future__ import annotations

from typing import Any

from core import commands
from core.model.platforms import PlatformRegistration
from core.ports import Clock, UnitOfWork


async def register_platform(
    cmd: commands.RegisterPlatform, uow: UnitOfWork, clock: Clock
) -> PlatformRegistration:
    return await uow.lti.add_registration(cmd.registration, cmd.organization_id, clock.now())


async def save_key_set(cmd: commands.SavePlatformKeySet, uow: UnitOfWork, clock: Clock) -> None:
    await uow.lti.save_key_set(cmd.registration_id, cmd.key_set, clock.now())


async def rotate_tool_key(cmd: commands.RotateToolKey, uow: UnitOfWork, clock: Clock) -> None:
    await uow.lti.rotate_keys(cmd.key)


async def keep_launch_data(cmd: commands.KeepLaunchData, uow: UnitOfWork, clock: Clock) -> None:
    await uow.lti.put(cmd.organization_id, cmd.key, cmd.value, cmd.expires_at)


async def take_launch_data(cmd: commands.TakeLaunchData, uow: UnitOfWork, clock: Clock) -> Any | None:
    return await uow.lti.pop(cmd.organization_id, cmd.key, clock.now())
