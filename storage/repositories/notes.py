"""Learning notes in SQL: one row per note, its authors and its skill tags (see `storage.models_notes`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model.notes import LearningNote, NoteAuthor, NoteTag, NoteVisibility
from storage.models_notes import LearningNoteAuthorRow, LearningNoteRow, LearningNoteTagRow


class SqlNoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _load(self, organization_id: str, rows: Sequence[LearningNoteRow]) -> list[LearningNote]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        authors: dict[str, list[NoteAuthor]] = {}
        for a in await self.session.scalars(
            select(LearningNoteAuthorRow)
            .where(
                LearningNoteAuthorRow.organization_id == organization_id,
                LearningNoteAuthorRow.note_id.in_(ids),
            )
            .order_by(LearningNoteAuthorRow.note_id, LearningNoteAuthorRow.position)
        ):
            authors.setdefault(a.note_id, []).append(NoteAuthor(a.person_id, a.attributed))
        tags: dict[str, list[NoteTag]] = {}
        for t in await self.session.scalars(
            select(LearningNoteTagRow)
            .where(LearningNoteTagRow.organization_id == organization_id, LearningNoteTagRow.note_id.in_(ids))
            .order_by(LearningNoteTagRow.note_id, LearningNoteTagRow.position)
        ):
            tags.setdefault(t.note_id, []).append(NoteTag(t.skill_key, t.label))
        return [
            LearningNote(
                id=r.id,
                organization_id=r.organization_id,
                program_id=r.program_id,
                pairing_id=r.pairing_id,
                authors=authors.get(r.id, []),
                tags=tuple(tags.get(r.id, ())),
                text=r.text,
                created_at=r.created_at,
                visibility=NoteVisibility(r.visibility),
                updated_at=r.updated_at,
            )
            for r in rows
        ]

    async def get(self, organization_id: str, note_id: str) -> LearningNote | None:
        row = await self.session.get(LearningNoteRow, note_id)
        if row is None or row.organization_id != organization_id:
            return None
        return (await self._load(organization_id, [row]))[0]

    async def by_author(self, organization_id: str, person_id: str) -> list[LearningNote]:
        rows = await self.session.scalars(
            select(LearningNoteRow)
            .join(
                LearningNoteAuthorRow,
                (LearningNoteAuthorRow.organization_id == LearningNoteRow.organization_id)
                & (LearningNoteAuthorRow.note_id == LearningNoteRow.id),
            )
            .where(
                LearningNoteAuthorRow.organization_id == organization_id,
                LearningNoteAuthorRow.person_id == person_id,
            )
            .order_by(LearningNoteRow.created_at.desc(), LearningNoteRow.id.desc())
        )
        return await self._load(organization_id, rows.all())

    async def of_author_on_pairing(
        self, organization_id: str, person_id: str, pairing_id: str
    ) -> LearningNote | None:
        found = [n for n in await self.by_author(organization_id, person_id) if n.pairing_id == pairing_id]
        return found[0] if found else None

    async def shared_about(
        self, organization_id: str, skill_keys: Sequence[str], limit: int
    ) -> list[LearningNote]:
        if not skill_keys or limit <= 0:
            return []
        # Newest first straight from the search index; a note tagged with two of the keys comes once.
        tagged = await self.session.execute(
            select(LearningNoteTagRow.note_id, LearningNoteTagRow.created_at)
            .where(
                LearningNoteTagRow.organization_id == organization_id,
                LearningNoteTagRow.skill_key.in_(list(skill_keys)),
                LearningNoteTagRow.shared.is_(True),
            )
            .order_by(LearningNoteTagRow.created_at.desc(), LearningNoteTagRow.note_id.desc())
            .limit(limit * len(skill_keys))
        )
        ids = list(dict.fromkeys(note_id for note_id, _ in tagged))[:limit]
        if not ids:
            return []
        rows = await self.session.scalars(
            select(LearningNoteRow).where(
                LearningNoteRow.organization_id == organization_id,
                LearningNoteRow.id.in_(ids),
                LearningNoteRow.visibility == NoteVisibility.SHARED.value,
            )
        )
        found = {n.id: n for n in await self._load(organization_id, rows.all())}
        return [found[i] for i in ids if i in found]

    async def save(self, note: LearningNote) -> None:
        org = note.organization_id
        row = await self.session.get(LearningNoteRow, note.id)
        if row is None:
            row = LearningNoteRow(id=note.id, organization_id=org, created_at=note.created_at)
            self.session.add(row)
        elif row.organization_id != org:
            raise ValueError(f"Note {note.id} belongs to another organization; refusing to move it.")
        row.program_id, row.pairing_id = note.program_id, note.pairing_id
        row.text, row.visibility, row.updated_at = note.text, note.visibility.value, note.updated_at
        await self.session.flush()
        for table in (LearningNoteAuthorRow, LearningNoteTagRow):
            await self.session.execute(
                delete(table).where(table.organization_id == org, table.note_id == note.id)
            )
        self.session.add_all(
            LearningNoteAuthorRow(
                organization_id=org,
                note_id=note.id,
                person_id=a.person_id,
                attributed=a.attributed,
                position=i,
            )
            for i, a in enumerate(note.authors)
        )
        self.session.add_all(
            LearningNoteTagRow(
                organization_id=org,
                note_id=note.id,
                skill_key=t.key,
                label=t.label,
                position=i,
                shared=note.shared,
                created_at=note.created_at,
            )
            for i, t in enumerate(note.tags)
        )
        await self.session.flush()

    async def delete(self, organization_id: str, note_id: str) -> None:
        for table in (LearningNoteAuthorRow, LearningNoteTagRow):
            await self.session.execute(
                delete(table).where(table.organization_id == organization_id, table.note_id == note_id)
            )
        await self.session.execute(
            delete(LearningNoteRow).where(
                LearningNoteRow.organization_id == organization_id, LearningNoteRow.id == note_id
            )
        )
