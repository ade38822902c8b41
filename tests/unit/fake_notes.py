"""Learning notes in memory (`uow.notes`), with the real repository's contract: scoped by organization,
newest first, shared notes found by skill only when shared."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Protocol

from core.model.notes import LearningNote


class _HasNotes(Protocol):
    notes: dict[str, LearningNote]


class FakeNotes:
    def __init__(self, store: _HasNotes) -> None:
        self.s = store

    def _of(self, organization_id: str) -> list[LearningNote]:
        found = [n for n in self.s.notes.values() if n.organization_id == organization_id]
        return sorted(found, key=lambda n: (n.created_at, n.id), reverse=True)

    async def get(self, organization_id: str, note_id: str) -> LearningNote | None:
        note = self.s.notes.get(note_id)
        return copy.deepcopy(note) if note is not None and note.organization_id == organization_id else None

    async def by_author(self, organization_id: str, person_id: str) -> list[LearningNote]:
        return [copy.deepcopy(n) for n in self._of(organization_id) if person_id in n.author_ids]

    async def of_author_on_pairing(
        self, organization_id: str, person_id: str, pairing_id: str
    ) -> LearningNote | None:
        found = [n for n in await self.by_author(organization_id, person_id) if n.pairing_id == pairing_id]
        return found[0] if found else None

    async def shared_about(
        self, organization_id: str, skill_keys: Sequence[str], limit: int
    ) -> list[LearningNote]:
        keys = set(skill_keys)
        found = [n for n in self._of(organization_id) if n.shared and keys & set(n.skill_keys)]
        return [copy.deepcopy(n) for n in found[:limit]]

    async def save(self, note: LearningNote) -> None:
        self.s.notes[note.id] = copy.deepcopy(note)

    async def delete(self, organization_id: str, note_id: str) -> None:
        note = self.s.notes.get(note_id)
        if note is not None and note.organization_id == organization_id:
            del self.s.notes[note_id]
