"""Optimistic concurrency for the aggregates people change together (pairings, programs).

Each row carries a version. A save writes only if the row still has the version its reader saw, and bumps
it; otherwise nothing is written and `ConcurrentChange` tells the door to run the whole request again (it
then reads what the other request wrote). On PostgreSQL the second of two concurrent UPDATEs waits for the
first to commit and then finds the version moved on; SQLite runs one writer at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ConcurrentChange


async def guarded_update(
    session: AsyncSession, model: Any, organization_id: str, row_id: str, version: int, values: dict[str, Any]
) -> None:
    result = await session.execute(
        update(model)
        .where(model.organization_id == organization_id, model.id == row_id, model.version == version)
        .values(**values, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ConcurrentChange("This changed meanwhile, so nothing was saved. Try again.")
    # Rows of this model already loaded in the session are now stale: read them again when asked.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and obj.id == row_id:
            session.expire(obj)
