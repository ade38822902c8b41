"""The Teams door's own records as commands: which activities were handled, where people and teams are
reached, who is in a team. Each runs in the turn's (or the job's) one unit of work."""

from __future__ import annotations

from core import commands
from core.ports import Clock, UnitOfWork


async def claim_activity(cmd: commands.ClaimActivity, uow: UnitOfWork, clock: Clock) -> bool:
    """True the first time; False for a retried delivery, which the turn then answers without acting.

    A turn claims before anything else, in its own unit of work: a refused turn rolls its claim back too,
    so Teams' retry of it is answered again."""
    return await uow.activity_claims.claim(cmd.key, clock.now())


async def keep_conversation(cmd: commands.KeepConversation, uow: UnitOfWork, clock: Clock) -> None:
    await uow.conversations.save(cmd.conversation)


async def add_team_members(cmd: commands.AddTeamMembers, uow: UnitOfWork, clock: Clock) -> None:
    await uow.rosters.add_members(cmd.organization_id, cmd.team_id, list(cmd.person_ids), cmd.owners)
