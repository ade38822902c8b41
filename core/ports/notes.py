"""The learning notes' repository (`uow.notes`): notes by author, by pairing, and shared notes by skill."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.model.notes import LearningNote


class NoteRepository(Protocol):
    async def get(self, organization_id: str, note_id: str) -> LearningNote | None: ...
    async def by_author(self, organization_id: str, person_id: str) -> list[LearningNote]:
        """Every note the person is an author of, newest first."""
        ...

    async def of_author_on_pairing(
        self, organization_id: str, person_id: str, pairing_id: str
    ) -> LearningNote | None: ...
    async def shared_about(
        self, organization_id: str, skill_keys: Sequence[str], limit: int
    ) -> list[LearningNote]:
        """Shared notes tagged with any of `skill_keys`, newest first, at most `limit`: an index on
        (organization, skill, shared, created) answers it without reading other notes."""
        ...

    async def save(self, note: LearningNote) -> None: ...
    async def delete(self, organization_id: str, note_id: str) -> None: ...
