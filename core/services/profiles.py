"""Updating what a person can teach, wants to learn, and how much time they have."""

from __future__ import annotations

from core import commands
from core.model import Profile, SkillLevel
from core.ports import Clock, UnitOfWork
from core.services import _lookups


def profile_from_command(cmd: commands.UpdateProfile) -> Profile:
    """Build and validate the profile a command describes; raises InvalidInput naming the bad field."""
    department = " ".join((cmd.department or "").split()) or None
    profile = Profile(
        person_id=cmd.person_id,
        teaches=tuple(SkillLevel.of(s.name, s.level) for s in cmd.teaches),
        learns=tuple(SkillLevel.of(s.name, s.level) for s in cmd.learns),
        department=department,
        timezone=cmd.timezone.strip() or "UTC",
        hours_per_month=cmd.hours_per_month,
        goals=cmd.goals.strip(),
        discoverable_as_expert=cmd.discoverable_as_expert,
        weekly_availability=cmd.weekly_availability,
        mentor_capacity=cmd.mentor_capacity,
        is_new_hire=cmd.is_new_hire,
        started_on=cmd.started_on,
    )
    profile.validate()
    return profile


async def update_profile(cmd: commands.UpdateProfile, uow: UnitOfWork, clock: Clock) -> Profile:
    profile = profile_from_command(cmd)  # validated before any I/O: a mistake changes nothing
    await _lookups.person(uow, cmd.organization_id, cmd.person_id)
    await uow.profiles.save(cmd.organization_id, profile)
    return profile
