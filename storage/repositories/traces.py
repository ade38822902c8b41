"""Everything stored about one person, found from the models' metadata rather than from a list kept by hand.

Two questions a privacy request asks, answered for every table, including tables added later:

- *Which rows are about this person?* Rows whose person-reference column (`person_id`, `recipient_id`,
  `reporter_id`, …) holds their id, the personal conversation reference kept under their id, and the
  delivery records of messages addressed to them. `export` returns them all, as stored.
- *Where else were their values copied?* Any string or JSON column of any table may hold a copy of their
  name, address, Teams ids or free text (a reason that names them, a stored conversation reference, a
  delivery error). `erase` rewrites each copy to a neutral phrase; rows whose *key* holds a copy (a handled
  activity id that contains their 1:1 chat id, a launch's stored token) are deleted instead.

Tables are visited in the metadata's dependency order, so foreign keys never see a half-erased state.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Table, Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base
from storage.models_bot import ConversationReferenceRow, ProcessedActivityRow, TeamMemberRow
from storage.models_delivery import AppInstallationRow, OutboxDeliveryRow
from storage.models_lti import LtiLaunchDataRow

PERSON_COLUMNS = frozenset({"person_id", "recipient_id", "reporter_id", "by_person_id"})
"""Columns that point at a person. A new table that refers to people uses one of these names."""

REPLACEMENT = "a former participant"
MIN_LENGTH = 3  # shorter values ("Al") would rewrite other people's words, and identify nobody
DELETED_WHEN_KEY_HOLDS_A_VALUE = (ProcessedActivityRow.__table__, LtiLaunchDataRow.__table__)
NOT_SCANNED = frozenset({"lti_tool_keys", "job_leases"})  # the tool's own keys and leases: never personal
AUTHORED = frozenset(
    {"organizations", "persons", "lti_identities", "profiles", "profile_skills", "check_ins", "concerns"}
)
"""What people write about themselves: the deleted person's rows there are deleted by the use case; anyone
else's are theirs (a colleague may have the same name or the same goal), so they are never rewritten."""


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_SCANNED]


def _text_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, String | Text | JSON)]


def _forms(value: str) -> list[str]:
    """The value as text, and as it appears inside stored JSON (non-ASCII and quotes escaped)."""
    escaped = json.dumps(value)[1:-1]
    return list(dict.fromkeys([value, escaped]))


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains_any(columns: Sequence[Column[Any]], values: Sequence[str]) -> Any:
    tests = [
        cast(column, Text).like(_like(form), escape="\\")
        for column in columns
        for value in values
        for form in _forms(value)
    ]
    return or_(*tests)


def _rewrite(value: Any, values: Sequence[str]) -> Any:
    if isinstance(value, str):
        for personal in values:
            value = value.replace(personal, REPLACEMENT)
        return value
    if isinstance(value, list):
        return [_rewrite(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, values) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def usable(values: Iterable[str | None]) -> list[str]:
    """The values worth looking for: long enough to identify someone, longest first (names before parts)."""
    found = {v.strip() for v in values if v and len(v.strip()) >= MIN_LENGTH}
    return sorted(found, key=lambda v: (-len(v), v))


class SqlPersonalTraceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def export(self, organization_id: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every stored row that refers to the person, table by table, column by column as stored."""
        found: dict[str, list[dict[str, Any]]] = {}
        for table in _tables():
            condition = self._about(table, organization_id, person_id)
            if condition is None:
                continue
            rows = (await self.session.execute(select(table).where(condition))).mappings().all()
            if rows:
                found[table.name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
        return found

    @staticmethod
    def _about(table: Table, organization_id: str, person_id: str) -> Any:
        columns = [c for c in table.columns if c.name in PERSON_COLUMNS]
        scoped = table.c.organization_id == organization_id if "organization_id" in table.c else None
        if table is ConversationReferenceRow.__table__:
            return (table.c.organization_id == organization_id) & (table.c.key == person_id)
        if table is OutboxDeliveryRow.__table__:
            from storage.models import OutboxRow  # one table's rows, keyed by another's

            theirs = select(OutboxRow.id).where(
                OutboxRow.organization_id == organization_id, OutboxRow.recipient_id == person_id
            )
            return table.c.outbox_id.in_(theirs.scalar_subquery())
        if not columns:
            return None
        refers = or_(*(c == person_id for c in columns))
        return refers if scoped is None else scoped & refers

    async def erase(self, organization_id: str, person_id: str, values: Sequence[str]) -> int:
        """Delete the person's own bot and delivery rows; rewrite every other copy of their values.

        Returns how many rows were changed or deleted. Runs inside the caller's transaction."""
        own = (
            delete(ConversationReferenceRow).where(
                ConversationReferenceRow.organization_id == organization_id,
                ConversationReferenceRow.key == person_id,
            ),
            delete(TeamMemberRow).where(
                TeamMemberRow.organization_id == organization_id, TeamMemberRow.person_id == person_id
            ),
            delete(AppInstallationRow).where(
                AppInstallationRow.organization_id == organization_id,
                AppInstallationRow.person_id == person_id,
            ),
        )
        changed = 0
        for statement in own:
            result = await self.session.execute(statement)
            changed += int(getattr(result, "rowcount", 0) or 0)
        wanted = usable(values)
        if not wanted:
            return changed
        for table in _tables():
            if table.name not in AUTHORED:
                changed += await self._rewrite_table(table, organization_id, wanted)
        return changed

    async def _rewrite_table(self, table: Table, organization_id: str, values: Sequence[str]) -> int:
        columns = _text_columns(table)
        if not columns:
            return 0
        condition = _contains_any(columns, values)
        if "organization_id" in table.c:
            condition = condition & (table.c.organization_id == organization_id)
        if table in DELETED_WHEN_KEY_HOLDS_A_VALUE:
            result = await self.session.execute(delete(table).where(condition))
            return int(getattr(result, "rowcount", 0) or 0)
        keys = list(table.primary_key.columns)
        rows = (await self.session.execute(select(*keys, *columns).where(condition))).all()
        for row in rows:
            mapping = row._mapping
            new = {c.name: _rewrite(mapping[c], values) for c in columns if c not in keys}
            where = [k == mapping[k] for k in keys]
            await self.session.execute(update(table).where(*where).values(**new))
        return len(rows)
