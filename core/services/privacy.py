"""A person's rights over their data: export everything stored about them, or erase it."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from typing import Any

from core import commands
from core.model import Pairing
from core.ports import Clock, UnitOfWork
from core.services import _lookups

EXPORT_FORMAT = "peerlearn.personal-data.v1"


def _plain(value: Any) -> Any:
    """Turn domain values into JSON-ready ones (dates as ISO 8601, enums as their value, sets sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _my_side_of(pairing: Pairing, person_id: str) -> dict[str, Any]:
    """A pairing as seen by one member: other people's answers are theirs, so only their names appear."""
    me = pairing.member(person_id)
    return {
        "id": pairing.id,
        "program_id": pairing.program_id,
        "status": pairing.status.value,
        "created_at": pairing.created_at.isoformat(),
        "my_role": me.role.value,
        "my_response": me.response.value,
        "shared_goal": pairing.shared_goal,
        "skill": pairing.skill,
        "reasons": [r.text for r in pairing.reasons],
        "other_member_ids": [m for m in pairing.member_ids() if m != person_id],
        "history": [{"status": h.status.value, "at": h.at.isoformat()} for h in pairing.history],
    }


async def export_my_data(cmd: commands.ExportMyData, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    async with uow:
        person = await _lookups.person(uow, cmd.organization_id, cmd.person_id)
        org, pid = cmd.organization_id, cmd.person_id
        pairings = await uow.pairings.for_person(org, pid)
        names = {
            p.id: p.display_name
            for p in await uow.persons.many(org, [m for x in pairings for m in x.member_ids()])
        }
        exported = [
            _my_side_of(p, pid) | {"other_members": [names.get(m, "") for m in p.member_ids() if m != pid]}
            for p in pairings
        ]
        return {
            "format": EXPORT_FORMAT,
            "exported_at": clock.now().isoformat(),
            "person": _plain(person),
            "profile": _plain(await uow.profiles.get(org, pid)),
            "enrollments": _plain(await uow.enrollments.for_person(org, pid)),
            "pairings": exported,
            "check_ins": _plain(await uow.check_ins.by_person(org, pid)),
            "concerns_raised": _plain(await uow.concerns.by_reporter(org, pid)),
            "pending_notifications": [
                {"intent": m.intent.value, "created_at": m.created_at.isoformat(), "status": m.status.value}
                for m in await uow.outbox.for_recipient(org, pid)
            ],
        }


async def delete_my_data(cmd: commands.DeleteMyData, uow: UnitOfWork, clock: Clock) -> None:
    """Erase a person everywhere.

    Their profile, enrollments, check-ins, concerns and queued notifications are deleted. The person
    row stays, anonymized, because other people's pairings still point at it: their history keeps its
    shape ("a former participant") and the matcher's cool-down still holds, but nothing personal remains.
    Open pairings the person was in are ended.
    """
    async with uow:
        person = await _lookups.person(uow, cmd.organization_id, cmd.person_id)
        org, pid = cmd.organization_id, cmd.person_id
        now = clock.now()
        for pairing in await uow.pairings.for_person(org, pid):
            pairing.end(now, None)
            await uow.pairings.save(pairing)
        await uow.profiles.delete(org, pid)
        await uow.enrollments.delete_for_person(org, pid)
        await uow.check_ins.delete_by_person(org, pid)
        await uow.concerns.delete_by_reporter(org, pid)
        await uow.outbox.delete_for_recipient(org, pid)
        person.erase()
        await uow.persons.save(person)
        await uow.commit()
